import { type CipherSuite, TLS_1_3, type TlsVersion } from '@ktls-lab/core';
import type { ProbeResult } from '@ktls-lab/native';
import type { PlaneKind } from './dataPlane.js';

/** The part of `probe()`'s result the policy reads (synthetic ones in tests). */
export type OffloadProbe = Pick<ProbeResult, 'addon' | 'tlsUlp' | 'tlsTx' | 'rekey'>;

export interface DirectionDecision {
  readonly plane: PlaneKind;
  /** Why, in a sentence: what the probe said, or what the protocol needs. */
  readonly reason: string;
}

export interface OffloadDecision {
  readonly tx: DirectionDecision;
  readonly rx: DirectionDecision;
}

export interface OffloadPolicy {
  /** `'userspace'` never offloads; `'auto'` (default) offloads what the kernel can carry. */
  readonly dataPlane?: 'auto' | 'userspace';
  /**
   * TLS 1.3 on a kernel without rekey (before 6.14): put TX on the kernel anyway. A peer's
   * KeyUpdate(update_requested) then cannot be answered (RFC 8446 §4.6.3 says we MUST) and ends
   * the stream with `ERR_KTLS_REKEY_UNSUPPORTED`. Default false: TX stays in userspace.
   */
  readonly tls13TxWithoutRekey?: boolean;
  /**
   * TLS 1.3 with RX on the kernel: set `TLS_RX_EXPECT_NO_PAD`, so the kernel decrypts straight
   * into the reader's buffer. Off by default: a padded record (or a control record) is then
   * decrypted twice (docs/kernel-tls.md §3), so it is a win only with a peer known not to pad.
   * OpenSSL, and so Node's tls, pads only when an application asks it to (SSL_CTX_set_block_padding),
   * which Node's tls API does not offer; other peers may pad.
   */
  readonly tls13ExpectNoPad?: boolean;
}

const both = (plane: PlaneKind, reason: string): OffloadDecision => ({
  tx: { plane, reason },
  rx: { plane, reason },
});

/**
 * Decides per connection, before the hand-off, which direction the kernel carries (README.md,
 * "Offload policy"; every cell is a test in policy.test.ts; which kernel has what:
 * docs/kernel-tls.md §1, rekey §7). The probe is `probe()` of
 * @ktls-lab/native, taken once per process: it asks the kernel (ULP, each version × cipher on
 * TLS_TX, TLS 1.3 rekey) on loopback sockets, never on the connection itself.
 */
export function decideOffload(
  probe: OffloadProbe,
  version: TlsVersion,
  suite: CipherSuite,
  policy: OffloadPolicy = {},
): OffloadDecision {
  if (policy.dataPlane === 'userspace')
    return both('userspace', 'the caller asked for the userspace data plane');
  if (!probe.addon.available)
    return both('userspace', `no kernel path: ${probe.addon.explanation}`);
  if (!probe.tlsUlp.available)
    return both('userspace', `no kernel TLS: ${probe.tlsUlp.explanation}`);
  const label = version === TLS_1_3 ? 'TLS 1.3' : 'TLS 1.2';
  const cipher = probe.tlsTx.find(
    (c) => c.version === label && c.cipherType === suite.kernelCipher,
  );
  if (cipher === undefined || !cipher.available) {
    const why = cipher === undefined ? 'was not probed' : cipher.explanation;
    return both(
      'userspace',
      `the kernel does not offload ${suite.name} (${label}, cipher_type ${suite.kernelCipher}): ${why}`,
    );
  }
  if (version !== TLS_1_3) {
    return both(
      'kernel',
      `${label} ${suite.aead} accepted by TLS_TX; TLS 1.2 has no KeyUpdate, so no key ever changes`,
    );
  }
  if (probe.rekey.available) {
    return both(
      'kernel',
      `${label} ${suite.aead} accepted by TLS_TX, and the kernel re-keys (a second TLS_TX/TLS_RX after a KeyUpdate)`,
    );
  }
  const rx: DirectionDecision = {
    plane: 'userspace',
    reason: `no TLS 1.3 rekey on this kernel (${probe.rekey.explanation}): a peer KeyUpdate could not be followed, and the next record would fail with EBADMSG (rustls/ktls#75)`,
  };
  const tx: DirectionDecision = policy.tls13TxWithoutRekey
    ? {
        plane: 'kernel',
        reason:
          'no TLS 1.3 rekey, TX offloaded on request: a KeyUpdate(update_requested) from the peer ends the stream (ERR_KTLS_REKEY_UNSUPPORTED)',
      }
    : {
        plane: 'userspace',
        reason:
          'no TLS 1.3 rekey on this kernel: a KeyUpdate(update_requested) from the peer could not be answered (RFC 8446 §4.6.3)',
      };
  return { tx, rx };
}
