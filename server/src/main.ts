import { ConfigError, loadEnv } from './config/env.js';
import { createLogger } from './adapters/log.js';
import { createServices } from './services/container.js';
import { startHttpServer } from './http/server.js';

/** Process entry: parse env (fail fast), open services, serve, shut down cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(env.LOG_LEVEL);
  const services = await createServices(env, log);
  const http = await startHttpServer(services, env.PORT, env.HOST);
  services.start();
  log.info({ port: http.port, db: services.database.kind, feed: env.OSPREY_FEED }, `Osprey listening on http://localhost:${http.port}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    try {
      await http.close();
      await services.close();
      clearTimeout(force);
      log.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`Osprey failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
