/**
 * Version 1 traces written before the trace vocabulary was closed (ktls-lab 0.1) still load: the
 * kernel world wrote free-text reasons and one error code has since been renamed. When an event
 * fails the strict check, the reader asks `LegacyEvents` for the same event in today's
 * vocabulary; the free text moves to `note`, so nothing a reader could see is lost. Traces of the
 * simulator, the core driver and the decoder never needed this (their bytes are unchanged).
 *
 * One instance per trace: it counts key epochs per endpoint and direction, which the 0.1 kernel
 * world left out of re-key events.
 */
export class LegacyEvents {
  private readonly epochs = new Map<string, number>();

  /** The event in today's vocabulary, or null when no legacy rule applies to it. */
  upgrade(value: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
    const kind = value.kind;
    const reason = value.reason;
    if (kind === 'error') return this.renamedErrorCode(value);
    if (typeof reason !== 'string') return null;
    switch (kind) {
      case 'key-install':
        return this.keyInstall(value, reason);
      case 'freeze':
        // 0.1 kernel world: "KeyUpdate: EKEYEXPIRED until TLS_RX".
        return reason.startsWith('KeyUpdate') ? withReason(value, 'key-update', reason) : null;
      case 'resume':
        // 0.1 kernel world: "TLS_RX installed".
        return reason === 'TLS_RX installed' ? withReason(value, 'key-installed', reason) : null;
      case 'eof':
        // 0.1 kernel world: "peer closed" (FIN without close_notify) and "alert <n>".
        if (reason === 'peer closed') return withReason(value, 'tcp-fin', reason);
        if (/^alert \d+$/.test(reason)) return withReason(value, 'fatal-alert', reason);
        return null;
      default:
        return null;
    }
  }

  /**
   * 0.1 kernel world: `reason` "tx ok" / "rx EINVAL" for the first keys (epoch 0), "tx rekey" /
   * "rx rekey" without an epoch for the next ones.
   */
  private keyInstall(
    value: Readonly<Record<string, unknown>>,
    reason: string,
  ): Record<string, unknown> | null {
    const m = /^(tx|rx) (\S+)$/.exec(reason);
    if (m === null) return null;
    const slot = `${String(value.ep)}/${m[1]}`;
    let epoch = value.epoch;
    if (typeof epoch !== 'number') epoch = (this.epochs.get(slot) ?? 0) + 1;
    this.epochs.set(slot, epoch as number);
    const upgraded: Record<string, unknown> = {
      ...value,
      epoch,
      note: joinNote(value.note, reason),
    };
    delete upgraded.reason;
    return upgraded;
  }

  /** `record_open` (TLS_TX_MAX_PAYLOAD_LEN with a MSG_MORE record pending) is `record_pending`. */
  private renamedErrorCode(
    value: Readonly<Record<string, unknown>>,
  ): Record<string, unknown> | null {
    const error = value.error;
    if (typeof error !== 'object' || error === null) return null;
    if ((error as Record<string, unknown>).code !== 'record_open') return null;
    return { ...value, error: { ...error, code: 'record_pending' } };
  }
}

function withReason(
  value: Readonly<Record<string, unknown>>,
  reason: string,
  legacy: string,
): Record<string, unknown> {
  return { ...value, reason, note: joinNote(value.note, legacy) };
}

function joinNote(note: unknown, legacy: string): string {
  return typeof note === 'string' && note.length > 0 ? `${note}; ${legacy}` : legacy;
}
