import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const tsx = path.resolve(__dirname, '../node_modules/.bin/tsx');
const main = path.resolve(__dirname, '../src/main.ts');

describe('server process', () => {
  it('refuses to start on a bad variable, naming it, with a non-zero exit', () => {
    const r = spawnSync(tsx, [main], { encoding: 'utf8', env: { ...process.env, PORT: 'seventy', OSPREY_FEED: 'paper' }, timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PORT: /);
    expect(r.stderr).toMatch(/OSPREY_FEED: /);
  });

  it('starts on PGlite, prints a generated admin password once, serves /health, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'osprey-proc-'));
    try {
      const port = 3400 + Math.floor(Math.random() * 500);
      const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', OSPREY_DATA_DIR: dir, OSPREY_SYMBOLS: 'SOL/USDT', ADMIN_EMAIL: '', ADMIN_PASSWORD: '' };
      const child = spawn(tsx, [main], { env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      let health: any;
      for (let i = 0; i < 120 && !health; i++) {
        await new Promise((r) => setTimeout(r, 500));
        health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json()).catch(() => undefined);
      }
      expect(health).toMatchObject({ status: 'ok', db: { kind: 'pglite', ok: true }, feed: { kind: 'replay', symbols: ['SOL/USDT'] } });
      const m = out.match(/created admin admin@osprey\.local with password (\S+)/);
      expect(m).not.toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toMatch(/stopped cleanly/);
      // The password appears exactly once: printed, never logged.
      expect(out.split(m![1]!).length - 1).toBe(1);

      // Second start on the same data: no new admin, no password printed.
      const again = spawn(tsx, [main], { env });
      let out2 = '';
      again.stdout.on('data', (d) => (out2 += d));
      const exited2 = new Promise<number | null>((r) => again.on('exit', (code) => r(code)));
      for (let i = 0; i < 120 && !/listening/.test(out2); i++) await new Promise((r) => setTimeout(r, 250));
      again.kill('SIGINT');
      expect(await exited2).toBe(0);
      expect(out2).not.toMatch(/created admin/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
