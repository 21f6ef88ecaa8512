/** `order.cancel`: the owner withdraws its order (or restates the final state of one it pruned). */
import { KIND, parseCancel, type CancelData } from '../events';
import { applyOwnerUpdate, checkOwnerUpdate, type OwnerChecked } from './owner-update';
import type { KindHandler } from './types';

export const cancel: KindHandler<CancelData, OwnerChecked<CancelData>> = {
  kind: KIND.cancel,
  parse: parseCancel,
  check: (ev, data, _st, open) => checkOwnerUpdate(ev, data, open),
  apply: (ev, c, st, fx, arrival) => applyOwnerUpdate(ev, c, KIND.cancel, st, fx, arrival) !== null,
};
