/**
 * Every file of the kernel suite, registered in table order; the VM runner (main.ts) and the host
 * wrapper (test/kernel.test.ts) both import this, so neither can miss a file.
 */
import './afalg.js';
import './selftests.js';
import './selftests-io.js';
import './selftests-threads.js';
import './selftests-misc.js';
import './differential.js';
import './eio.js';
import './rfc2015.js';
import './kcm.js';
