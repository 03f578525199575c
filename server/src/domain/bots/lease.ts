/**
 * Who holds a bot's lease, and whether that holder is known to be gone (pure: the liveness of a pid is asked
 * of the caller).
 *
 * The lease row (`bots.lease_owner`) records the holder's process identity — the BotService instance, the
 * host, a boot key (the kernel's boot id and PID namespace: pids compare only within one), the pid and a
 * random nonce drawn once per process — so that a process starting after a crash need not wait for the dead
 * holder's lease to expire: on the same host and boot, a holder whose pid is not alive is gone, and so is a
 * holder with this very process's pid but another nonce (a previous incarnation that had the same pid, as in
 * a restarted container). Anything else (another host, an unreadable owner, a live pid) is not known to be
 * gone: its lease is waited out.
 */

/** The identity of an operating-system process, as recorded in a lease. */
export interface ProcessIdentity {
  /** Host name. */
  host: string;
  /** Boot id and PID namespace of the host (pids are comparable only when this is equal); '' when unknown. */
  boot: string;
  /** Process id. */
  pid: number;
  /** Random, drawn once per process: tells two processes that had the same pid apart. */
  nonce: string;
}

/** A lease holder: a BotService instance in a process. */
export interface LeaseHolder extends ProcessIdentity {
  /** The BotService instance id (several may live in one process, e.g. in tests). */
  instance: string;
}

const PREFIX = 'osprey-lease:v1:';

/** The `lease_owner` text of a holder (a prefix, then JSON). */
export function encodeLeaseOwner(h: LeaseHolder): string {
  return PREFIX + JSON.stringify({ i: h.instance, h: h.host, b: h.boot, p: h.pid, n: h.nonce });
}

/**
 * The holder recorded in a `lease_owner` text, or null when it is not one {@link encodeLeaseOwner} wrote (an
 * owner written before process identities were recorded, or garbage).
 */
export function parseLeaseOwner(owner: string | null): LeaseHolder | null {
  if (owner === null || !owner.startsWith(PREFIX)) return null;
  try {
    const v = JSON.parse(owner.slice(PREFIX.length)) as Record<string, unknown>;
    if (typeof v.i !== 'string' || typeof v.h !== 'string' || typeof v.b !== 'string' || typeof v.n !== 'string') return null;
    if (typeof v.p !== 'number' || !Number.isInteger(v.p) || v.p <= 0) return null;
    return { instance: v.i, host: v.h, boot: v.b, pid: v.p, nonce: v.n };
  } catch {
    return null;
  }
}

/**
 * True when the holder's process is known to be gone, judged from process `me` (see the module doc): same
 * host and boot key (non-empty), and either the holder has `me`'s pid with another nonce, or `pidAlive` says
 * its pid is not alive. False whenever that cannot be known.
 * @param pidAlive whether a pid on this host is alive now (a pid of another user's process counts as alive)
 */
export function holderIsGone(holder: LeaseHolder, me: ProcessIdentity, pidAlive: (pid: number) => boolean): boolean {
  if (holder.host !== me.host || holder.boot === '' || holder.boot !== me.boot) return false;
  if (holder.pid === me.pid) return holder.nonce !== me.nonce;
  return !pidAlive(holder.pid);
}
