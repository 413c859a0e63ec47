import { type Design, LINUX_KTLS, LINUX_KTLS_PRE_REKEY, RFC_2015 } from '@ktls-lab/core';

/**
 * A design as the simulator runs it: core's hand-off policy, plus how the upper layer (RDS/KCM
 * framer) reads the stream, plus what the design documents as its own limits.
 */
export interface SimDesign {
  readonly name: string;
  readonly summary: string;
  readonly design: Design;
  /** At a control record inside a message the upper layer waits (freeze) or restarts framing (resync). */
  readonly upperLayer: 'freeze' | 'resync';
  /** A correct design must hold on every scenario; a mutant must be caught. */
  readonly kind: 'correct' | 'mutant';
  /** Documented behaviour that would otherwise look like a violation. */
  readonly limitations: readonly 'no-rekey'[];
  /** For a mutant: the invariants expected to catch it. */
  readonly caughtBy?: readonly number[];
}

const correct = (design: Design, limitations: SimDesign['limitations'] = []): SimDesign => ({
  name: design.name,
  summary: design.summary,
  design,
  upperLayer: 'freeze',
  kind: 'correct',
  limitations,
});

function mutant(
  name: string,
  summary: string,
  base: Design,
  change: { rx?: Partial<Design['rx']>; tx?: Partial<Design['tx']> },
  caughtBy: number[],
  upperLayer: SimDesign['upperLayer'] = 'freeze',
): SimDesign {
  return {
    name,
    summary,
    design: {
      name,
      summary,
      rx: { ...base.rx, ...change.rx },
      tx: { ...base.tx, ...change.tx },
    },
    upperLayer,
    kind: 'mutant',
    limitations: [],
    caughtBy,
  };
}

export const SIM_DESIGNS: readonly SimDesign[] = [
  correct(LINUX_KTLS),
  correct(LINUX_KTLS_PRE_REKEY, ['no-rekey']),
  correct(RFC_2015),
  mutant(
    'mutant-no-freeze-on-key-update',
    'linux-ktls that keeps decrypting after a KeyUpdate instead of freezing until the next key.',
    LINUX_KTLS,
    { rx: { freezeOnKeyUpdate: false } },
    [3, 5],
  ),
  mutant(
    'mutant-completion-order-delivery',
    'linux-ktls that delivers async decryptions in the order they complete, not in stream order.',
    LINUX_KTLS,
    { rx: { delivery: 'completion-order' } },
    [2, 4],
  ),
  mutant(
    'mutant-control-before-drain',
    'linux-ktls that hands a control record over without waiting for earlier async decryptions.',
    LINUX_KTLS,
    { rx: { controlWaitsForData: false } },
    [4],
  ),
  mutant(
    'mutant-shared-sequence-number',
    'rfc-2015 whose data plane keeps sending while userspace holds the exported TX state: both planes seal with one sequence number.',
    RFC_2015,
    { tx: { pauseWhileExported: false } },
    [1],
  ),
  mutant(
    'mutant-rekey-without-sequence-reset',
    'linux-ktls that installs the next RX key but keeps counting sequence numbers instead of restarting at 0.',
    LINUX_KTLS,
    { rx: { rekeyResetsSequence: false } },
    [5],
  ),
  mutant(
    'mutant-control-merged-into-data',
    'linux-ktls that delivers control-record plaintext into the application data stream.',
    LINUX_KTLS,
    { rx: { mergeControlIntoData: true } },
    [4],
  ),
  mutant(
    'mutant-bytes-dropped-on-punt',
    'linux-ktls that drops the bytes it had buffered when the control plane takes record processing back to userspace.',
    LINUX_KTLS,
    { rx: { fallbackKeepsBufferedBytes: false } },
    [2],
  ),
  mutant(
    'mutant-upper-layer-not-freezing',
    'An upper-layer framer that does not freeze with the stream at a control record: it restarts framing there and loses the partial message.',
    LINUX_KTLS,
    {},
    [7],
    'resync',
  ),
];

export function findSimDesign(name: string): SimDesign | undefined {
  return SIM_DESIGNS.find((d) => d.name === name);
}
