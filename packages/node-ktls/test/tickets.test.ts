import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { NewSessionTicketMessage } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { connect, type KtlsStream } from '../src/index.js';
import { makeCert, NO_KERNEL, payload, readAll, sha256 } from './helpers.js';

/**
 * TLS 1.3 tickets arrive after the hand-off, in the data plane's epoch (RFC 8446 §4.6.1): the
 * control plane re-seals each for Node's tls, which makes the session as it would have from the
 * wire; `session` carries what `tls.connect({ session })` takes, and resumption works.
 */
const { key, cert } = makeCert();

describe('NewSessionTicket after the hand-off (TLS 1.3)', () => {
  it('does not break the stream, gives `session` and `ticket`, and the session resumes', async () => {
    const data = payload(300_000);
    const server = tls.createServer({ key, cert, minVersion: 'TLSv1.3' }, (s) => {
      // Data first, so tickets and data interleave on the wire in the data plane's epoch.
      s.end(data);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const options = { host: '127.0.0.1', port, servername: 'localhost', ca: cert };

    const first = await connect(options, { probe: NO_KERNEL });
    expect(first.isSessionReused()).toBe(false);
    const sessions: Buffer[] = [];
    const tickets: NewSessionTicketMessage[] = [];
    first.on('session', (s: Buffer) => sessions.push(s));
    first.on('ticket', (t: NewSessionTicketMessage) => tickets.push(t));
    const got = await readAll(first);
    expect(sha256(got)).toBe(sha256(data));
    // Node's server sends two tickets by default (OpenSSL's SSL_CTX_set_num_tickets default).
    expect(tickets.length).toBe(2);
    expect(sessions.length).toBe(tickets.length);
    for (const t of tickets) expect(t.lifetime).toBeGreaterThan(0);
    expect(first.getSession()).toEqual(sessions.at(-1));

    const second: KtlsStream = await connect(
      { ...options, session: sessions.at(-1)! },
      { probe: NO_KERNEL },
    );
    expect(second.isSessionReused()).toBe(true);
    const again = await readAll(second);
    expect(sha256(again)).toBe(sha256(data));
    server.close();
  });
});
