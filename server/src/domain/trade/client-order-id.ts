/**
 * Deterministic clientOrderIds. Every order Osprey places carries one, derived from what it is for, so a
 * retried or restarted runner recognises orders it already placed and never doubles one.
 * Format: `o` + owner id (letters/digits) + role letter + sequence in base 36; only [A-Za-z0-9] and at most
 * 32 characters, which every venue we target accepts (OKX `clOrdId`: 1–32 alphanumerics; Binance: ≤ 36).
 */

/** What an order does within a trade. */
export type OrderRole = 'entry' | 'add' | 'stop' | 'target' | 'close';

const ROLE_LETTER: Record<OrderRole, string> = { entry: 'e', add: 'a', stop: 's', target: 't', close: 'c' };

/**
 * @param ownerId trade (or bot) id; non-alphanumerics are dropped, and it is cut to 24 characters
 * @param role the order's purpose
 * @param seq per-owner sequence number (≥ 0)
 * @throws RangeError when the owner id has no alphanumerics or seq is negative
 */
export function clientOrderId(ownerId: string, role: OrderRole, seq: number): string {
  const owner = ownerId.replace(/[^A-Za-z0-9]/g, '').slice(0, 24);
  if (!owner) throw new RangeError('ownerId must contain letters or digits');
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError('seq must be a non-negative integer');
  return `o${owner}${ROLE_LETTER[role]}${seq.toString(36)}`;
}
