import { ModelAeadEngine, type OpenRequest, type SealRequest } from '@ktls-lab/core';

/**
 * The model engine, remembering the last request it sealed and opened: what a record was really
 * protected with, for the monitor's key-schedule oracle (`../keySchedule.ts`), also where core
 * built the request out of sight (`sealRecord`/`openRecord` in userspace). Requests are never
 * written after (their buffers come from core's `alloc`, handed out once).
 */
export class ObservedEngine extends ModelAeadEngine {
  lastSeal: SealRequest | null = null;
  lastOpen: OpenRequest | null = null;

  override seal(request: SealRequest): Uint8Array {
    this.lastSeal = request;
    return super.seal(request);
  }

  override open(request: OpenRequest): Uint8Array | null {
    this.lastOpen = request;
    return super.open(request);
  }
}
