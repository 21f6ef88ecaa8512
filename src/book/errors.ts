/** Why the book refused an operation. Callers check `instanceof BookError` and `code`. */
export type BookErrorCode =
  /** add() with an id already in the book. */
  | 'DUPLICATE_ID'
  /** reduce() of an id that is not in the book. */
  | 'UNKNOWN_ORDER'
  /** reduce() by more than the order's remaining amount. */
  | 'OVERFILL'
  /** A field that is not what the book stores: bad side, non-integer or out-of-range money, empty id. */
  | 'INVALID_ORDER'
  /** match() of a limit order without the id and ts its remainder would rest under. */
  | 'MISSING_ID';

export class BookError extends Error {
  override name = 'BookError';
  constructor(
    readonly code: BookErrorCode,
    message: string,
  ) {
    super(message);
  }
}
