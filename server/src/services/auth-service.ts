import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { PublicUser, Role, SessionView } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import {
  countOtherEnabledAdmins,
  countUsers,
  deleteExpiredSessions,
  deleteSession,
  deleteUser,
  deleteUserSession,
  deleteUserSessions,
  findSessionUser,
  findUserByEmail,
  findUserById,
  insertSession,
  insertUser,
  listSessions,
  listUsers,
  toPublicUser,
  updateUser,
  userActivity,
  type UserRow,
} from '../adapters/db/repos/users-repo.js';
import type { Clock } from '../domain/ports.js';
import { AppError } from './errors.js';

/** argon2 parameters (OWASP 2024 minimum: m=19 MiB, t=2, p=1); @node-rs/argon2's default algorithm is argon2id. */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Name of the session cookie. */
export const SESSION_COOKIE = 'osprey_session';

/** Generic message for every failed login, so callers cannot probe which emails exist. */
export const BAD_CREDENTIALS = 'Invalid email or password';

/** A hash of a password nobody has, verified when the email is unknown so timing does not leak existence. */
let dummyHash: Promise<string> | undefined;

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/** SHA-256 hex of a session token: what the sessions table stores. */
export const sessionIdOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Options of {@link AuthService}. */
export interface AuthOptions {
  sessionDays: number;
  /** Failed attempts allowed per (ip, email) and per ip within `windowSec`. */
  maxFailuresPerEmail?: number;
  maxFailuresPerIp?: number;
  windowSec?: number;
}

/**
 * Users, passwords and sessions. Sessions are opaque random tokens (256 bit) in an HttpOnly cookie;
 * the database keeps only their SHA-256.
 */
