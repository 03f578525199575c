import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../config/env.js';
import { SECRET_KEY_FILE, SecretBox, SecretBoxError, SecretKeyError, loadSecretKey, parseSecretKey } from './secret-box.js';

const box = new SecretBox(randomBytes(32));
const AAD = 'exchange_accounts:acc-1:apiKey';

/** Flips one bit of the base64 field `index` (1 iv, 2 tag, 3 ciphertext) of a sealed value. */
function flip(sealed: string, index: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[index]!, 'base64');
  bytes[0] = bytes[0]! ^ 1;
  parts[index] = bytes.toString('base64');
  return parts.join(':');
}

describe('SecretBox', () => {
  it('round-trips UTF-8 text in the v1 format without the plaintext in it', () => {
    const secret = 'sk-live-ÄÖ-密钥-0123456789abcdef';
    const sealed = box.seal(secret, AAD);
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(sealed).not.toContain(secret);
    const [, iv, tag] = sealed.split(':');
    expect(Buffer.from(iv!, 'base64')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64')).toHaveLength(16);
    expect(box.open(sealed, AAD)).toBe(secret);
    expect(box.open(box.seal('', AAD), AAD)).toBe('');
  });

  it('uses a fresh random IV: sealing the same value twice gives different ciphertexts', () => {
    const a = box.seal('same-secret', AAD);
    const b = box.seal('same-secret', AAD);
    expect(a).not.toBe(b);
    expect(a.split(':')[1]).not.toBe(b.split(':')[1]);
    expect(box.open(a, AAD)).toBe(box.open(b, AAD));
  });

  it('rejects a tampered IV, tag or ciphertext with a typed DECRYPT_FAILED error', () => {
    const sealed = box.seal('api-secret-value', AAD);
    for (const i of [1, 2, 3]) {
      const err = catchErr(() => box.open(flip(sealed, i), AAD));
      expect(err).toBeInstanceOf(SecretBoxError);
      expect((err as SecretBoxError).code).toBe('DECRYPT_FAILED');
      expect((err as Error).message).not.toContain('api-secret-value');
    }
  });

  it('rejects other additional data (a ciphertext moved to another account or column)', () => {
    const sealed = box.seal('api-secret-value', AAD);
    expect(catchErr(() => box.open(sealed, 'exchange_accounts:acc-2:apiKey'))).toMatchObject({ name: 'SecretBoxError', code: 'DECRYPT_FAILED' });
    expect(catchErr(() => box.open(sealed, 'exchange_accounts:acc-1:secret'))).toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('rejects another key and malformed values', () => {
    const sealed = box.seal('x', AAD);
    expect(catchErr(() => new SecretBox(randomBytes(32)).open(sealed, AAD))).toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(catchErr(() => box.open('plaintext', AAD))).toMatchObject({ code: 'MALFORMED' });
    expect(catchErr(() => box.open(sealed.replace(/^v1/, 'v9'), AAD))).toMatchObject({ code: 'MALFORMED' });
    expect(catchErr(() => box.open('v1:AAAA:AAAA:AAAA', AAD))).toMatchObject({ code: 'MALFORMED' });
    expect(() => new SecretBox(randomBytes(16))).toThrow(SecretKeyError);
  });
});

describe('secret key', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'osprey-key-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('parses 32 bytes as hex, base64 and base64url', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(` ${key.toString('base64url')}\n`)).toEqual(key);
  });

  it('names OSPREY_SECRET_KEY when the value is bad, both in the env parser and the loader', () => {
    for (const bad of ['short', randomBytes(16).toString('base64'), randomBytes(31).toString('hex'), 'z'.repeat(64)]) {
      expect(() => parseSecretKey(bad)).toThrow(/^OSPREY_SECRET_KEY: must be 32 bytes/);
      expect(() => loadSecretKey({ envKey: bad, dataDir: tempDir() })).toThrow(SecretKeyError);
      const err = catchErr(() => loadEnv({ OSPREY_SECRET_KEY: bad }));
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/OSPREY_SECRET_KEY: must be 32 bytes/);
      expect((err as Error).message).not.toContain(bad);
    }
    const good = randomBytes(32).toString('base64');
    expect(loadEnv({ OSPREY_SECRET_KEY: good }).OSPREY_SECRET_KEY).toBe(good);
  });

  it('prefers OSPREY_SECRET_KEY and then creates no key file', () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const r = loadSecretKey({ envKey: key.toString('hex'), dataDir: dir });
    expect(r).toMatchObject({ source: 'env' });
    expect(r.key).toEqual(key);
    expect(() => statSync(path.join(dir, SECRET_KEY_FILE))).toThrow();
  });

  it('creates <dataDir>/secret.key with mode 0600 at first start and reuses it afterwards', () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const first = loadSecretKey({ dataDir: dir });
    const file = path.join(dir, SECRET_KEY_FILE);
    expect(first).toMatchObject({ source: 'file', file });
    expect(first.key).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseSecretKey(readFileSync(file, 'utf8'))).toEqual(first.key);
    const second = loadSecretKey({ dataDir: dir });
    expect(second.key).toEqual(first.key);
    // A value sealed before the "restart" opens after it.
    const sealed = new SecretBox(first.key).seal('persisted', AAD);
    expect(new SecretBox(second.key).open(sealed, AAD)).toBe('persisted');
  });

  it.skipIf(process.platform === 'win32')('refuses a key file readable by others, naming the file and the fix', () => {
    const dir = tempDir();
    loadSecretKey({ dataDir: dir });
    const file = path.join(dir, SECRET_KEY_FILE);
    chmodSync(file, 0o644);
    const err = catchErr(() => loadSecretKey({ dataDir: dir }));
    expect(err).toBeInstanceOf(SecretKeyError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain('chmod 600');
  });

  it('refuses a corrupt key file, naming it', () => {
    const dir = tempDir();
    const file = path.join(dir, SECRET_KEY_FILE);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    expect(() => loadSecretKey({ dataDir: dir })).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: must be 32 bytes`));
  });

  it('uses a process-only key with a warning for an in-memory data dir', () => {
    const warnings: string[] = [];
    const a = loadSecretKey({ dataDir: 'memory://', warn: (m) => warnings.push(m) });
    const b = loadSecretKey({ dataDir: 'memory://' });
    expect(a.source).toBe('ephemeral');
    expect(a.key).not.toEqual(b.key);
    expect(warnings[0]).toMatch(/OSPREY_SECRET_KEY/);
  });
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
