import {
  ContentType,
  type Design,
  parseTrace,
  RecordLayerError,
  type TraceEvent,
} from '@ktls-lab/core';
import type { Scenario } from '@ktls-lab/sim';
import { findSimDesign, ReplayChooser, runWith, traceOf } from '@ktls-lab/sim';
import type { KernelRunResult, Side } from './types.js';

/**
 * The simulator's World as a third party of the differential (issue 15): a scenario run through
 * `@ktls-lab/sim` (its World: app, control plane, core's RX/TX machines, TCP byte streams) in the
 * design the kernel implements, and what each endpoint's app and control plane saw, taken from
 * the trace in the same shape as from the kernel's and core's traces (`appSequence`), so the
 * three can be set side by side.
 *
 * The schedule: the all-zeros choice list (`ReplayChooser([])`). Choice 0 is the simplest choice
 * by the simulator's convention (packages/sim/src/choices.ts): the first enabled actor in the
 * scheduler's fixed order (app:client, app:server, cp, net, crypto; packages/sim/src/world/
 * scheduler.ts), every TCP segment whole, the oldest crypto request first. That is the kernel
 * runner's order (script.ts): the client's actions, then the server's, then the control planes
 * (the first TLS_RX is already set), then the network moves whole records and the receivers
 * drain: a quiet network and a responsive control plane. One schedule, so the app-visible
 * sequence is defined; other schedules are the simulator's own exploration.
 */

/** One thing an endpoint's app or control plane observed, as text (see `appSequence`). */
export type AppStep = string;

/** What each endpoint observed, in order. */
export interface AppSequences {
  readonly client: readonly AppStep[];
  readonly server: readonly AppStep[];
}

export interface SimRunResult {
  readonly scenario: string;
  /** The sim design name (core's design of the same name). */
  readonly where: string;
  /** The simulator's invariant verdict: 'held' means every delivered byte is the byte sent. */
  readonly verdict: 'held' | 'violated';
  readonly violation: string | null;
  /** The repro string: `ktls-lab replay` shows the run. */
  readonly repro: string;
  readonly sequence: AppSequences;
  /** The NDJSON trace (core's format, world `sim`). */
  readonly trace: string;
}

/**
 * The app-visible sequence of one endpoint in a trace of any world (kernel, core, sim), the same
 * shape from each:
 * - `data <n>`: application bytes read, consecutive data records merged (a socket reader sees a
 *   byte stream; recvmsg on a kTLS socket joins data records, docs/kernel-tls.md §5). Record
 *   boundaries show where a control record, an error or the end cuts the stream. Empty records
 *   add nothing (the kernel's RX skips them, selftest zero_len).
 * - `control <type>/<size>`: a control record handed to the control plane (TLS_GET_RECORD_TYPE).
 * - `EKEYEXPIRED`: RX frozen after a KeyUpdate until TLS_RX is set again (docs/kernel-tls.md §7).
 * - `<errno>`: the error that ended reading (EBADMSG, EMSGSIZE, ...).
 * - `eof <reason>`: TCP FIN without close_notify.
 * An alert ends reading (RFC 8446 §6): nothing after it counts, whatever the world still traced.
 */
export function appSequence(events: readonly TraceEvent[], side: Side): AppStep[] {
  const out: AppStep[] = [];
  let run = 0;
  const flush = () => {
    if (run > 0) out.push(`data ${run}`);
    run = 0;
  };
  for (const e of events) {
    if (e.ep !== side) continue;
    if (e.kind === 'deliver-data' && e.lane === 'app-rx') {
      run += e.size ?? 0;
    } else if (e.kind === 'deliver-control') {
      flush();
      out.push(`control ${e.type}/${e.size}`);
      if (e.type === ContentType.alert) return out;
    } else if (e.kind === 'freeze' && e.lane === 'dp-rx') {
      flush();
      out.push('EKEYEXPIRED');
    } else if (e.kind === 'error' && e.lane === 'dp-rx' && e.error !== undefined) {
      flush();
      out.push(e.error.errno ?? e.error.code);
      return out;
    } else if (e.kind === 'eof' && e.lane === 'dp-rx') {
      flush();
      out.push(`eof ${e.reason}`);
      return out;
    }
  }
  flush();
  return out;
}

