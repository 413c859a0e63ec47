/** Types of server.mjs: serves the built inspector and a trace file or run folder on 127.0.0.1. */
export interface ServeOptions {
  /** A trace file (opened with `?trace=`) or a run folder with index.json (opened with `?run=`). */
  readonly root?: string;
  /** 0 (default) takes a free port. */
  readonly port?: number;
  /** The built inspector; default: this package's dist/. */
  readonly dist?: string;
}

export interface InspectorServer {
  /** http://127.0.0.1:PORT/?run=/data/index.json (or ?trace=/data/FILE, or no query). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_DIST: string;
export function contentTypeOf(path: string): string;
export function serveInspector(options?: ServeOptions): Promise<InspectorServer>;
