/**
 * `order.confirm`: the owner's answer to one accept — a grant (a trade) or a refusal.
 * It embeds the accept it answers, so every node checks that the taker really asked,
 * for this order, for at least what was granted.
 */
import type { TradeView } from '../api';
import { KIND, parseAccept, parseConfirm, type ConfirmData } from '../events';
import { applyOwnerUpdate, checkOwnerUpdate, tryParse, type OwnerChecked } from './owner-update';
import { INVALID, type KindHandler } from './types';

export const confirm: KindHandler<ConfirmData, OwnerChecked<ConfirmData>> = {
  kind: KIND.confirm,
  parse: parseConfirm,
  check(ev, data, _st, open) {
    const c = checkOwnerUpdate(ev, data, open);
    if (typeof c === 'string') return c;
    if (data.amount > data.filled) return INVALID.OVERFILL;
    if (data.taker === ev.origin) return INVALID.OWN_ORDER;
    // The answer must be to a real accept: signed by the taker, for this order, asking
    // at least what is granted.
    const acc = open(data.acceptBody, data.acceptSig);
    if (!acc || acc.kind !== KIND.accept || acc.id !== data.accept || acc.origin !== data.taker) return INVALID.BAD_ACCEPT;
    const asked = tryParse(() => parseAccept(acc.data, acc.raw.body.length));
    if (!asked || asked.order !== data.order) return INVALID.BAD_ACCEPT;
    if (data.amount > asked.amount) return INVALID.OVERGRANT;
    return c;
  },
  apply(ev, c, st, fx, arrival) {
    let trade: TradeView | null = null;
    const rec = applyOwnerUpdate(ev, c, KIND.confirm, st, fx, arrival, (r) => (trade = st.ledger.recordTrade(r, ev, c.data)));
    if (!rec) return false;
    if (trade) fx.traded(trade);
    if (c.data.taker === st.me) fx.answered(c.data, st.ledger.trade(c.data.accept) ?? null);
    return true;
  },
};
