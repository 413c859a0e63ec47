import { existsSync } from 'node:fs';
import { serveInspector } from '@ktls-lab/inspector/server';
import { EnvironmentError, EXIT, UsageError } from '../errors.js';
import { writeOut } from '../output.js';

/**
 * `ktls-lab inspect [trace | run-folder]`: serves the built inspector on 127.0.0.1 (a free port
 * unless --port), with the trace or the folder written by `explore --out` under /data, prints the
 * URL, and serves until interrupted. A run folder opens on its first failing run. Ctrl-C is how a
 * server is meant to end, so it exits 0; a port in use or not ours to bind is the machine's state
 * (exit 5, environment), as for `capture --listen`.
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
    const message = `inspect: ${(e as Error).message}`;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (/EADDRINUSE|EACCES|EADDRNOTAVAIL/.test(`${code} ${message}`))
      throw new EnvironmentError(message);
    throw new UsageError(message);
  }
  writeOut(`inspector: ${server.url}\n(Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT.ok;
}
