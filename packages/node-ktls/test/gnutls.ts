import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { reader } from './openssl.js';
import { freePort, messageLog, PeerProcess } from './peerProcess.js';

/** The GnuTLS cipher name and TLS version of a suite, for a priority string. */
export interface GnutlsSuite {
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  /** GnuTLS's name: AES-128-GCM, AES-256-GCM, CHACHA20-POLY1305, AES-128-CCM. */
  readonly cipher: string;
}

/**
 * A priority string that allows exactly one suite: one version, one cipher, AEAD, and (TLS 1.2)
 * the ECDHE-ECDSA key exchange of our P-256 certificate. `gnutls-cli -l --priority <string>` lists
 * the one suite it yields (checked with gnutls 3.7.9 for the eight suites of test/kernel/rows.ts).
 */
export function priority(s: GnutlsSuite): string {
  const version = s.version === 'TLSv1.3' ? 'VERS-TLS1.3' : 'VERS-TLS1.2';
  return `NONE:+${version}:+${s.cipher}:+AEAD:+ECDHE-ECDSA:+GROUP-ALL:+SIGN-ALL:+CTYPE-X509:+COMP-NULL`;
}

/**
 * Debian's `gnutls-serv` / `gnutls-cli` (gnutls-bin) as a peer.
 *
 * - `gnutls-serv --echo` sends back each record it reads, as a C string (so binary data travels as
 *   `hexLines`), and prints what it negotiated (`- Description: (TLS1.3-X.509)-...-(AES-128-GCM)`).
 *   It has no command that starts a KeyUpdate (its `**REHANDSHAKE**` is TLS 1.2 renegotiation),
 *   but it answers a KeyUpdate(update_requested) with its own (RFC 8446 §4.6.3).
 * - `gnutls-cli` writes what it reads to stdout byte for byte and sends its stdin as is; its
 *   messages go to a file (`--logfile`, read as `messages`). At the end of stdin it sends close_notify
 *   (`gnutls_bye(GNUTLS_SHUT_WR)`) and reads on until the server closes, then logs
 *   `- Peer has closed the GnuTLS connection` (the log file is written through stdio's buffer:
 *   what it says may show only at exit). With `--inline-commands`, a line `^rekey1^` sends
 *   KeyUpdate(update_not_requested) and `^rekey^` KeyUpdate(update_requested) (gnutls src/cli.c
 *   `try_rekey(hd, peer)`: `gnutls_session_key_update(peer ? GNUTLS_KU_PEER : 0)`); with `-d 4`
 *   its debug log on stderr (unbuffered) says `sending key update (<request_update>)` and, for
 *   one it receives, `received TLS 1.3 key update (<request_update>)`.
 */
export class GnutlsPeer extends PeerProcess {
  constructor(
    command: 'gnutls-serv' | 'gnutls-cli',
    args: string[],
    readonly port: number,
    log?: string,
  ) {
    super(command, args, log);
  }

  /** `gnutls-serv --echo` on a free port with the certificate in `dir`; resolves once it listens. */
  static async echoServer(
    dir: string,
    suite: GnutlsSuite,
    extra: string[] = [],
  ): Promise<GnutlsPeer> {
    const port = await freePort();
    const peer = new GnutlsPeer(
      'gnutls-serv',
      [
        '--echo',
        `--priority=${priority(suite)}`,
        `--x509certfile=${join(dir, 'cert.pem')}`,
        `--x509keyfile=${join(dir, 'key.pem')}`,
        `--port=${port}`,
        ...extra,
      ],
      port,
    );
    await peer.waitFor(/listening on IPv4 .* port \d+\.\.\.done/, 0, 30_000);
    return peer;
  }

  /** `gnutls-cli` to our listener on `port`, verifying the certificate in `dir` for `localhost`. */
  static client(dir: string, port: number, suite: GnutlsSuite, extra: string[] = []): GnutlsPeer {
    const log = messageLog();
    return new GnutlsPeer(
      'gnutls-cli',
      [
        `--priority=${priority(suite)}`,
        `--x509cafile=${join(dir, 'cert.pem')}`,
        `--port=${port}`,
        `--logfile=${log}`,
        ...extra,
        // The name the certificate is for; connected over IPv4 (gnutls-cli tries each address).
        'localhost',
      ],
      port,
      log,
    );
  }

  /** The suite GnuTLS negotiated, from its `- Description:` line: `(TLS1.3...)...(AES-128-GCM)`. */
  async description(): Promise<string> {
    return (await this.waitFor(/- Description: (\S+)/))[1] ?? '';
  }
}

/**
 * `^rekey1^` then `^rekey^` from gnutls-cli (`--inline-commands -d 4`) to `ours`: each KeyUpdate of
 * the kind asked leaves gnutls, its next line reaches us (we follow its next key), our next line
 * reaches it, and gnutls received our KeyUpdate(update_not_requested) after `^rekey^` only.
 */
export async function gnutlsKeyUpdates(peer: GnutlsPeer, ours: Duplex): Promise<void> {
  const got = reader(ours);
  for (const [command, requestUpdate, answer] of [
    ['^rekey1^', '0', []],
    ['^rekey^', '1', ['0']],
  ] as const) {
    const mark = peer.messages.length;
    peer.type(command);
    const sent = await peer.waitFor(/sending key update \((\d)\)/, peer.output.length);
    assert.equal(sent[1], requestUpdate, `request_update of gnutls's KeyUpdate for ${command}`);
    peer.type(`after ${command}`);
    await got.until(`after ${command}\n`);
    const from = peer.stdout().length;
    ours.write(`ping ${command}\n`);
    await peer.waitForStdout(`ping ${command}\n`, from);
    const received = peer.messages.slice(mark).matchAll(/received TLS 1\.3 key update \((\d)\)/g);
    assert.deepEqual(
      [...received].map((m) => m[1]),
      answer,
      `our KeyUpdate after ${command}`,
    );
  }
  noGnutlsError(peer);
}

/** gnutls said nothing of a fatal error or an alert received. */
export function noGnutlsError(peer: GnutlsPeer): void {
  const error = peer.messages.match(/\*\*\* (Fatal error|Received alert).*|Error in.*/);
  assert.equal(error, null, `gnutls: ${error?.[0]}`);
}
