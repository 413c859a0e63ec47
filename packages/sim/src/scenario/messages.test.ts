import { parseHandshakeMessage } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { describeAction } from './actions.js';
import { SCENARIOS } from './catalog.js';
import {
  alertMessage,
  HEARTBEAT_REQUEST,
  HELLO_REQUEST_MESSAGE,
  keyUpdateMessage,
  TICKET_MESSAGE,
} from './messages.js';

describe('control messages of the scenario vocabulary', () => {
  it('KeyUpdate, alerts and HelloRequest have the bytes the RFCs give them', () => {
    expect([...keyUpdateMessage(false)]).toEqual([24, 0, 0, 1, 0]);
    expect([...keyUpdateMessage(true)]).toEqual([24, 0, 0, 1, 1]);
    expect([...alertMessage('close_notify')]).toEqual([1, 0]);
    expect([...alertMessage('internal_error')]).toEqual([2, 80]);
    expect([...HELLO_REQUEST_MESSAGE]).toEqual([0, 0, 0, 0]);
    // heartbeat_request, payload_length 4, "ping", 16 bytes of padding (RFC 6520 §4).
    expect([...HEARTBEAT_REQUEST.subarray(0, 7)]).toEqual([1, 0, 4, 0x70, 0x69, 0x6e, 0x67]);
    expect(HEARTBEAT_REQUEST.length).toBe(23);
  });

  it('the ticket is one NewSessionTicket whose length field is one short (kept for the pinned traces)', () => {
    expect(TICKET_MESSAGE[0]).toBe(4);
    expect(TICKET_MESSAGE.length).toBe(22);
    // The header says 17 for the 18 bytes that follow: core's parser sees a truncated message.
    expect(TICKET_MESSAGE[3]).toBe(17);
    expect(TICKET_MESSAGE.length - 4).toBe(18);
    expect(parseHandshakeMessage(TICKET_MESSAGE).ok).toBe(false);
    // With the length fixed, the same bytes are the ticket core parses (RFC 8446 §4.6.1).
    const fixed = Uint8Array.from(TICKET_MESSAGE);
    fixed[3] = 18;
    const parsed = parseHandshakeMessage(fixed);
    expect(parsed.ok && parsed.value).toEqual({
      type: 'new-session-ticket',
      lifetime: 7200,
      ageAdd: 0x01020304,
      nonce: Uint8Array.of(0),
      ticket: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd),
      extensions: new Uint8Array(0),
    });
  });
});

describe('describeAction', () => {
  it('names every action of the catalog', () => {
    const names = SCENARIOS.flatMap((s) => [...s.client, ...s.server]).map(describeAction);
    expect(names).toContain('KeyUpdate(update_requested)');
    expect(names).toContain('64 raw bytes into the stream');
    expect(names).toContain('send 777 bytes (MSG_MORE)');
    expect(names).toContain('ticket');
  });
});
