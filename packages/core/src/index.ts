/**
 * @ktls-lab/core: the kernel TLS record layer as a sans-I/O state machine.
 *
 * Browser-safe entry point. The node:crypto engine lives at `@ktls-lab/core/node`.
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
export { concat, EMPTY, equal, fromHex, MAX_U64, readU64be, toHex, u64be, utf8 } from './bytes.js';
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
  type Direction,
  type DirectionSummary,
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
export { parseTsharkFollowRaw } from './decode/tshark.js';
export {
  AES_GCM_ONLY_PROFILE,
  type CapabilityProfile,
  DESIGNS,
  type Design,
  FULL_PROFILE,
  findDesign,
  LINUX_KTLS,
  LINUX_KTLS_PRE_REKEY,
  profileSupports,
  RFC_2015,
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
export { ModelAeadEngine, type NonceReuse } from './engines/model.js';
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
export { laneTid, type PerfettoEvent, type PerfettoTrace, toPerfetto } from './perfetto.js';
export {
  AlertDescription,
  type AlertName,
  alertBody,
  ContentType,
  contentTypeName,
  HandshakeType,
  HEADER_SIZE,
  LEGACY_RECORD_VERSION,
  MAX_PLAINTEXT,
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
  sealLayout,
  sealRecord,
} from './recordCrypto.js';
export {
  createRx,
  type RxConfig,
  type RxEffect,
  type RxInput,
  type RxPhase,
  type RxState,
  rxBlockedReason,
  rxStep,
} from './rx.js';
export {
  type AeadAlgorithm,
  type CipherSuite,
  findSuite,
  KernelCipher,
  recordOverhead,
  SUITES,
  type SuiteName,
  suiteByName,
  suiteFor,
} from './suites.js';
export {
  LANES,
  type Lane,
  PREVIEW_BYTES,
  TRACE_FORMAT,
  TRACE_KINDS,
  TRACE_VERSION,
  type TraceDraft,
  type TraceEvent,
  type TraceHeader,
  type TraceKind,
  type TraceViolation,
} from './trace.js';
export {
  type ParsedTrace,
  type ParseTraceOptions,
  parseTrace,
  serializeTrace,
  type TraceParseError,
  TraceReader,
  type TraceStreamOptions,
  TraceWriter,
  traceHash,
  traceLine,
} from './traceCodec.js';
export {
  createTx,
  type TxConfig,
  type TxEffect,
  type TxInput,
  type TxPhase,
  type TxState,
  txCryptoState,
  txStep,
} from './tx.js';
