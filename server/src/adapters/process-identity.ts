/**
 * This process's identity for leases ({@link ProcessIdentity}) and a liveness probe for pids on this host.
 * Linux gives a boot id (`/proc/sys/kernel/random/boot_id`) and a PID namespace (`/proc/self/ns/pid`); elsewhere
 * the boot key is empty, so no lease holder is ever judged gone by pid there (leases are waited out).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ProcessIdentity } from '../domain/bots/lease.js';

let current: ProcessIdentity | null = null;

function bootKey(): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const ns = readlinkSync('/proc/self/ns/pid');
    return boot && ns ? `${boot} ${ns}` : '';
  } catch {
    return '';
  }
}

/** This process's identity (host, boot key, pid, and a nonce drawn once per process). */
export function currentProcess(): ProcessIdentity {
  current ??= { host: hostname(), boot: bootKey(), pid: process.pid, nonce: randomUUID() };
  return current;
}

/** Whether process `pid` exists on this host (signal 0); a process of another user (EPERM) counts as alive. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
