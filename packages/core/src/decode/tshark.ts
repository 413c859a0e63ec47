import { fromHex } from '../bytes.js';
import type { StreamDirection } from './session.js';

/**
 * Reads `tshark -q -z follow,tcp,raw,<stream>` output: a banner, `Node 0:`/`Node 1:` lines, then
 * one hex line per TCP payload chunk, the server's (node 1) indented by a tab, in capture order.
 * Node 0 is the endpoint that sent first: the client, for a capture that starts at the SYN.
 *
 *   tshark -r session.pcap -q -z follow,tcp,raw,0 > follow.txt
 */
export function parseTsharkFollowRaw(text: string): { dir: StreamDirection; bytes: Uint8Array }[] {
  const chunks: { dir: StreamDirection; bytes: Uint8Array }[] = [];
  let inBody = false;
  // LF, CRLF or CR-only line ends alike (a file saved on another system).
  for (const [i, raw] of text.split(/\r\n|\r|\n/).entries()) {
    if (/^={10,}/.test(raw)) {
      if (inBody) break;
      continue;
    }
    if (/^(Follow|Filter|Node \d):/.test(raw)) {
      inBody = true;
      continue;
    }
    if (!inBody || raw.trim() === '') continue;
    const dir: StreamDirection = raw.startsWith('\t') ? 's2c' : 'c2s';
    const hex = raw.trim();
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex))
      throw new TypeError(
        `not tshark "follow,tcp,raw" output: line ${i + 1}: expected hex bytes (an even number of digits), got "${hex.slice(0, 40)}"`,
      );
    chunks.push({ dir, bytes: fromHex(hex) });
  }
  if (!inBody)
    throw new TypeError('not tshark "follow,tcp,raw" output: no "Follow:"/"Node 0:" banner');
  return chunks;
}
