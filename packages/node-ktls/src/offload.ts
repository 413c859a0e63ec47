import { isIP, connect as netConnect, Socket } from 'node:net';
import {
  type ConnectionOptions,
  connect as tlsConnect,
  createSecureContext,
  type SecureContext,
  type TlsOptions,
  TLSSocket,
} from 'node:tls';
import { NodeCryptoAeadEngine, TLS_1_3, type TrafficSecrets } from '@ktls-lab/core';
import { probe as probeKernel } from '@ktls-lab/native';
import { ControlPlane, TicketInjector } from './controlPlane.js';
import type { RxPlane, TxPlane } from './dataPlane.js';
import { type Handoff, handOff } from './handoff.js';
import {
  applicationLabel,
  applicationState,
  type Side,
  secretOf,
  wipeHandshakeInfo,
  wipeState,
} from './handshakeInfo.js';
import { type KernelSocketFactory, kernelPlanes } from './kernelPlane.js';
import {
  decideOffload,
  type OffloadDecision,
  type OffloadPolicy,
  type OffloadProbe,
} from './policy.js';
import { KtlsStream } from './stream.js';
import { UserspaceRx, UserspaceTx } from './userspacePlane.js';

/** How the data plane is chosen after the hand-off. */
export interface KtlsOptions extends OffloadPolicy {
  /** What the kernel offers (default: `probe()` of @ktls-lab/native, once per process). */
  readonly probe?: OffloadProbe;
  /** Makes the kernel socket of a connection (default `KtlsSocket.fromNetSocket`); tests pass fakes. */
  readonly kernelSocket?: KernelSocketFactory;
}

let probed: OffloadProbe | undefined;
function defaultProbe(): OffloadProbe {
  probed ??= probeKernel();
  return probed;
}

/**
 * A TLS client connection: Node's `tls.connect` does the handshake (every option it takes works:
 * `ca`, `servername`, `session`, `minVersion`, `ciphers`, ...), then the connection is handed to
 * the data plane. `options.socket` may be a connected `net.Socket`; else `host`/`port` are dialled.
 */
export async function connect(
  options: ConnectionOptions,
  ktls: KtlsOptions = {},
): Promise<KtlsStream> {
  let raw: Socket;
  if (options.socket instanceof Socket) raw = options.socket;
  else if (options.socket !== undefined)
    throw new TypeError('options.socket must be a net.Socket: the hand-off reads TCP itself');
  else raw = await dial(options.host ?? 'localhost', options.port ?? 443);
  const { socket: _socket, ...rest } = options;
  const handoff = await handOff(raw, 'client', (transport) =>
    tlsConnect({ ...sni(options), ...rest, socket: transport }),
  );
  return offload(raw, handoff, ktls);
}

/** Server options for `accept`: what `tls.createServer` takes, or a ready `secureContext`. */
export type AcceptOptions = TlsOptions & { readonly secureContext?: SecureContext };

/** A TLS server connection on an accepted TCP socket (`net.createServer((raw) => accept(raw, …))`). */
export async function accept(
  raw: Socket,
  options: AcceptOptions,
  ktls: KtlsOptions = {},
): Promise<KtlsStream> {
  const secureContext = options.secureContext ?? createSecureContext(options);
  const handoff = await handOff(
    raw,
    'server',
    (transport) =>
      new TLSSocket(transport as unknown as Socket, { ...options, secureContext, isServer: true }),
  );
  return offload(raw, handoff, ktls);
}

/**
 * The server name as tls.connect would take it from `host` when it dials itself (never an IP
 * address: RFC 6066 §3); over a transport it is given, Node does not look at `host`.
 */
function sni(options: ConnectionOptions): { servername?: string } {
  const name = options.servername ?? options.host;
  return name === undefined || isIP(name) !== 0 ? {} : { servername: name };
}

function dial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host, port });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Derives both directions' states, builds the planes the policy chose, starts the stream. */
function offload(raw: Socket, h: Handoff, ktls: KtlsOptions): KtlsStream {
  const peer: Side = h.side === 'client' ? 'server' : 'client';
  let decision: OffloadDecision;
  let planes: { rx: RxPlane; tx: TxPlane };
  let secrets: TrafficSecrets | null = null;
  let injector: TicketInjector | null = null;
  let leftover = h.leftover;
  const rxState = applicationState(h.info, peer, h.rxSeq);
  const txState = applicationState(h.info, h.side, h.txSeq);
  try {
    decision = decideOffload(ktls.probe ?? defaultProbe(), h.version, h.suite, ktls);
    if (decision.rx.plane === 'kernel' || decision.tx.plane === 'kernel') {
      const built = kernelPlanes(raw, decision, rxState, txState, h.leftover, ktls.kernelSocket, {
        expectNoPad: h.version === TLS_1_3 && ktls.tls13ExpectNoPad === true,
      });
      decision = built.decision;
      planes = built.planes;
      leftover = built.leftover;
    } else {
      planes = { rx: new UserspaceRx(raw, rxState), tx: new UserspaceTx(raw, txState) };
    }
    if (h.version === TLS_1_3) {
      secrets = {
        suite: h.suite,
        read: secretOf(h.info, applicationLabel(peer)).slice(),
        write: secretOf(h.info, applicationLabel(h.side)).slice(),
      };
      // Tickets come only from a server; Node's tls was given no record after its Finished.
      if (h.side === 'client') {
        injector = new TicketInjector(
          new NodeCryptoAeadEngine(),
          applicationState(h.info, peer, 0n),
          h.inject,
        );
      }
    }
  } finally {
    wipeState(rxState);
    wipeState(txState);
    wipeHandshakeInfo(h.info);
  }
  const stream = new KtlsStream(raw, h, planes, decision);
  const { rx, tx } = planes;
  const control = new ControlPlane(
    h.version,
    secrets,
    {
      installRx: (state) => {
        try {
          rx.installKey(state);
        } finally {
          wipeState(state);
        }
      },
      sendKeyUpdate: (body, next) => {
        try {
          tx.rekey(body, next);
        } finally {
          wipeState(next);
        }
      },
      closed: () => stream.peerClosed(),
      fail: (error) => stream.destroy(error),
      ticket: (ticket) => stream.emitTicket(ticket),
    },
    injector,
  );
  stream.start(control, leftover);
  return stream;
}