export class AuthService {
  private readonly perEmail: RateLimiterMemory;
  private readonly perIp: RateLimiterMemory;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly opts: AuthOptions,
  ) {
    const duration = opts.windowSec ?? 15 * 60;
    this.perEmail = new RateLimiterMemory({ keyPrefix: 'login-email', points: opts.maxFailuresPerEmail ?? 5, duration });
    this.perIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: opts.maxFailuresPerIp ?? 30, duration });
  }

  /**
   * Checks credentials and opens a session.
   * @returns the user and the raw session token (for the cookie) with its expiry (Unix ms)
   * @throws AppError RATE_LIMITED after too many failures from this ip/email; UNAUTHENTICATED with a generic message
   */
  async login(email: string, password: string, ip: string, userAgent?: string): Promise<{ user: PublicUser; token: string; expiresAt: number }> {
    const emailKey = `${ip}|${email}`;
    // The attempt is counted before the password is checked, in one synchronous step per key (the
    // in-memory limiter has no await between read and write), so concurrent attempts cannot all pass
    // the check before any of them is counted. A success gives back only its own point: failures made
    // in the same burst stay counted.
    const refused = await this.consumeAttempt(emailKey, ip);
    if (refused !== null) throw new AppError('RATE_LIMITED', `Too many login attempts; try again in ${refused} s`);
    const user = await findUserByEmail(this.db, email);
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await verify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
    if (!user || !ok) throw new AppError('UNAUTHENTICATED', BAD_CREDENTIALS);
    await Promise.all([this.perEmail.reward(emailKey, 1).catch(ignore), this.perIp.reward(ip, 1).catch(ignore)]);
    // Said only to someone who knows the password, so it reveals nothing to a guesser.
    if (user.disabledAt !== null) throw new AppError('UNAUTHENTICATED', 'This user is disabled; ask an admin');
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = now + this.opts.sessionDays * 86_400_000;
    await insertSession(this.db, { id: sessionIdOf(token), userId: user.id, createdAt: now, expiresAt, ip, userAgent: userAgent ?? null });
    await deleteExpiredSessions(this.db, now);
    return { user: toPublicUser(user), token, expiresAt };
  }

  /**
   * Counts one login attempt against both limits. `consume` adds the point synchronously inside its
   * promise executor, before anything awaits, so of N concurrent attempts exactly the allowed number pass.
   * @returns null when the attempt may go on, else the seconds until the next is allowed
   */
  private async consumeAttempt(emailKey: string, ip: string): Promise<number | null> {
    const results = await Promise.allSettled([this.perEmail.consume(emailKey, 1), this.perIp.consume(ip, 1)]);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (!refused.length) return null;
    const wait = Math.max(...refused.map((r) => (r instanceof RateLimiterRes ? r.msBeforeNext : 1000)));
    return Math.max(1, Math.ceil(wait / 1000));
  }

  /** The user of a session token, or null when missing/expired. */
  async userForToken(token: string | undefined): Promise<PublicUser | null> {
    if (!token) return null;
    const u = await findSessionUser(this.db, sessionIdOf(token), this.clock.now());
    return u ? toPublicUser(u) : null;
  }

  /** Ends a session (no error if it does not exist). */
  async logout(token: string | undefined): Promise<void> {
    if (token) await deleteSession(this.db, sessionIdOf(token));
  }

  /**
   * Creates a user with an argon2id hash.
   * @throws AppError CONFLICT when the email exists
   */
  async addUser(email: string, password: string, role: Role): Promise<PublicUser> {
    if (await findUserByEmail(this.db, email)) throw new AppError('CONFLICT', `email: a user with ${email} already exists`);
    const row = await insertUser(this.db, {
      id: randomUUID(),
      email,
      passwordHash: await hashPassword(password),
      role,
      createdAt: this.clock.now(),
    });
    return toPublicUser(row);
  }

  /**
   * Changes a user's role.
   * @throws AppError NOT_FOUND for an unknown user; CONFLICT when it would leave no enabled admin
   */
  async setRole(userId: string, role: Role): Promise<PublicUser> {
    const user = await this.requireUser(userId);
    if (user.role === 'admin' && role !== 'admin') await this.keepAnAdmin(user, 'change the role of');
    return toPublicUser((await updateUser(this.db, userId, { role }))!);
  }

  /**
   * Disables (ending every session of the user at once) or re-enables a user. Their bots keep running.
   * @throws AppError NOT_FOUND; CONFLICT for yourself or the last enabled admin
   */
  async setDisabled(actorId: string, userId: string, disabled: boolean): Promise<PublicUser> {
    const user = await this.requireUser(userId);
    if (disabled && userId === actorId) throw new AppError('CONFLICT', 'userId: you cannot disable yourself');
    if (disabled && user.role === 'admin') await this.keepAnAdmin(user, 'disable');
    const row = await updateUser(this.db, userId, { disabledAt: disabled ? (user.disabledAt ?? this.clock.now()) : null });
    if (disabled) await deleteUserSessions(this.db, userId);
    return toPublicUser(row!);
  }

  /**
   * Deletes a user with their accounts, bots and history. Refused while they have running bots or open
   * trades (that would leave orders and positions on a venue with nobody watching them): stop them first,
   * or disable the user instead.
   * @throws AppError NOT_FOUND; CONFLICT for yourself, the last enabled admin, or a user with running bots / open trades
   */
  async removeUser(actorId: string, userId: string): Promise<void> {
    const user = await this.requireUser(userId);
    if (userId === actorId) throw new AppError('CONFLICT', 'userId: you cannot delete yourself');
    if (user.role === 'admin') await this.keepAnAdmin(user, 'delete');
    const { runningBots, openTrades } = await userActivity(this.db, userId);
    const open = [
      runningBots.length ? `${runningBots.length} running bot${runningBots.length > 1 ? 's' : ''} (${runningBots.join(', ')})` : '',
      openTrades ? `${openTrades} open trade${openTrades > 1 ? 's' : ''}` : '',
    ].filter(Boolean);
    if (open.length) throw new AppError('CONFLICT', `${user.email} still has ${open.join(' and ')}; stop them first, or disable the user instead`);
    await deleteUser(this.db, userId);
  }

  /**
   * Sets a new password for a user (admin), ending all their sessions.
   * @returns the generated password when none was given (shown once), else null
   * @throws AppError NOT_FOUND
   */
  async resetPassword(userId: string, password: string | undefined): Promise<{ generatedPassword: string | null }> {
    await this.requireUser(userId);
    const generated = password ? null : randomBytes(12).toString('base64url');
    await updateUser(this.db, userId, { passwordHash: await hashPassword(password ?? generated!) });
    await deleteUserSessions(this.db, userId);
    return { generatedPassword: generated };
  }

  /**
   * Changes your own password after checking the current one (counted like a login attempt), and ends your
   * other sessions; the one making the request stays.
   * @throws AppError RATE_LIMITED; VALIDATION (field `currentPassword`) when the current password is wrong
   */
  async changePassword(userId: string, currentSessionId: string | undefined, current: string, next: string, ip: string): Promise<void> {
    const user = await this.requireUser(userId);
    const key = `${ip}|${user.email}`;
    const refused = await this.consumeAttempt(key, ip);
    if (refused !== null) throw new AppError('RATE_LIMITED', `Too many attempts; try again in ${refused} s`);
    if (!(await verify(user.passwordHash, current).catch(() => false))) throw new AppError('VALIDATION', 'currentPassword: is not your current password');
    await Promise.all([this.perEmail.reward(key, 1).catch(ignore), this.perIp.reward(ip, 1).catch(ignore)]);
    await updateUser(this.db, userId, { passwordHash: await hashPassword(next) });
    await deleteUserSessions(this.db, userId, currentSessionId);
  }

  /** A user's live sessions, most recently used first; `current` marks the one with `currentSessionId`. */
  async sessions(userId: string, currentSessionId: string | undefined): Promise<SessionView[]> {
    const rows = await listSessions(this.db, userId, this.clock.now());
    return rows.map((r) => ({ id: r.id, createdAt: r.createdAt, expiresAt: r.expiresAt, lastSeenAt: r.lastSeenAt ?? null, ip: r.ip, userAgent: r.userAgent, current: r.id === currentSessionId }));
  }

  /**
   * Ends one session of a user (it stops working at its next request).
   * @throws AppError NOT_FOUND when the user has no such session
   */
  async revokeSession(userId: string, sessionId: string): Promise<void> {
    if (!(await deleteUserSession(this.db, userId, sessionId))) throw new AppError('NOT_FOUND', 'sessionId: no such session');
  }

  private async requireUser(userId: string): Promise<UserRow> {
    const user = await findUserById(this.db, userId);
    if (!user) throw new AppError('NOT_FOUND', 'userId: no such user');
    return user;
  }

  /** @throws AppError CONFLICT when `user` is the only enabled admin */
  private async keepAnAdmin(user: UserRow, verb: string): Promise<void> {
    if ((await countOtherEnabledAdmins(this.db, user.id)) === 0) throw new AppError('CONFLICT', `userId: cannot ${verb} the last enabled admin`);
  }

  /** All users (public fields). */
  async listUsers(): Promise<PublicUser[]> {
    return (await listUsers(this.db)).map(toPublicUser);
  }

  /**
   * Creates the first admin when there are no users: from the given email/password, or with a random
   * password that is returned so the caller prints it once.
   * @returns null when users already exist
   */
  async ensureFirstAdmin(email: string | undefined, password: string | undefined): Promise<{ email: string; generatedPassword?: string } | null> {
    if ((await countUsers(this.db)) > 0) return null;
    const adminEmail = email ?? 'admin@osprey.local';
    const generated = password ? undefined : randomBytes(12).toString('base64url');
    await this.addUser(adminEmail, password ?? generated!, 'admin');
    return generated ? { email: adminEmail, generatedPassword: generated } : { email: adminEmail };
  }
}

function ignore(e: unknown): void {
  if (e instanceof RateLimiterRes) return;
}
