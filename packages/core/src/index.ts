/**
 * @ktls-lab/core: the kernel TLS record layer as a sans-I/O state machine.
 *
 * Browser-safe entry point: nothing here imports a `node:` module. The node:crypto engine reaches
 * node:crypto through `process.getBuiltinModule` where the runtime has it.
 */

export {
  AEAD_KEY_LENGTH,
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  type AeadEngine,
  type AeadKey,
  checkAeadKey,
  checkAeadNonce,
  type OpenRequest,
  type SealRequest,
  sealPlaintext,
} from './aead.js';
export {
  type Bytes,
  concat,
  EMPTY,
  equal,
  fromHex,
  MAX_U64,
  readU64be,
  toHex,
  u64be,
  utf8,
} from './bytes.js';
export { encodeHeader, encodeRecord, recordBytes, type WireRecord } from './codec.js';
export {
  type CryptoState,
  cryptoStateFromKernel,
  cryptoStateFromKeyIv,
  cryptoStateFromSecret,
  cryptoStateToKernel,
  keyFingerprint,
  validateCryptoState,
} from './cryptoState.js';
export {
  DecodeError,
  type DecodeInput,
  type DecodeResult,
  type DecodeSummary,
  type DirectionSummary,
  type StreamDirection,
  decodeSession,
} from './decode/session.js';
export {
  KEYLOG_LABELS,
  type KeyLog,
  KeyLogError,
  type KeyLogLabel,
  keyLogSecret,
  parseKeyLog,
} from './decode/keylog.js';
export {
  type ClientHello,
  parseClientHello,
  parseServerHello,
  type ServerHello,
} from './decode/hello.js';
export { parseTsharkFollowRaw } from './decode/tshark.js';
export {
  AES_GCM_ONLY_PROFILE,
  type CapabilityProfile,
  DESIGNS,
  type Design,
  type DesignName,
  FULL_PROFILE,
  findDesign,
  LINUX_KTLS,
  LINUX_KTLS_PRE_REKEY,
  profileSupports,
  RFC_2015,
  resolveDesign,
  type RxPolicy,
  type TxPolicy,
} from './design.js';
export {
  createLogicalClock,
  type LogicalClock,
  type ReceivedRecord,
  type RecordLayerOptions,
  type RecvOptions,
  type RecvResult,
  TlsRecordLayer,
  tryRecv,
} from './driver.js';
export {
  type AeadEngineProvider,
  defaultAeadEngine,
  defaultAeadEngineProvider,
  setDefaultAeadEngineProvider,
} from './engines/default.js';
export { ModelAeadEngine, type NonceReuse } from './engines/model.js';
export { NodeCryptoAeadEngine, nodeCryptoAvailable } from './engines/nodeCrypto.js';
export * from './control/index.js';
export { assertNever } from './exhaustive.js';
export type { Direction, Draft as MachineDraft } from './machine.js';
export { isLinuxErrno, LINUX_ERRNOS, type LinuxErrno, type SyscallErrno } from './linuxErrno.js';
export {
  ERROR_CATALOG,
  type Errno,
  type ErrorSpec,
  type RecordError,
  type RecordErrorCode,
  RecordLayerError,
  recordError,
} from './errors.js';
export {
  deriveTrafficKeys,
  hkdfExpandLabel,
  nextTrafficSecret,
  tls12KeyBlock,
  tls12Prf,
} from './keySchedule.js';
export { incrementBe, recordAad, recordNonce } from './nonce.js';
export {
  createParser,
  feed,
  kernelLimits,
  type ParserState,
  peekHeader,
  peekType,
  plaintextLimits,
  type RecordLimits,
  rfcLimits,
  type TakeResult,
  takeBytes,
  takeRecord,
  withLimits,
} from './parser.js';
export {
  laneTid,
  PERFETTO_JSON_START,
  type PerfettoEvent,
  type PerfettoItem,
  PerfettoStream,
  type PerfettoTrace,
  perfettoJsonEnd,
  toPerfetto,
} from './perfetto.js';
export {
  AlertDescription,
  AlertLevel,
  type AlertName,
  alertBody,
  alertLevelOf,
  ContentType,
  type ContentTypeByte,
  contentTypeName,
  HandshakeType,
  HEADER_SIZE,
  isContentType,
  KeyUpdateRequest,
  LEGACY_RECORD_VERSION,
  MAX_CIPHERTEXT_TLS12,
  MAX_CIPHERTEXT_TLS13,
  MAX_PLAINTEXT,
  MIN_RECORD_SIZE_LIMIT,
  TLS_1_2,
  TLS_1_3,
  type TlsVersion,
} from './protocol.js';
export {
  advance,
  innerContent,
  type OpenedRecord,
  openLayout,
  openRecord,
  type SealLayout,
  type SealedRecord,
  sealLayout,
  sealRecord,
} from './recordCrypto.js';
export { err, ok, type Result } from './result.js';
export {
  createRx,
  type RxConfig,
  type RxDraft,
  type RxEffect,
  type RxInput,
  type RxPhase,
  type RxState,
  rxApply,
  rxBlockedReason,
  rxStep,
} from './rx.js';
export {
  type AeadAlgorithm,
  type CipherSuite,
  findSuite,
  KernelCipher,
  KNOWN_SUITES,
  recordOverhead,
  resolveSuite,
  SUITES,
  type SuiteName,
  type SuiteRef,
  TLS12_KEY_EXCHANGE_VARIANTS,
  suiteByName,
  suiteFor,
} from './suites.js';
// The event vocabulary (kinds, fields, reasons, lanes) as traceEvent.ts defines it.
export * from './traceEvent.js';
export {
  createTraceHeader,
  PREVIEW_BYTES,
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceHeader,
} from './trace.js';
export {
  type ParsedTrace,
  type ParseTraceOptions,
  parseTrace,
  serializeTrace,
  type TraceParseError,
  type TraceParseErrorCode,
  TraceReader,
  type TraceStreamOptions,
  TraceWriter,
  traceHash,
  traceLine,
} from './traceCodec.js';
export {
  createTx,
  type TxConfig,
  type TxDraft,
  type TxEffect,
  type TxInput,
  type TxPhase,
  type TxState,
  txApply,
  txCryptoState,
  txStep,
} from './tx.js';
