/** connect: dial a peer and answer once its handshake is done (or why it failed). */
import type { ExchangeApi } from '../exchange/api';
import { parseAddress, checkHost, checkPort } from './address';
import { ok, OperatorCode, ParamError, type OkReply } from './reply';
import { isAbsent, parseObject } from './params';
import { peerReply } from './views';

/**
 * `connect 127.0.0.1:3002` (the CLI form), `{"address":"127.0.0.1:3002"}` (the same
 * as JSON, so it can carry a `ref`), or `{"host":"127.0.0.1","port":3002}`.
 */
export async function connect(exchange: ExchangeApi, param: unknown): Promise<OkReply> {
  const { host, port } = parseConnectParam(param);
  const peer = await exchange.connect(host, port);
  return ok({ peer: peerReply(peer) });
}

export function parseConnectParam(param: unknown): { host: string; port: number } {
  if (isAbsent(param)) {
    throw new ParamError(OperatorCode.BAD_PARAM, 'connect needs an address: connect 127.0.0.1:3002');
  }
  let value = param;
  if (typeof value === 'string') {
    const text = value.trim();
    // The CLI form is bare `host:port`, which is not JSON; anything that looks like
    // JSON (object or quoted string) is parsed as JSON instead.
    if (!text.startsWith('{') && !text.startsWith('"')) return addressOrThrow(text);
    try {
      value = JSON.parse(text);
    } catch {
      throw new ParamError(OperatorCode.BAD_PARAM_JSON, `connect: param is not JSON: ${text.slice(0, 60)}`);
    }
    if (typeof value === 'string') return addressOrThrow(value);
  }
  const obj = parseObject(value, 'connect', ['address', 'host', 'port']);
  if (obj.address !== undefined) {
    if (obj.host !== undefined || obj.port !== undefined) {
      throw new ParamError(OperatorCode.BAD_PARAM, 'give either "address" or "host" and "port", not both', 'address');
    }
    if (typeof obj.address !== 'string') throw new ParamError(OperatorCode.BAD_PARAM, '"address" must be a string like "127.0.0.1:3002"', 'address');
    return addressOrThrow(obj.address, 'address');
  }
  if (typeof obj.host !== 'string') throw new ParamError(OperatorCode.BAD_PARAM, '"host" must be a string', 'host');
  const hostProblem = checkHost(obj.host);
  if (hostProblem !== null) throw new ParamError(OperatorCode.BAD_PARAM, hostProblem, 'host');
  const portProblem = checkPort(obj.port);
  if (portProblem !== null) throw new ParamError(OperatorCode.BAD_PARAM, portProblem, 'port');
  return { host: obj.host, port: obj.port as number };
}

function addressOrThrow(text: string, field?: string): { host: string; port: number } {
  const parsed = parseAddress(text);
  if (typeof parsed === 'string') throw new ParamError(OperatorCode.BAD_PARAM, parsed, field);
  return parsed;
}
