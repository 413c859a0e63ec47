import { NativeSyscallError } from '../errors.js';
import { type KtlsSocket, POLLIN } from '../ktls.js';
import type { Recorder } from './recorder.js';
import { RecordRelay, relayWire, wireEvent } from './relay.js';
import type { Wire } from './types.js';

/**
 * The relay of the real-socket worlds (kernel TLS, and rfc-2015 over AF_ALG): plain TCP in
 * userspace between the client's and the server's loopback connections, one `RecordRelay` per
 * direction, bytes in flight waited for with poll.
 */

/** The errno of a refused syscall; anything else is rethrown. */
export function errnoOf(e: unknown): string {
  if (e instanceof NativeSyscallError) return e.errno;
  throw e;
}

/** Everything one relay socket has, through a `RecordRelay`, to the other; returns the bytes read. */
function forward(from: KtlsSocket, to: KtlsSocket, relay: RecordRelay): number {
  let moved = 0;
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = from.recv({ maxBytes: 65536, cmsg: false, dontwait: true }).data;
    } catch (e) {
      if (errnoOf(e) === 'EAGAIN') return moved;
      throw e;
    }
    if (chunk.length === 0) return moved;
    moved += chunk.length;
    const out = relay.push(chunk);
    if (out.length > 0) to.sendAll(out);
  }
}

/**
 * The wire between `rc` (the relay's end of the client's connection) and `rs` (its end of the
 * server's), recording each record into `rec`.
 */
export function socketWire(rec: Recorder, rc: KtlsSocket, rs: KtlsSocket): Wire {
  const c2s = new RecordRelay(wireEvent(rec, 'client'));
  const s2c = new RecordRelay(wireEvent(rec, 'server'));
  return relayWire(
    { c2s, s2c },
    {
      pump: () => forward(rc, rs, c2s) + forward(rs, rc, s2c),
      settle: () => {
        rc.poll(POLLIN, 30);
        rs.poll(POLLIN, 30);
      },
      deliver: (to, bytes) => (to === 'server' ? rs : rc).sendAll(bytes),
    },
  );
}
