import { describe, expect, it } from 'vitest';
import { concat, EMPTY, utf8 } from '../src/bytes.js';
import { cryptoStateFromKeyIv } from '../src/cryptoState.js';
import { TlsRecordLayer } from '../src/driver.js';
import { ModelAeadEngine } from '../src/engines/model.js';
import { RecordLayerError } from '../src/errors.js';
import { suiteByName } from '../src/suites.js';

/**
 * The kernel selftest FIXTURE(zero_len) (tools/testing/selftests/net/tls.c,
 * docs/kernel-tls.md §10.3):
 * TLS 1.2 AES-CCM-128 with all-zero key/iv/salt, three records of "Hello world" or empty, data
 * (0x17) or control (0x16); each read is recvmsg(MSG_DONTWAIT) with cmsg room and a 128-byte iov.
 */
const VARIANTS: Record<string, { records: string; expect: (number | string)[] }> = {
  data_data_data: { records: 'd d d', expect: [33, 'EAGAIN'] },
  data_0ctrl_data: { records: 'd 0c d', expect: [11, 0, 11, 'EAGAIN'] },
  '0data_0data_0data': { records: '0d 0d 0d', expect: ['EAGAIN'] },
  '0data_0data_ctrl': { records: '0d 0d c', expect: [0, 11, 'EAGAIN'] },
  '0data_0data_0ctrl': { records: '0d 0d 0c', expect: [0, 0, 'EAGAIN'] },
  '0ctrl_0ctrl_0ctrl': { records: '0c 0c 0c', expect: [0, 0, 0, 'EAGAIN'] },
  '0data_0data_data': { records: '0d 0d d', expect: [11, 'EAGAIN'] },
  data_0data_0data: { records: 'd 0d 0d', expect: [11, 'EAGAIN'] },
};

describe('zero-length records (kernel selftest zero_len)', () => {
  const suite = suiteByName('TLS_ECDHE_ECDSA_WITH_AES_128_CCM');
  const zero = cryptoStateFromKeyIv(suite, new Uint8Array(16), new Uint8Array(12));

  for (const [name, v] of Object.entries(VARIANTS)) {
    it(name, () => {
      const engine = new ModelAeadEngine();
      const tx = new TlsRecordLayer({ engine });
      const rx = new TlsRecordLayer({ engine });
      tx.installTxKey(zero);
      rx.installRxKey(zero);
      const hello = utf8('Hello world');
      const wire = concat(
        v.records.split(' ').map((r) => {
          const body = r.startsWith('0') ? EMPTY : hello;
          return r.endsWith('c') ? tx.sendControl(0x16, body) : tx.sendControl(0x17, body);
        }),
      );
      rx.receive(wire);
      const got: (number | string)[] = [];
      for (let i = 0; i < v.expect.length; i++) {
        try {
          got.push(rx.recv({ cmsg: true, maxBytes: 128 }).data.length);
        } catch (e) {
          if (!(e instanceof RecordLayerError)) throw e;
          got.push(e.errno);
        }
      }
      expect(got).toEqual(v.expect);
    });
  }
});
