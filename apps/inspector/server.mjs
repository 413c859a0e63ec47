#!/usr/bin/env node
/**
 * Serves the built inspector (dist/) and one trace file or run folder under /data/ on 127.0.0.1,
 * for `ktls-lab inspect`. node:http and node:fs only.
 *
 * Safety: it listens on the loopback address only; it answers GET and HEAD only; a request path
 * is resolved and then checked (after following symlinks) to lie inside dist/ or the data root,
 * so `..`, encoded `%2e%2e`, absolute paths and symlinks cannot reach other files; and the Host
 * header must name the loopback address, so a web page cannot reach the server through DNS
 * rebinding.
 *
 * Resources: a file is opened before the answer starts (so an unreadable one gets a status and a
 * one-line reason, not a cut connection) and streamed with `pipeline`, which closes the file when
 * the response ends, fails or the client goes away; `pipe` left the descriptor open on an aborted
 * request. Names are URL-encoded on the way out (the URL printed for a single file) and decoded
 * on the way in, so `#`, `?`, `%`, spaces and any Unicode work.
 *
 * Usage as a library:
 *   const { url, close } = await serveInspector({ root: 'out/' });
 * Usage as a script (tests, manual runs):
 *   node server.mjs [--port N] [--dist DIR] [trace.ndjson | run-folder]
 */
import { constants, existsSync, promises as fsp } from 'node:fs';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DIST = join(HERE, 'dist');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(path) {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Where the inspector should open for `root`: `?run=/data/index.json` for a run folder (a directory
 * with index.json), `?trace=/data/<file>` for a trace file, nothing without a root.
 */
async function describeRoot(root) {
  if (root === undefined) return { dataDir: null, onlyFile: null, query: '' };
  const abs = resolve(root);
  let st;
  try {
    st = await fsp.stat(abs);
  } catch (e) {
    throw new Error(
      `cannot open ${root}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`,
    );
  }
  if (st.isDirectory()) {
    try {
      await fsp.access(abs, constants.R_OK | constants.X_OK);
    } catch (e) {
      throw new Error(`cannot read ${root}: ${reason(e)}`);
    }
    if (!existsSync(join(abs, 'index.json'))) {
      throw new Error(
        `${root} is a directory without index.json: expected a run folder written by \`ktls-lab explore --out DIR\`, or a trace file`,
      );
    }
    return { dataDir: await fsp.realpath(abs), onlyFile: null, query: '?run=/data/index.json' };
  }
  if (!st.isFile()) throw new Error(`${root} is neither a file nor a directory`);
  try {
    await fsp.access(abs, constants.R_OK);
  } catch (e) {
    throw new Error(`cannot read ${root}: ${reason(e)}`);
  }
  const real = await fsp.realpath(abs);
  // A single file: serve that file only, not its neighbours. The query value is decoded once by
  // the app (URLSearchParams) and once more by this server, so the name is encoded twice.
  return {
    dataDir: dirname(real),
    onlyFile: basename(real),
    query: `?trace=/data/${encodeURIComponent(encodeURIComponent(basename(real)))}`,
  };
}

/** A one-line reason for a failed file-system call. */
function reason(e) {
  const why = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a component of the path is not a directory',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'name too long',
  };
  return why[e?.code] ? `${why[e.code]} (${e.code})` : String(e?.message ?? e);
}

/**
 * `rel` opened inside `base` (after symlinks), or why not: `{ status, message }`. Anything that
 * would leave `base` is "not found", exactly like a missing file, so probing tells nothing.
 */
async function openInside(base, rel) {
  const notFound = { status: 404, message: 'not found' };
  const candidate = resolve(base, `.${sep}${rel}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return notFound;
  const failed = (e) =>
    e?.code === 'EACCES' || e?.code === 'EPERM'
      ? { status: 403, message: `cannot read ${JSON.stringify(rel)}: ${reason(e)}` }
      : e?.code === 'ENOENT' || e?.code === 'ENOTDIR'
        ? notFound
        : { status: 500, message: `cannot read ${JSON.stringify(rel)}: ${reason(e)}` };
  let real;
  try {
    real = await fsp.realpath(candidate);
  } catch (e) {
    return failed(e);
  }
  if (real !== base && !real.startsWith(base + sep)) return notFound;
  try {
    // stat before open: opening a FIFO or a device would block or read forever.
    if (!(await fsp.stat(real)).isFile()) return notFound;
    const file = await fsp.open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = await file.stat();
      return { file, path: real, size: st.size };
    } catch (e) {
      await file.close();
      return failed(e);
    }
  } catch (e) {
    return failed(e);
  }
}

/**
 * Starts the server. `root` is a trace file or a run folder (optional: without it the inspector
 * opens empty and the user drops files). `port` 0 (the default) takes a free port.
 * @param {{ root?: string, port?: number, dist?: string }} [options]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export async function serveInspector(options = {}) {
  const distDir = resolve(options.dist ?? DEFAULT_DIST);
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(
      `the inspector is not built (${join(distDir, 'index.html')} is missing): run \`pnpm --filter @ktls-lab/inspector build\``,
    );
  }
  const dist = await fsp.realpath(distDir);
  const data = await describeRoot(options.root);
  let port = 0;

  const server = createServer(async (req, res) => {
    const send = (status, text) => {
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return send(405, 'method not allowed');
      }
      const host = (req.headers.host ?? '').toLowerCase();
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
        return send(403, 'forbidden host');
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      let pathname;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return send(400, 'bad path');
      }
      if (pathname.includes('\0')) return send(400, 'bad path');

      let found = { status: 404, message: 'not found' };
      if (pathname.startsWith('/data/')) {
        const rel = pathname.slice('/data/'.length);
        if (data.dataDir !== null && (data.onlyFile === null || rel === data.onlyFile)) {
          found = await openInside(data.dataDir, rel);
        }
      } else {
        found = await openInside(dist, pathname === '/' ? 'index.html' : pathname.slice(1));
      }
      if (!found.file) return send(found.status, found.message);
      const { file } = found;
      if (req.method === 'HEAD' || res.destroyed) {
        await file.close();
        if (res.destroyed) return;
      }
      res.writeHead(200, {
        'content-type': contentTypeOf(found.path),
        'content-length': found.size,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') return res.end();
      // pipeline destroys the file stream (closing the descriptor) when the response finishes,
      // fails, or the client aborts; the file stream closes its handle at end (autoClose).
      pipeline(file.createReadStream(), res, () => {});
    } catch {
      if (!res.headersSent) send(500, 'internal error');
      else res.destroy();
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}/${data.query}`,
    port,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections?.();
      }),
  };
}

// Script mode: `node server.mjs [--port N] [--dist DIR] [root]` prints the URL and serves until killed.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let port = 0;
  let root;
  let dist;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else if (args[i] === '--dist') dist = args[++i];
    else root = args[i];
  }
  serveInspector({ root, port, ...(dist ? { dist } : {}) }).then(
    ({ url }) => console.log(`inspector: ${url}`),
    (e) => {
      console.error(`inspector: ${e.message}`);
      process.exit(1);
    },
  );
}
