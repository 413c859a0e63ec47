/** Helpers that turn the trace's hex fields into something a person reads. Pure, never throw. */

/** "17 03 03 01 3d" (groups of bytes, wrapped by the caller). */
export function spacedHex(hex: string): string {
  return hex.replace(/(..)(?!$)/g, '$1 ');
}

/** Printable ASCII as is, every other byte as "·", so a preview is readable text or obviously binary. */
export function hexToText(hex: string): string {
  let out = '';
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const b = Number.parseInt(hex.slice(i, i + 2), 16);
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·';
  }
  return out;
}

export interface RecordHeaderFields {
  readonly type: number;
  readonly version: string;
  readonly length: number;
}

/** The 5-byte TLS record header (RFC 8446 §5.1), or null when `hex` is not one. */
export function decodeRecordHeader(hex: string): RecordHeaderFields | null {
  if (!/^[0-9a-f]{10}$/.test(hex)) return null;
  const b = (i: number) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return {
    type: b(0),
    version: `0x${hex.slice(2, 6)}`,
    length: (b(3) << 8) | b(4),
  };
}
