import type { Lane, TraceEvent, TraceField, TraceHeader, TraceKind } from '@ktls-lab/core';

/** The header the unit tests' traces share: a simulator trace of a client and a server. */
export const TEST_HEADER: TraceHeader = {
  format: 'ktls-lab-trace',
  version: 1,
  world: 'sim',
  design: 'linux-ktls',
  engine: 'model',
  endpoints: ['client', 'server'],
};

/**
 * An event for a unit test of code that reads only some fields (layout, drawing, filters): the
 * test writes those and leaves the others out. Real traces only ever hold complete events (core's
 * reader checks each against its kind), so this cast stays in tests.
 */
export type LooseEvent = {
  readonly t: number;
  readonly ep: string;
  readonly lane: Lane;
  readonly kind: TraceKind;
} & { readonly [F in TraceField]?: unknown };

export const looseEvent = (e: LooseEvent): TraceEvent => e as unknown as TraceEvent;
export const looseEvents = (es: readonly LooseEvent[]): TraceEvent[] => es.map(looseEvent);
