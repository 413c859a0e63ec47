/**
 * Validates trace text with core's `parseTrace`, off the page's thread: a huge or hostile trace
 * never freezes the tab. Several of these run in parallel on slices of one trace.
 *
 * It answers only "valid" or the error: sending 100,000 parsed objects back through
 * structured clone costs more than the page parsing the validated JSON itself.
 */
import { parseTrace } from '@ktls-lab/core';
import type { ValidateReply, ValidateRequest } from './protocol';

interface WorkerScope {
  postMessage(message: ValidateReply): void;
  onmessage: ((event: MessageEvent<ValidateRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = ({ data: { id, text, maxBytes } }) => {
  const parsed = parseTrace(text, { maxBytes });
  scope.postMessage(
    parsed.ok
      ? { id, ok: true, events: parsed.events.length }
      : { id, ok: false, error: parsed.error },
  );
};
