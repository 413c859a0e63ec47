/**
 * The trace codec: the NDJSON format of trace.ts, written by traceWriter.ts, read and validated
 * by traceReader.ts, hashed by traceHash.ts. This module only gathers them.
 */
export { traceHash } from './traceHash.js';
export {
  DEFAULT_MAX_TRACE_BYTES,
  type ParsedTrace,
  type ParseTraceOptions,
  parseTrace,
  type TraceParseError,
  type TraceParseErrorCode,
  TraceReader,
  type TraceStreamOptions,
} from './traceReader.js';
export { headerLine, serializeTrace, TraceWriter, traceLine } from './traceWriter.js';
