import type { WorldContext } from './context.js';
import type { Endpoint } from './endpoint.js';

/**
 * The upper layer: an RDS- or KCM-like framer reading the decrypted stream (`../framing.ts`). At a
 * control record inside a message the design says what it does: freeze with the stream until the
 * control plane is done with the record, or resync (drop the partial message and start over).
 */

/** Decrypted application bytes reach the upper layer (queued while it is frozen). */
export function upperDeliver(w: WorldContext, ep: Endpoint, data: Uint8Array): void {
  if (!ep.framer) return;
  if (ep.upperPaused) {
    ep.upperPending.push(data);
    return;
  }
  const before = ep.framer.messages.length;
  ep.framer.push(data);
  for (const m of ep.framer.messages.slice(before)) w.monitor.messageReceived(ep.name, m);
}

/** A control record reached the control plane while the upper layer reads the stream. */
export function upperAtControl(w: WorldContext, ep: Endpoint): void {
  if (!ep.framer) return;
  if (w.options.design.upperLayer === 'resync') {
    if (ep.framer.partial > 0)
      w.note(
        ep,
        'app-rx',
        `upper layer drops a ${ep.framer.partial}-byte partial message at a control record`,
      );
    ep.framer.resync();
    return;
  }
  // Freeze with the stream until the control plane has dealt with the record.
  ep.upperPaused = true;
  w.emit(ep.name, { lane: 'app-rx', kind: 'freeze', reason: 'upper-layer-at-control-record' });
}

/** The control plane is done with the record: the upper layer reads on, queued bytes first. */
export function upperResume(w: WorldContext, ep: Endpoint): void {
  if (!ep.upperPaused) return;
  ep.upperPaused = false;
  w.emit(ep.name, { lane: 'app-rx', kind: 'resume', reason: 'control-plane-done' });
  for (const d of ep.upperPending.splice(0)) upperDeliver(w, ep, d);
}
