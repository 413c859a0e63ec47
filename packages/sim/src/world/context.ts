import {
  type AeadKey,
  type CipherSuite,
  type CryptoState,
  type OpenRequest,
  suiteByName,
  TLS_1_3,
  type TraceDraft,
  type TraceEvent,
} from '@ktls-lab/core';
import { Monitor } from '../monitor.js';
import { keyFor, nextSecretFor, stateFor } from './keyCache.js';
import { createEndpoint, type Endpoint, type EndpointName } from './endpoint.js';
import { createPipe, type Pipe } from './network.js';
import { ObservedEngine } from './observedEngine.js';
import type { WorldOptions } from './options.js';

/**
 * What every part of the world shares: the options, the monitor, the trace, the step counter, the
 * AEAD engine, the two endpoints and the two pipes. Each part (network, data plane, control plane,
 * app, upper layer, scheduler) is a set of functions over it.
 */
export class WorldContext {
  readonly monitor: Monitor;
  readonly events: TraceEvent[] = [];
  step = 0;
  /** Segments cut short so far (`edges` segmentation allows a bounded number). */
  cutsMade = 0;
  readonly engine = new ObservedEngine();
  readonly endpoints: readonly [Endpoint, Endpoint];
  readonly pipes: readonly [Pipe, Pipe];
  readonly suite: CipherSuite;
  readonly tls13: boolean;
  /** Synchronous RX decryptions, completed inside the recvmsg that asked for them. */
  readonly syncCrypto: { ep: Endpoint; id: number; request: OpenRequest }[] = [];

  constructor(readonly options: WorldOptions) {
    const { scenario, design } = options;
    this.suite = suiteByName(scenario.suite);
    this.tls13 = this.suite.version === TLS_1_3;
    this.endpoints = [
      createEndpoint(options, this.suite, 'client', 'server', scenario.client, 0x11),
      createEndpoint(options, this.suite, 'server', 'client', scenario.server, 0x22),
    ];
    // The monitor's key-schedule oracle starts from the secrets the handshake left each sender.
    this.monitor = new Monitor(
      ['client', 'server'],
      design.limitations.includes('no-rekey'),
      this.suite,
      [this.endpoints[0].txSecret, this.endpoints[1].txSecret],
    );
    this.pipes = [createPipe('client'), createPipe('server')];
  }

  /** The crypto state for a secret: TLS 1.3 derives it (RFC 8446 §7.3); TLS 1.2 uses fixed key/IV bytes. */
  state(secret: Uint8Array): CryptoState {
    return stateFor(this.suite, secret);
  }

  /** RFC 8446 §7.2: the next traffic secret after a KeyUpdate. */
  nextSecret(secret: Uint8Array): Uint8Array {
    return nextSecretFor(this.suite, secret);
  }

  importKey(state: CryptoState): AeadKey {
    return keyFor(this.engine, state);
  }

  ep(name: EndpointName): Endpoint {
    return this.endpoints[name === 'client' ? 0 : 1];
  }

  pipeFrom(name: EndpointName): Pipe {
    return this.pipes[name === 'client' ? 0 : 1];
  }

  emit(ep: EndpointName, draft: TraceDraft): void {
    if (this.options.trace) this.events.push({ t: this.step, ep, ...draft });
  }

  /** A control-plane remark: traced, and kept as the endpoint's last word for stuck reports. */
  note(ep: Endpoint, lane: TraceDraft['lane'], note: string): void {
    ep.notes.push(note);
    this.emit(ep.name, { lane, kind: 'note', note });
  }
}
