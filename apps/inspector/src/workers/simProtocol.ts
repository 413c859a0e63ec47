/** Messages between the UI and the simulator worker. */
export type SimRequest =
  | {
      readonly id: number;
      readonly kind: 'seed';
      readonly scenario: string;
      readonly design: string;
      readonly strategy: 'random' | 'pct';
      readonly seed: number;
    }
  | { readonly id: number; readonly kind: 'replay'; readonly repro: string };

export type SimReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly text: string;
      readonly verdict: 'held' | 'violated';
      readonly steps: number;
      readonly repro: string;
      readonly violation: string | null;
      readonly name: string;
    }
  | { readonly id: number; readonly ok: false; readonly message: string };

type Body<T> = T extends unknown ? Omit<T, 'id'> : never;
export type SimJob = Body<SimRequest>;
export type SimResult = Body<SimReply>;
