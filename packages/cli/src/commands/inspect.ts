import { existsSync } from 'node:fs';
import { serveInspector } from '@ktls-lab/inspector/server';
import { EXIT, UsageError } from '../errors.js';

/**
 * `ktls-lab inspect [trace | run-folder]`: serves the built inspector on 127.0.0.1 (a free port
 * unless --port), with the trace or the folder written by `explore --out` under /data, prints the
 * URL, and serves until interrupted. A run folder opens on its first failing run.
 */
export async function inspectCommand(
  path: string | undefined,
  o: { port?: number },
): Promise<number> {
  if (path !== undefined && !existsSync(path))
    throw new UsageError(`inspect: ${path} does not exist`);
  let server: Awaited<ReturnType<typeof serveInspector>>;
  try {
    server = await serveInspector({
      ...(path !== undefined ? { root: path } : {}),
      ...(o.port !== undefined ? { port: o.port } : {}),
    });
  } catch (e) {
    throw new UsageError(`inspect: ${(e as Error).message}`);
  }
  process.stdout.write(`inspector: ${server.url}\n(Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT.ok;
}
