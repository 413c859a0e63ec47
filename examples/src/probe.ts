/**
 * What this machine's kernel offers for kernel TLS and AF_ALG, asked of the kernel itself. On a
 * kernel without them (this project's build machines) it says what is missing and why; the same
 * program in the test VM lists the ciphers the kernel takes.
 */
import assert from 'node:assert/strict';
import { formatProbe, probe } from '@ktls-lab/native';

const result = probe();
assert.ok(result.addon.available, 'the addon loads on Linux');
console.log(formatProbe(result));
assert.match(result.kernel ?? '', /^\d+\.\d+/);
