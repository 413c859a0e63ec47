import type { Socket } from 'node:net';

/**
 * A TCP relay between two sockets that passes each direction on until that direction ends, the
 * way it ended: a FIN (half-close) becomes `end()` on the other socket after the last byte of that
 * direction, and an RST becomes an RST (`resetAndDestroy()`). Both sockets must be created with
 * `allowHalfOpen: true`, or Node ends the write side itself when the read side ends, and whatever
 * the peer still sends after its half-close is lost (a client that shuts down its write side after
 * a request would never see the answer).
 *
 * `onData` sees every byte before it is forwarded, so a recording made there holds exactly what
 * was handed to the other side; writes respect backpressure (reading pauses while the other side
 * does not drain).
 */

export type RelayDirection = 'c2s' | 's2c';

/** How a direction ended: `fin` (orderly, passed on with shutdown), `rst` (reset, passed on as a reset). */
export type DirectionEnd = 'fin' | 'rst';

export interface RelayEvents {
  onData(dir: RelayDirection, bytes: Buffer): void;
  /** A direction ended; `why` names the error behind a reset, or is `passed on` for the direction reset because the other one was. */
  onEnd(dir: RelayDirection, end: DirectionEnd, why: string): void;
  /** Both sockets are closed: every direction has ended and every byte was handed on or reset. */
  onClose(): void;
}

export interface Relay {
  /** Stops relaying at once (both sockets destroyed). */
  destroy(): void;
}

export function relay(client: Socket, upstream: Socket, events: RelayEvents): Relay {
  const ended: Partial<Record<RelayDirection, DirectionEnd>> = {};
  const end = (dir: RelayDirection, how: DirectionEnd, why: string) => {
    if (ended[dir]) return;
    ended[dir] = how;
    events.onEnd(dir, how, why);
  };

  /** A reset on `from` (or a failure of it) resets `to` and ends both directions. */
  const reset = (from: Socket, to: Socket, dir: RelayDirection, e: Error & { code?: string }) => {
    const why = e.code ?? e.message;
    const other: RelayDirection = dir === 'c2s' ? 's2c' : 'c2s';
    end(dir, 'rst', why);
    end(other, 'rst', 'passed on');
    if (!to.destroyed) to.resetAndDestroy();
    from.destroy();
  };

  const pipe = (from: Socket, to: Socket, dir: RelayDirection) => {
    from.on('data', (d: Buffer) => {
      events.onData(dir, d);
      if (!to.write(d)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    // FIN from `from`: shut down `to`'s write side once everything before it is written.
    from.on('end', () => {
      end(dir, 'fin', 'end of stream');
      to.end();
    });
    from.on('error', (e) => reset(from, to, dir, e));
  };
  pipe(client, upstream, 'c2s');
  pipe(upstream, client, 's2c');

  let closed = 0;
  const onClose = () => {
    closed++;
    if (closed === 2) events.onClose();
  };
  client.on('close', onClose);
  upstream.on('close', onClose);

  return {
    destroy: () => {
      client.destroy();
      upstream.destroy();
    },
  };
}
