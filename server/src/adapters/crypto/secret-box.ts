/**
 * Encryption of stored secrets (exchange API keys) with AES-256-GCM.
 *
 * Format of a sealed value: `v1:<iv b64>:<tag b64>:<ciphertext b64>` — a fresh random 96-bit IV per value
 * (NIST SP 800-38D §8.2.2: random IVs are safe for up to 2^32 messages per key), the 128-bit GCM tag, and
 * the ciphertext (same length as the UTF-8 plaintext). Callers pass additional authenticated data (AAD), e.g.
 * the account id and field name, so a ciphertext copied into another row or column fails to open.
 *
 * The 32-byte key comes from `OSPREY_SECRET_KEY` (base64 or hex) or from a key file created at first start.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Name of the key file inside `OSPREY_DATA_DIR`. */
export const SECRET_KEY_FILE = 'secret.key';

/** Why a sealed value could not be opened. */
export type SecretBoxErrorCode = 'MALFORMED' | 'DECRYPT_FAILED';

/**
 * A sealed value could not be opened: `MALFORMED` (not a `v1:…` string of the right shape) or `DECRYPT_FAILED`
 * (tampered ciphertext, wrong additional data, or a different key). The message never contains the value.
 */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  /** @param code reason; @param message safe text */
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The secret key is unusable (bad `OSPREY_SECRET_KEY`, unreadable or too-open key file). Stops start-up. */
export class SecretKeyError extends Error {
  override readonly name = 'SecretKeyError';
}

/** Seals and opens short secrets with one 32-byte key. */
export class SecretBox {
  private readonly key: Buffer;

  /** @param key exactly 32 bytes; @throws SecretKeyError otherwise */
  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) throw new SecretKeyError(`secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  /**
   * Encrypts `plaintext` (UTF-8) bound to `aad`.
   * @returns `v1:<iv b64>:<tag b64>:<ciphertext b64>`
   */
  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
  }

  /**
   * Decrypts a value made by {@link seal} with the same `aad`.
   * @throws SecretBoxError MALFORMED for a value not in the `v1` format; DECRYPT_FAILED when the tag does not
   *   verify (tampered, other AAD, other key)
   */
  open(sealed: string, aad: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretBoxError('MALFORMED', 'sealed secret is not in the v1 format');
    const [, ivB64, tagB64, ctB64] = parts as [string, string, string, string];
    const iv = Buffer.from(ivB64, 'base64');
    const tag = Buffer.from(tagB64, 'base64');
    const ct = Buffer.from(ctB64, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('MALFORMED', 'sealed secret has a bad IV or tag length');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('DECRYPT_FAILED', 'sealed secret failed authentication (tampered, moved to another record, or encrypted with another key)');
    }
  }
}

/**
 * Parses a 32-byte key written as 64 hex digits or as base64 / base64url (44 chars with padding).
 * @param name what to call the value in the error (the env variable or the key file)
 * @throws SecretKeyError naming `name`, e.g. `OSPREY_SECRET_KEY: must be 32 bytes as base64 or hex …`
 */
export function parseSecretKey(value: string, name = 'OSPREY_SECRET_KEY'): Buffer {
  const s = value.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(s)) key = Buffer.from(s, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) key = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new SecretKeyError(`${name}: must be 32 bytes written as base64 (44 chars) or hex (64 chars); generate one with \`openssl rand -base64 32\``);
  }
  return key;
}

/** Where the key of {@link loadSecretKey} came from. */
export type SecretKeySource = 'env' | 'file' | 'ephemeral';

/**
 * Finds the secret key:
 * 1. `envKey` (the value of `OSPREY_SECRET_KEY`) when set;
 * 2. else `<dataDir>/secret.key`, created at first start with 32 random bytes (base64) and mode 0600, and
 *    reused afterwards (also when the database is Postgres: the key never goes into the database it protects);
 * 3. else, for an in-memory data dir (`memory://`, tests), a random key for this process only, with a warning.
 *
 * @param opts.warn receives a sentence when the key is ephemeral
 * @throws SecretKeyError for a bad `OSPREY_SECRET_KEY`, a key file that is not a valid key, or (POSIX) a key
 *   file readable or writable by group/others — like ssh, we refuse to use a key others may have read
 */
export function loadSecretKey(opts: { envKey?: string | undefined; dataDir: string; warn?: (msg: string) => void }): {
  key: Buffer;
  source: SecretKeySource;
  file?: string;
} {
  if (opts.envKey !== undefined && opts.envKey !== '') return { key: parseSecretKey(opts.envKey), source: 'env' };
  if (opts.dataDir.startsWith('memory://')) {
    opts.warn?.('no OSPREY_SECRET_KEY and an in-memory data dir: stored exchange secrets are encrypted with a key that lasts only for this process');
    return { key: randomBytes(KEY_BYTES), source: 'ephemeral' };
  }
  const file = path.join(opts.dataDir, SECRET_KEY_FILE);
  mkdirSync(opts.dataDir, { recursive: true });
  try {
    // `wx` fails when the file exists, so two processes starting at once cannot overwrite each other's key.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      throw new SecretKeyError(
        `${file}: permissions ${mode.toString(8).padStart(4, '0')} are too open (the secret key must be readable by its owner only); run \`chmod 600 ${file}\``,
      );
    }
  }
  return { key: parseSecretKey(readFileSync(file, 'utf8'), file), source: 'file', file };
}
