import { parseHandshakeMessages } from '@ktls-lab/core';
import { describe, expect, it } from 'vitest';
import { describeAction } from './actions.js';
import { SCENARIOS } from './catalog.js';
import {
  alertMessage,
  HEARTBEAT_REQUEST,
  HELLO_REQUEST_MESSAGE,
  keyUpdateMessage,
  SIM_TICKET_MESSAGE,
  TICKET,
  ticketMessage,
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

  it("the kernel runner's ticket is TICKET, well formed", () => {
    const parsed = parseHandshakeMessages(ticketMessage());
    expect(parsed.ok && parsed.value.messages).toEqual([{ type: 'new-session-ticket', ...TICKET }]);
  });

  it("the simulator's ticket is the same bytes with a length one short (kept for its traces)", () => {
    const built = ticketMessage();
    expect(SIM_TICKET_MESSAGE.length).toBe(built.length);
    expect(built[3]).toBe(18);
    expect(SIM_TICKET_MESSAGE[3]).toBe(17);
    expect([...SIM_TICKET_MESSAGE.subarray(4)]).toEqual([...built.subarray(4)]);
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
