/**
 * The streaming record parser on its own: feed bytes as they arrive, take whole records as they
 * complete, with the kernel's limits (a record the kernel would refuse is a typed error with the
 * errno the kernel returns, EMSGSIZE here).
 */
import assert from 'node:assert/strict';
import {
  createParser,
  encodeRecord,
  feed,
  kernelLimits,
  suiteByName,
  takeRecord,
} from '@ktls-lab/core';

const suite = suiteByName('TLS_AES_128_GCM_SHA256');
const records = [encodeRecord(23, new Uint8Array(40)), encodeRecord(23, new Uint8Array(17))];
const stream = new Uint8Array([...records[0]!, ...records[1]!]);

let parser = createParser(kernelLimits(suite));
const seen: number[] = [];
for (let i = 0; i < stream.length; i += 7) {
  parser = feed(parser, stream.subarray(i, i + 7));
  for (;;) {
    const taken = takeRecord(parser);
    if (taken.kind !== 'record') break;
    parser = taken.state;
    seen.push(taken.record.body.length);
  }
}
assert.deepEqual(seen, [40, 17]);

// 2^14 + 256 + 1 bytes of body: more than a TLS 1.3 record may carry.
const oversize = Uint8Array.of(23, 3, 3, 0x41, 0x01);
const refused = takeRecord(feed(createParser(kernelLimits(suite)), oversize));
assert.equal(refused.kind, 'error');
if (refused.kind === 'error') assert.equal(refused.error.errno, 'EMSGSIZE');
console.log(`parser: ${seen.length} records from 7-byte chunks; an oversize header gives EMSGSIZE`);
