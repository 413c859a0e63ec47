import { join } from 'node:path';
import { freePort, PeerProcess } from './peerProcess.js';

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
 *   messages go to stderr (`--logfile /proc/self/fd/2`: the VM's /dev has no /dev/stderr). At the end of stdin it sends close_notify
 *   (`gnutls_bye(GNUTLS_SHUT_WR)`) and reads on until the server closes, then logs
 *   `- Peer has closed the GnuTLS connection`. With `--inline-commands`, a line `^rekey1^` sends
 *   KeyUpdate(update_not_requested) and `^rekey^` KeyUpdate(update_requested) (gnutls src/cli.c
 *   `try_rekey(hd, peer)`: `gnutls_session_key_update(peer ? GNUTLS_KU_PEER : 0)`), each logged
 *   `- Rekey was completed`.
 */
export class GnutlsPeer extends PeerProcess {
  constructor(
    command: 'gnutls-serv' | 'gnutls-cli',
    args: string[],
    readonly port: number,
  ) {
    super(command, args);
  }

  /** `gnutls-serv --echo` on a free port with the certificate in `dir`; resolves once it listens. */
  static async echoServer(dir: string, suite: GnutlsSuite): Promise<GnutlsPeer> {
    const port = await freePort();
    const peer = new GnutlsPeer(
      'gnutls-serv',
      [
        '--echo',
        `--priority=${priority(suite)}`,
        `--x509certfile=${join(dir, 'cert.pem')}`,
        `--x509keyfile=${join(dir, 'key.pem')}`,
        `--port=${port}`,
      ],
      port,
    );
    await peer.waitFor(/listening on IPv4 .* port \d+\.\.\.done/);
    return peer;
  }

  /** `gnutls-cli` to our listener on `port`, verifying the certificate in `dir` for `localhost`. */
  static client(dir: string, port: number, suite: GnutlsSuite, extra: string[] = []): GnutlsPeer {
    return new GnutlsPeer(
      'gnutls-cli',
      [
        `--priority=${priority(suite)}`,
        `--x509cafile=${join(dir, 'cert.pem')}`,
        `--port=${port}`,
        '--logfile=/proc/self/fd/2',
        ...extra,
        // The name the certificate is for; connected over IPv4 (gnutls-cli tries each address).
        'localhost',
      ],
      port,
    );
  }

  /** The suite GnuTLS negotiated, from its `- Description:` line: `(TLS1.3...)...(AES-128-GCM)`. */
  async description(): Promise<string> {
    return (await this.waitFor(/- Description: (\S+)/))[1] ?? '';
  }
}
