import type { TraceHeader } from '@ktls-lab/core';

/** The header the unit tests' traces share: a simulator trace of a client and a server. */
export const TEST_HEADER: TraceHeader = {
  format: 'ktls-lab-trace',
  version: 1,
  world: 'sim',
  design: 'linux-ktls',
  engine: 'model',
  endpoints: ['client', 'server'],
};
