/**
 * Stands in for @pm2/io: records registered actions and metric gauges, and triggers
 * actions the way @pm2/io does (param only for handlers declaring two parameters).
 */
import type { ActionRegistry, PmActionHandler } from '../../../src/operator/register';
import type { Gauge, MetricRegistry } from '../../../src/operator/metrics';

export class FakeIo implements ActionRegistry, MetricRegistry {
  readonly actions = new Map<string, PmActionHandler>();
  readonly gauges = new Map<string, { value: number | undefined; unit?: string }>();

  action(name: string, handler: PmActionHandler): void {
    this.actions.set(name, handler);
  }

  metric(opts: { name: string; unit?: string }): Gauge {
    const entry: { value: number | undefined; unit?: string } = { value: undefined, unit: opts.unit };
    this.gauges.set(opts.name, entry);
    return { set: (v: number) => void (entry.value = v) };
  }

  /** Mirrors @pm2/io's dispatch; returns every reply the handler sends. */
  trigger(name: string, param: unknown = {}): unknown[] {
    const handler = this.actions.get(name);
    if (handler === undefined) throw new Error(`no action ${name}`);
    const replies: unknown[] = [];
    const reply = (data: unknown) => void replies.push(data);
    if (handler.length === 2) handler(param, reply);
    else (handler as unknown as (r: typeof reply) => void)(reply);
    return replies;
  }

  gauge(name: string): number | undefined {
    return this.gauges.get(name)?.value;
  }
}
