import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';
import type { PublicUser } from '@osprey/shared';
import { SESSION_COOKIE } from '../services/auth-service.js';
import type { Services } from '../services/container.js';

/** Per-request context: services, the session user (or null), and cookie plumbing for HTTP requests. */
export interface Context {
  services: Services;
  user: PublicUser | null;
  /** Raw session token from the cookie, if any. */
  sessionToken: string | undefined;
  /** Client address (rate limiting, sessions list). */
  ip: string;
  /** The request's User-Agent header (sessions list), or undefined. */
  userAgent: string | undefined;
  /** Appends a Set-Cookie header; undefined on WebSocket connections. */
  setCookie: ((value: string) => void) | undefined;
}

/**
 * Builds the context from a Node request (HTTP or WebSocket upgrade). Used by both adapters and,
 * with a fake request, by tests through `createCaller`.
 */
export async function createContext(
  services: Services,
  req: IncomingMessage,
  setCookie: ((value: string) => void) | undefined,
): Promise<Context> {
  const cookies = parseCookie(req.headers.cookie ?? '');
  const sessionToken = cookies[SESSION_COOKIE];
  const user = await services.auth.userForToken(sessionToken);
  const ua = req.headers['user-agent'];
  return { services, user, sessionToken, ip: req.socket?.remoteAddress ?? 'unknown', userAgent: typeof ua === 'string' ? ua : undefined, setCookie };
}
