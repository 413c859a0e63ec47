import { describe, expect, it } from 'vitest';
import { decodeRecordHeader, hexToText, spacedHex } from './bytes';
import { colourOfType, contentTypeName, OKABE_ITO } from './palette';

describe('bytes', () => {
  it('spaces hex and renders printable bytes only', () => {
    expect(spacedHex('170303013d')).toBe('17 03 03 01 3d');
    expect(hexToText('68690a3c62')).toBe('hi·<b');
  });
  it('decodes a record header', () => {
    expect(decodeRecordHeader('170303013d')).toEqual({ type: 23, version: '0x0303', length: 317 });
    expect(decodeRecordHeader('1703')).toBeNull();
  });
});

describe('palette', () => {
  it('names and colours content types from the Okabe–Ito palette', () => {
    expect(contentTypeName(22)).toBe('handshake');
    expect(contentTypeName(99)).toBe('unknown (99)');
    expect(colourOfType(23)).toBe(OKABE_ITO.blue);
    expect(Object.values(OKABE_ITO)).toContain(colourOfType(undefined));
  });
});
