import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/index.js';
import { makeCert, NO_KERNEL, payload, readAll, sha256 } from './helpers.js';

const { key, cert } = makeCert();

describe('smoke', () => {
  for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`client ${v}`, async () => {
      const up = payload(1 << 20);
      const down = payload(1 << 20);
      const server = tls.createServer({ key, cert, maxVersion: v }, async (s) => {
        s.end(down);
        const got = await readAll(s);
        s.destroy();
        server.emit('got', sha256(got));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: cert }, { probe: NO_KERNEL });
      expect(stream.getProtocol()).toBe(v);
      const gotUp = once(server, 'got');
      stream.end(up);
      const got = await readAll(stream);
      expect(sha256(got)).toBe(sha256(down));
      expect((await gotUp)[0]).toBe(sha256(up));
      console.log(stream.handoff.records, stream.handoff.rxSeq, stream.handoff.txSeq, stream.handoff.leftoverBytes, stream.offload);
      server.close();
    });
  }
});
