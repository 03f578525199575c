import { randomBytes } from 'node:crypto';
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { findControlChars, type ErrorCode, type TextIssue } from '@osprey/shared';
import { AppError } from '../services/errors.js';
import type { Context } from './context.js';

const CODE_MAP: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  VALIDATION: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  CONFLICT: 'CONFLICT',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** Input refused at the boundary before its schema ran (control characters), with one issue per field. */
export class InputFieldsError extends Error {
  override readonly name = 'InputFieldsError';
  constructor(readonly issues: TextIssue[]) {
    super(issues.map((i) => `${i.path || 'input'}: ${i.message}`).join('; '));
  }
}

const errorIds = new WeakMap<object, string>();
/**
 * The id of an internal error, made on first request and then stable for that error object: the client
 * gets it in the generic message ("Internal error (id 3f9c…)"), the log line carries it as `errorId`.
 */
export function errorIdOf(error: object): string {
  let id = errorIds.get(error);
  if (!id) {
    id = randomBytes(6).toString('hex');
    errorIds.set(error, id);
  }
  return id;
}

/** True when an error's own message must not reach a client (anything internal that is not an AppError). */
export function isHiddenInternal(error: TRPCError): boolean {
  return error.code === 'INTERNAL_SERVER_ERROR' && !(error.cause instanceof AppError);
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    const text = error.cause instanceof InputFieldsError ? error.cause.issues : null;
    const issues = zod ? zod.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) : text;
    // Internal failures (a database error with its query, a bug) get a generic message and an id that
    // the log line carries; their message, stack and cause never leave the server.
    const message = issues
      ? issues.map((i) => `${i.path || 'input'}: ${i.message}`).join('; ')
      : isHiddenInternal(error)
        ? `Internal error (id ${errorIdOf(error)}); the details are in the server log`
        : shape.message;
    return {
      ...shape,
      message,
      data: {
        ...shape.data,
        stack: undefined,
        // Field-level messages for forms: { "email": "must be a valid address" }.
        fieldErrors: issues ? Object.fromEntries(issues.map((i) => [i.path, i.message])) : undefined,
      },
    };
  },
});

/**
 * Refuses control characters anywhere in the raw input (strings and keys) before the schema runs, with a
 * BAD_REQUEST naming every offending field (see `findControlChars` in shared).
 */
const textGuard = t.middleware(async ({ getRawInput, next }) => {
  const raw = await getRawInput().catch(() => undefined);
  const issues = findControlChars(raw);
  if (issues.length) throw new TRPCError({ code: 'BAD_REQUEST', message: 'input has control characters', cause: new InputFieldsError(issues) });
  return next();
});

/** Translates service errors (AppError) into TRPCError once, for every procedure. */
const errorMapper = t.middleware(async ({ next }) => {
  const res = await next();
  if (!res.ok && res.error.cause instanceof AppError) {
    const cause = res.error.cause;
    throw new TRPCError({ code: CODE_MAP[cause.code], message: cause.message, cause });
  }
  return res;
});

/** Router factory. */
export const router = t.router;
/** Procedures open to anyone (login, health). */
export const publicProcedure = t.procedure.use(errorMapper).use(textGuard);
/** Procedures needing a logged-in user; `ctx.user` is non-null. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please log in' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
/** Procedures for admins only. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Admins only' });
  return next();
});
/** Server-side caller factory (tests, CLI). */
export const createCallerFactory = t.createCallerFactory;
