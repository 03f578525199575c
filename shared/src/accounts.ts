/**
 * Deleting an exchange account: what is still open on it (`accounts.deletionCheck`) and the delete itself
 * (`accounts.remove`), which is refused while anything is open unless asked to stop and cancel it first.
 */
import { z } from 'zod';
import { accountIdSchema, type AccountMode, type MarketType } from './trading.js';

/** Input of `accounts.deletionCheck`: the account to look at. */
export const accountDeletionCheckInputSchema = z.object({ id: accountIdSchema });

/**
 * Input of `accounts.remove`. `stopAndCancel` (default false): first stop the account's running bots (cancelling
 * their orders), cancel its armed pending orders and every open order, then delete. Without it the delete is
 * refused (CONFLICT) while a bot runs or anything is open (see {@link AccountDeletionCheck}).
 */
export const accountRemoveInputSchema = z.object({
  id: accountIdSchema,
  stopAndCancel: z.boolean('stopAndCancel must be true or false').default(false),
});

/** Parsed input of `accounts.remove`. */
export type AccountRemoveInput = z.infer<typeof accountRemoveInputSchema>;

/** A running bot named in an {@link AccountDeletionCheck}. */
export interface DeletionCheckBot {
  id: string;
  name: string;
}

/**
 * What is still open on an account, as `accounts.deletionCheck` answers it and as `accounts.remove` checks it.
 * Counts are whole numbers.
 */
export interface AccountDeletionCheck {
  accountId: string;
  name: string;
  mode: AccountMode;
  marketType: MarketType;
  /** The account's bots with status `running`, oldest first. */
  runningBots: DeletionCheckBot[];
  /**
   * Open orders Osprey placed or tracks on the account: open in Osprey's order records (manual trades, their
   * stop-loss and take-profit orders, bots' orders) plus, when the venue answered, its open orders carrying a
   * bot's clientOrderId; each order counted once.
   */
  openOrders: number;
  /**
   * Positions held: on perpetuals (`swap`) the venue's open positions (when it answered); on spot the positions
   * the account's bots hold plus the filled active trades.
   */
  positions: number;
  /** Osprey trades still opening or open (their stop-loss and take-profit orders are among `openOrders`). */
  activeTrades: number;
  /** Armed pending orders (Osprey-side price triggers, never at the venue; they go with the account). */
  pendingOrders: number;
  /**
   * Why the venue could not be asked (the counts are then Osprey's records only), e.g. "The exchange did not
   * answer in time…"; null when it answered (always null on paper accounts).
   */
  venueError: string | null;
  /**
   * What blocks a plain delete, in plain words, e.g. `["2 bots running (Grid A, DCA B)", "3 open orders",
   * "1 position", "1 active trade"]`; empty when the account can be deleted as it is.
   */
  blockers: string[];
  /** `blockers` is empty: `accounts.remove` without `stopAndCancel` will go through. */
  canDelete: boolean;
}

/** What `accounts.remove` answers: the deleted account's id and what it stopped and cancelled first. */
export interface AccountRemoveResult {
  id: string;
  /** Names of the bots it stopped (with their orders cancelled); empty without `stopAndCancel`. */
  stoppedBots: string[];
  /** How many open orders it cancelled at the venue (bots' orders included), and pending orders. */
  cancelledOrders: number;
  cancelledPending: number;
}
