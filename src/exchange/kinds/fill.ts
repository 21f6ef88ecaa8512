/**
 * `order.fill`: the owner's own order took liquidity (it was the newer of two crossing
 * orders). Records the fill on the taking order; the trade itself is the maker's confirm.
 */
import { KIND, parseFill, type FillData } from '../events';
import { applyOwnerUpdate, checkOwnerUpdate, type OwnerChecked } from './owner-update';
import { INVALID, type KindHandler } from './types';

export const fill: KindHandler<FillData, OwnerChecked<FillData>> = {
  kind: KIND.fill,
  parse: parseFill,
  check(ev, data, _st, open) {
    const c = checkOwnerUpdate(ev, data, open);
    if (typeof c === 'string') return c;
    if (data.amount > data.filled) return INVALID.OVERFILL;
    return c;
  },
  apply(ev, c, st, fx, arrival) {
    return applyOwnerUpdate(ev, c, KIND.fill, st, fx, arrival, (rec) => st.ledger.recordFill(rec, c.data)) !== null;
  },
};
