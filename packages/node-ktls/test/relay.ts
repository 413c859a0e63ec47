import { connect as netConnect, type Server, type Socket } from 'node:net';
import { listen } from './helpers.js';

/**
 * A raw TCP relay in front of `target`. Bytes in each direction are held while more keep coming
 * (a gap of `quietMs`) and then written in one `write`: what the peer wrote as separate records
 * (its Finished, then application data) reaches the other side in one segment on loopback.
 * `cut()` ends both TCP connections with a FIN and nothing else: no close_notify.
 */
export async function coalescingRelay(
  target: number,
  quietMs = 30,
  /** Bytes of each write toward the client held back and sent `quietMs` later (a partial record). */
  tail = 0,
): Promise<{ port: number; server: Server; cut: () => void; sockets: Socket[]; writes: number[] }> {
  const sockets: Socket[] = [];
  const writes: number[] = [];
  const { server, port } = await listen((client) => {
    const upstream = netConnect({ host: '127.0.0.1', port: target });
    sockets.push(client, upstream);
    const pipe = (from: Socket, to: Socket, hold: number) => {
      let held: Buffer[] = [];
      let timer: NodeJS.Timeout | null = null;
      // Writes scheduled but not made yet (the coalesced write and its held tail): the end is
      // passed on only after the last of them, whatever the timers' lateness on a loaded machine.
      let pending = 0;
      let ended = false;
      const settle = () => {
        if (ended && pending === 0 && timer === null && !to.destroyed) to.end();
      };
      from.on('data', (d: Buffer) => {
        held.push(d);
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          const all = Buffer.concat(held);
          held = [];
          writes.push(all.length);
          const cut = Math.max(0, all.length - hold);
          if (!to.destroyed) to.write(all.subarray(0, cut));
          if (cut < all.length) {
            pending++;
            setTimeout(() => {
              pending--;
              if (!to.destroyed) to.write(all.subarray(cut));
              settle();
            }, quietMs);
          }
          settle();
        }, quietMs);
      });
      from.on('end', () => {
        ended = true;
        settle();
      });
      from.on('error', () => to.destroy());
    };
    pipe(client, upstream, 0);
    pipe(upstream, client, tail);
  });
  const cut = () => {
    for (const s of sockets) s.end();
  };
  return { port, server, cut, sockets, writes };
}
