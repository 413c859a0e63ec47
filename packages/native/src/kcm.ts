import { native } from './errors.js';
import { KtlsSocket, POLLIN } from './ktls.js';

/**
 * AF_KCM, the Kernel Connection Multiplexor (net/kcm/), asked the seed review's upper-layer
 * question on a real kernel: can it sit on a kernel TLS socket and cut the decrypted stream into
 * messages? A KCM socket, a length parser as a BPF socket-filter program (four instructions,
 * assembled by the addon and loaded with bpf(2)), and SIOCKCMATTACH of the TCP socket
 * (docs/kernel-tls.md §12 has what each kernel answered).
 */

/** Where a message's big-endian u32 length sits, and how long the header before the payload is. */
export interface KcmParser {
  readonly lengthOffset: number;
  readonly headerLength: number;
}

/** RDS's header: 48 bytes, `h_len` at offset 16 (the sim's `rds` framer). */
export const RDS_PARSER: KcmParser = { lengthOffset: 16, headerLength: 48 };
/** A bare 4-byte length prefix (the sim's `kcm` framer). */
export const LENGTH_PREFIX_PARSER: KcmParser = { lengthOffset: 0, headerLength: 4 };

/** A KCM socket with its parser program; TCP sockets attached to it feed it messages. */
export class KcmMux {
  readonly socket: KtlsSocket;
  readonly #bpf: number;

  private constructor(socket: KtlsSocket, bpf: number) {
    this.socket = socket;
    this.#bpf = bpf;
  }

  /** Loads the parser (bpf(BPF_PROG_LOAD)) and opens socket(AF_KCM, SOCK_SEQPACKET, 0). */
  static open(parser: KcmParser): KcmMux {
    const bpf = native((b) => b.bpfLengthParser(parser.lengthOffset, parser.headerLength));
    try {
      return new KcmMux(new KtlsSocket(native((b) => b.kcmSocket())), bpf);
    } catch (e) {
      native((b) => b.close(bpf));
      throw e;
    }
  }

  /** ioctl(SIOCKCMATTACH): `tcp` is read by the multiplexor from now on. */
  attach(tcp: KtlsSocket): void {
    native((b) => b.kcmAttach(this.socket.fd, tcp.fd, this.#bpf));
  }

  /** The next whole message, or null when none came within `timeoutMs`. */
  recvMessage(timeoutMs: number, maxBytes = 65536): Uint8Array | null {
    if ((this.socket.poll(POLLIN, timeoutMs) & POLLIN) === 0) return null;
    return this.socket.recv({ maxBytes, dontwait: true }).data;
  }

  close(): void {
    try {
      this.socket.close();
    } finally {
      native((b) => b.close(this.#bpf));
    }
  }
}