/** `appSequence` of both endpoints of an NDJSON trace; a trace that does not parse is an error. */
export function appSequencesOfTrace(trace: string): AppSequences {
  const parsed = parseTrace(trace);
  if (!parsed.ok) {
    throw RecordLayerError.of('invalid_argument', `trace does not parse: ${parsed.error.message}`);
  }
  return {
    client: appSequence(parsed.events, 'client'),
    server: appSequence(parsed.events, 'server'),
  };
}

/** The app-visible sequences of a kernel or core run (from its trace). */
export function appSequencesOfRun(r: KernelRunResult): AppSequences {
  return appSequencesOfTrace(r.trace);
}

/**
 * Where the sim World and a socket world (the kernel, core's driver, which agree: differential.ts)
 * legitimately see different things, exactly: a new difference, or a documented one that changed,
 * fails `compareWithSim`.
 */
/** One documented divergence: what each world's endpoint saw, and why they differ. */
export interface SimDivergence {
  readonly scenario: string;
  readonly side: 'client' | 'server';
  readonly sim: readonly AppStep[];
  readonly socket: readonly AppStep[];
  readonly why: string;
}

/** The documented divergences between the sim World and the socket worlds (see above). */
export const SIM_DIVERGENCES: readonly SimDivergence[] = [
  {
    scenario: 'fatal-alert',
    side: 'server',
    sim: [],
    socket: ['data 2000'],
    why:
      "The server sends a fatal alert. The sim's library then closes its RX too (RFC 8446 §6.2: " +
      'after a fatal alert the connection is closed; packages/sim/src/world/app.ts), so the ' +
      "client's 2000 bytes, still in flight under the quiet schedule, are never delivered. The " +
      "kernel runner's script only stops sending after its own alert and drains its socket, and " +
      'the kernel hands over what had arrived: reading after sending an alert is the library’s ' +
      'choice, not the kernel’s.',
  },
];

/**
 * The sim World against a socket world's sequences: [] when they agree, or differ exactly as
 * SIM_DIVERGENCES documents; a run whose invariants did not hold is a difference too.
 */
export function compareWithSim(sim: SimRunResult, other: AppSequences): string[] {
  const diffs: string[] = [];
  if (sim.verdict !== 'held') diffs.push(`sim invariant violated: ${sim.violation} (${sim.repro})`);
  for (const side of ['client', 'server'] as const) {
    const d = SIM_DIVERGENCES.find((x) => x.scenario === sim.scenario && x.side === side);
    const want = d ? { sim: d.sim, other: d.socket } : { sim: other[side], other: other[side] };
    const x = JSON.stringify(sim.sequence[side]);
    const y = JSON.stringify(other[side]);
    if (x !== JSON.stringify(want.sim) || y !== JSON.stringify(want.other)) {
      diffs.push(`${side}: sim ${x} vs ${y}${d ? ' (documented divergence changed)' : ''}`);
    }
  }
  return diffs;
}

/** Runs a scenario on the simulator's World in `design` under the quiet schedule (above). */
export function runScenarioOnSim(s: Scenario, design: Design): SimRunResult {
  const simDesign = findSimDesign(design.name);
  if (simDesign === undefined) {
    throw RecordLayerError.of('invalid_argument', `the simulator has no design ${design.name}`);
  }
  const outcome = runWith(s, simDesign, 'replay', 0, new ReplayChooser([]), { trace: true });
  const trace = traceOf(outcome);
  return {
    scenario: s.name,
    where: simDesign.name,
    verdict: outcome.verdict,
    violation: outcome.violation?.message ?? null,
    repro: outcome.repro,
    sequence: {
      client: appSequence(outcome.events, 'client'),
      server: appSequence(outcome.events, 'server'),
    },
    trace,
  };
}
