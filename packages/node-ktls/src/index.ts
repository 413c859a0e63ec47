/**
 * @ktls-lab/node-ktls: kernel TLS for Node. The handshake runs in Node's own tls; at the exact
 * record boundary where it ends, the connection goes to a data plane (the kernel where `probe()`
 * and the policy allow, core's userspace record layer otherwise) and the control plane (tickets,
 * KeyUpdate, alerts, close_notify) runs here in JS. See README.md.
 */
export { type ControlActions, ControlPlane, TicketInjector } from './controlPlane.js';
export type { PlaneKind, RxPlane, RxSink, TxPlane } from './dataPlane.js';
export { NodeKtlsError, type NodeKtlsErrorCode } from './errors.js';
export { type Handoff, handOff, type TlsSnapshot } from './handoff.js';
export type { HandshakeInfo, Side } from './handshakeInfo.js';
export {
  type KernelSocket,
  type KernelSocketFactory,
  KernelRx,
  KernelTx,
  kernelPlanes,
} from './kernelPlane.js';
export { type AcceptOptions, accept, connect, type KtlsOptions } from './offload.js';
export {
  type DirectionDecision,
  decideOffload,
  type OffloadDecision,
  type OffloadPolicy,
  type OffloadProbe,
} from './policy.js';
export { createServer, KtlsServer } from './server.js';
export { KtlsStream } from './stream.js';
export { UserspaceRx, UserspaceTx } from './userspacePlane.js';
