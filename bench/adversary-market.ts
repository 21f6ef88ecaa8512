/**
 * The market the adversary benchmark trades in, shared by the honest side (main
 * process) and the attackers (child process). Prices are cents, amounts sats.
 */

/** One lot: 0.01 BTC. Honest takes are one lot each. */
export const LOT = 1_000_000;
/** The honest maker's asks, taken by id (the latency samples). */
export const HONEST_PRICE = 5_000_000;
/** The silent maker's ask, and the honest orders that must trade beside it. */
export const SILENT_PRICE = 4_900_000;
/** A large honest ask the accept spam aims at (above the honest price: nobody crosses it). */
export const DECOY_PRICE = 5_100_000;
export const DECOY_AMOUNT = 1_000 * LOT;
/** Attackers' own orders rest far above everything else, so no honest node ever crosses them. */
export const ATTACK_PRICE_MIN = 6_000_000;

/** Where keyed attackers connect from, and where keyless sockets come from (loopback is all ours). */
export const ATTACK_HOST = '127.0.1.1';
export const KEYLESS_HOST = '127.0.2.1';
/** Where the eclipse attacker's listeners sit. */
export const LISTENER_HOST = '127.0.3.1';
