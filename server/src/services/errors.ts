import type { ErrorCode } from '@osprey/shared';

/**
 * Error raised by services with a code the transport maps once (tRPC middleware → TRPCError,
 * CLI → stderr + exit 1). The message is safe to show to the user.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  /** @param code what kind of failure; @param message user-facing text naming the field where relevant */
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
