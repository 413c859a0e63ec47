import { describe, expect, it } from 'vitest';
import { concat, utf8 } from '../src/bytes.js';
import { cryptoStateFromKeyIv } from '../src/cryptoState.js';
import { TlsRecordLayer } from '../src/driver.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import { RecordLayerError } from '../src/errors.js';
import { suiteByName } from '../src/suites.js';
import { ZERO_LEN_VARIANTS } from '../src/testing/index.js';

/**
 * The kernel selftest FIXTURE(zero_len) (src/testing/vectors/zeroLen.ts, docs/kernel-tls.md
 * §10.3): TLS 1.2 AES-CCM-128 with all-zero key/iv/salt, three records of "Hello world" or empty,
 * data (0x17) or control (0x16); each read is recvmsg(MSG_DONTWAIT) with cmsg room and a 128-byte
 * iov.
 */
describe('zero-length records (kernel selftest zero_len)', () => {
  const suite = suiteByName('TLS_ECDHE_ECDSA_WITH_AES_128_CCM');
  const zero = cryptoStateFromKeyIv(suite, new Uint8Array(16), new Uint8Array(12));

  for (const v of ZERO_LEN_VARIANTS) {
    it(v.name, () => {
      const engine = new ModelAeadEngine();
      const tx = new TlsRecordLayer({ engine });
      const rx = new TlsRecordLayer({ engine });
      tx.installTxKey(zero);
      rx.installRxKey(zero);
      const wire = concat(v.records.map((r) => tx.sendControl(r.type, utf8(r.plain))));
      rx.receive(wire);
      const got: (number | string)[] = [];
      for (let i = 0; i < v.reads.length; i++) {
        try {
          got.push(rx.recv({ cmsg: true, maxBytes: 128 }).data.length);
        } catch (e) {
          if (!(e instanceof RecordLayerError)) throw e;
          got.push(e.errno);
        }
      }
      expect(got).toEqual(v.reads);
    });
  }
});
