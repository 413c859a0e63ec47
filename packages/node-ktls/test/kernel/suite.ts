/**
 * The `node-ktls` rows of the VM kernel suite (docs/vm-harness.md): packages/native's in-VM runner
 * (test/kernel/main.ts) imports this file's compiled form and runs each test in its one Node process,
 * with the real `probe()`: the kernel planes carry the records wherever the policy allows it. Every
 * row checks /proc/net/tls_stat, so a pass proves the kernel (not the userspace fallback) did it.
 * Rows live in files by peer or topic; importing them registers them in `NODE_KTLS_TESTS`.
 */
import './nodeRows.js';
import './bulkRows.js';
import './edgeRows.js';
import './opensslRows.js';
import './gnutlsRows.js';
import './curlRows.js';
import './ktlsPeerRows.js';

export { NODE_KTLS_TESTS, type NodeKtlsKernelTest, VM_TRANSFER_BYTES } from './rows.js';
