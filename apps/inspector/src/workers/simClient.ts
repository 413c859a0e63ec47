import type { SimJob, SimReply, SimResult } from './simProtocol';

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, (r: SimResult) => void>();

/** Runs one simulation in the worker (created on first use: most sessions never run one). */
export function simulate(job: SimJob): Promise<SimResult> {
  if (!worker) {
    worker = new Worker(new URL('./sim.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }: MessageEvent<SimReply>) => {
      const resolve = pending.get(data.id);
      pending.delete(data.id);
      const { id: _id, ...result } = data;
      resolve?.(result as SimResult);
    };
    worker.onerror = (e) => {
      for (const r of pending.values())
        r({ ok: false, message: `simulator stopped: ${e.message}` });
      pending.clear();
      worker?.terminate();
      worker = null;
    };
  }
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker!.postMessage({ ...job, id });
  });
}
