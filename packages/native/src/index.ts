/**
 * @ktls-lab/native: the real kernel path. An AF_ALG AEAD engine (core's `AeadEngine`), kernel TLS
 * sockets, `probe()`, a driver that runs core's machines on kernel TLS, and the 2015 RFC's design
 * run end to end on AF_ALG (`runScenarioOnRfc2015`). Importing never
 * throws; missing kernel features surface as typed errors (`NativeSyscallError` with the errno
 * name, `NativeUnavailableError` when the addon is not there).
 *
 * Importing it makes the OpenSSL EVP engine core's default AEAD engine where the addon loads
 * (`setDefaultAeadEngineProvider`; README "The default engine"): a `TlsRecordLayer` created
 * without an engine then uses it, with node:crypto as the fallback.
 */
import { setDefaultAeadEngineProvider } from '@ktls-lab/core';
import { evpAeadEngineProvider, evpAvailability } from './evp.js';

export { AF_ALG_NAMES, AfAlgAeadEngine, type BatchResult } from './afalg.js';
export {
  BATCH_STRIDE,
  BatchField,
  EVP_ENGINE_NAME,
  EvpAeadEngine,
  type EvpAvailability,
  evpAeadEngineProvider,
  evpAvailability,
} from './evp.js';
export { EvpRecordOpener, EvpRecordSealer, type RecordBatchCapacity } from './evpRecords.js';
export {
  type LoadResult,
  loadNative,
  type NativeBinding,
  type NativeFdWatcher,
  type NativeJobResult,
  type NativeJobSpec,
} from './binding.js';
export {
  FdWatcher,
  Readiness,
  type ReadinessCallback,
  type ReadinessWatcher,
} from './fdWatcher.js';
export { isErrno, NativeSyscallError, NativeUnavailableError } from './errors.js';
export { KcmMux, type KcmParser, LENGTH_PREFIX_PARSER, RDS_PARSER } from './kcm.js';
export {
  cryptoInfoSize,
  type Direction,
  IPPROTO_TCP,
  KtlsSocket,
  type KtlsRecvOptions,
  type KtlsRecvResult,
  MSG,
  POLLIN,
  POLLOUT,
  type RecvOptions,
  type SendOptions,
  SO_RCVLOWAT,
  SO_RCVTIMEO,
  SO_SNDBUF,
  SOL_SOCKET,
  SOL_TLS,
  TLS_RX,
  TLS_RX_EXPECT_NO_PAD,
  TLS_TX,
  TLS_TX_MAX_PAYLOAD_LEN,
  TLS_TX_ZEROCOPY_RO,
} from './ktls.js';
export {
  AEAD_NAMES,
  type CipherProbe,
  type FeatureStatus,
  formatProbe,
  KERNEL_CIPHERS,
  type ProbeResult,
  probe,
  rawCryptoInfo,
  type UserspaceEngine,
  userspaceEngine,
} from './probe.js';
export {
  type AppSequences,
  type AppStep,
  appSequencesOfRun,
  compareRuns,
  compareWithSim,
  countOutOfOrder,
  designForKernel,
  type EndpointObservation,
  type KernelAction,
  type KernelRunOptions,
  type KernelRunResult,
  type KernelScenario,
  kernelCapability,
  type Rfc2015RunOptions,
  type Rfc2015RunResult,
  type Rfc2015Stats,
  rfc2015Capability,
  runScenarioOnCore,
  runScenarioOnKernel,
  runScenarioOnRfc2015,
  runScenarioOnSim,
  SIM_DIVERGENCES,
  type SimDivergence,
  type SimRunResult,
} from './kernelRun/index.js';

// The one side effect of importing this package (README "The default engine").
if (evpAvailability().ok) setDefaultAeadEngineProvider(evpAeadEngineProvider);
