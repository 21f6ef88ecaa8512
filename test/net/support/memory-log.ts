import type { Logger, LogFields } from '../../../src/log/logger';

/** A logger that keeps every line, for asserting what an operator would have seen. */
export class MemoryLog implements Logger {
  readonly lines: Array<{ level: 'info' | 'warn'; event: string; fields: LogFields }> = [];
  info(event: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'info', event, fields });
  }
  warn(event: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'warn', event, fields });
  }
  of(event: string): LogFields[] {
    return this.lines.filter((l) => l.event === event).map((l) => l.fields);
  }
}
