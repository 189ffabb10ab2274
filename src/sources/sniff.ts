// What a file looks like, from its first bytes: so that a file given as the wrong kind of input
// is refused with a message saying what it is ("this looks like a dnsmasq lease file, not a
// Pi-hole query log"), while a file of the right kind with a few bad bytes is read line by line.
// Pure. A kind is claimed only on clear evidence: magic numbers, or a majority of the first
// lines in one known shape; a text file in no known shape is 'text' and left to the parser.
import { detectLeaseFormat } from './leases/common.js';

export type ContentKind =
  | 'empty'
  | 'gzip'
  | 'pcap'
  | 'pcapng'
  | 'sqlite'
  | 'executable'
  | 'archive'
  | 'binary'
  | 'utf16'
  | 'pihole-log'
  | 'dnsmasq-leases'
  | 'isc-leases'
  | 'kea-leases'
  | 'pihole-api-leases'
  | 'viewing-activity'
  | 'viewing-history'
  | 'text';

/** How each kind is named in a message, and the option that reads it (if any). */
export const KIND_TEXT: Record<ContentKind, { readonly name: string; readonly option?: string }> = {
  empty: { name: 'an empty file' },
  gzip: { name: 'gzip-compressed data' },
  pcap: { name: 'a packet capture (pcap)', option: '--pcap' },
  pcapng: { name: 'a packet capture (pcapng)', option: '--pcap' },
  sqlite: { name: 'an SQLite database' },
  executable: { name: 'a program (executable)' },
  archive: { name: 'an archive or document (zip, pdf, ...)' },
  binary: { name: 'binary data' },
  utf16: { name: 'UTF-16 text (save it as UTF-8)' },
  'pihole-log': { name: 'a Pi-hole query log', option: '--pihole-log' },
  'dnsmasq-leases': { name: 'a dnsmasq lease file', option: '--leases' },
  'isc-leases': { name: 'an ISC dhcpd lease file', option: '--leases' },
  'kea-leases': { name: 'a Kea lease file', option: '--leases' },
  'pihole-api-leases': { name: "Pi-hole's DHCP lease JSON", option: '--leases' },
  'viewing-activity': { name: "Netflix's ViewingActivity.csv", option: '--viewing-activity' },
  'viewing-history': { name: "Netflix's NetflixViewingHistory.csv", option: '--viewing-activity' },
  text: { name: 'text in no format nfmon knows' },
};

/** Bytes looked at: enough for a few dozen lines. */
export const SNIFF_BYTES = 16 * 1024;

const MAGICS: readonly (readonly [ContentKind, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]],
  ['pcap', [0xd4, 0xc3, 0xb2, 0xa1]],
  ['pcap', [0xa1, 0xb2, 0xc3, 0xd4]],
  ['pcap', [0x4d, 0x3c, 0xb2, 0xa1]],
  ['pcap', [0xa1, 0xb2, 0x3c, 0x4d]],
  ['pcapng', [0x0a, 0x0d, 0x0d, 0x0a]],
  ['sqlite', [...Buffer.from('SQLite format 3\0')]],
  ['executable', [0x7f, 0x45, 0x4c, 0x46]], // ELF
  ['archive', [0x50, 0x4b, 0x03, 0x04]], // zip, docx, xlsx
  ['archive', [0x25, 0x50, 0x44, 0x46, 0x2d]], // %PDF-
  ['archive', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]], // xz
  ['archive', [0x28, 0xb5, 0x2f, 0xfd]], // zstd
];

const LOG_STAMP = /^(?:[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d |\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)/;
const DNSMASQ_LEASE = /^\d+ \S+ [0-9a-fA-F.:]+ \S+( \S+)?$/;
const VIEWING_ACTIVITY = /^Profile Name,Start Time,Duration,/;
const VIEWING_HISTORY = /^"?Title"?,"?Date"?\s*$/;

/** Length of the UTF-8 sequence at b[i], or 0 if none starts there. */
function utf8Length(b: Uint8Array, i: number): number {
  const c = b[i] ?? 0;
  const need = c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
  if (need < 0) return 0;
  for (let k = 1; k <= need; k++) if (i + k < b.length && ((b[i + k] ?? 0) & 0xc0) !== 0x80) return 0;
  return need + 1;
}

/**
 * Share of bytes (NUL runs not counted) that text never holds: control bytes other than tab,
 * newlines and form feed, and high bytes outside UTF-8 sequences. A Latin-1 "café" here and there
 * stays far below a tenth; random or compressed bytes are above a half.
 */
function oddShare(b: Uint8Array): number {
  let odd = 0;
  let counted = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i] ?? 0;
    if (c === 0) continue;
    counted++;
    if (c >= 0x80) {
      const n = utf8Length(b, i);
      if (n === 0) odd++;
      else {
        counted += n - 1;
        i += n - 1;
      }
    } else if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0x7f) odd++;
  }
  return counted === 0 ? 0 : odd / counted;
}

function magicOf(b: Uint8Array): ContentKind | undefined {
  for (const [kind, magic] of MAGICS) {
    if (b.length >= magic.length && magic.every((m, i) => b[i] === m)) return kind;
  }
  return undefined;
}

/** The kind most of the first lines have, if one clearly stands out. */
function textKind(text: string): ContentKind {
  const lines = text.split('\n').slice(0, 64);
  // The last line may be cut by the sniff window.
  if (lines.length > 1) lines.pop();
  const content = lines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (content.length === 0) return 'text';
  const first = content[0] ?? '';
  if (VIEWING_ACTIVITY.test(first)) return 'viewing-activity';
  if (VIEWING_HISTORY.test(first)) return 'viewing-history';
  const log = content.filter((l) => LOG_STAMP.test(l)).length;
  const dnsmasq = content.filter((l) => DNSMASQ_LEASE.test(l) || /^duid \S+$/.test(l)).length;
  if (log > 0 && log >= dnsmasq) return 'pihole-log';
  const lease = detectLeaseFormat(text);
  if (lease === 'pihole-api') return 'pihole-api-leases';
  if (lease === 'kea') return 'kea-leases';
  if (lease === 'isc') return 'isc-leases';
  if (dnsmasq * 2 > content.length) return 'dnsmasq-leases';
  return 'text';
}

/** What the first bytes of a file (up to SNIFF_BYTES) look like. */
export function sniffContent(head: Uint8Array): ContentKind {
  // A power cut or copytruncate can leave a run of NUL bytes: they say nothing about the format.
  let start = 0;
  while (start < head.length && head[start] === 0) start++;
  // Nothing but NUL bytes is that power cut too, not a format.
  if (start === head.length) return head.length === 0 ? 'empty' : 'text';
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'utf16';
  let b = head.subarray(start, Math.min(head.length, start + SNIFF_BYTES));
  const magic = magicOf(b);
  if (magic) return magic;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3); // UTF-8 byte order mark
  const kind = textKind(Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1'));
  if (kind === 'text' && oddShare(b) > 0.1) return 'binary';
  return kind;
}

/**
 * Why `path` is refused as `expected`, or undefined when it may be read: its first bytes show
 * another known kind, or binary data. `expectedName` names what was asked for in the message.
 */
export function refusal(path: string, head: Uint8Array, accept: readonly ContentKind[], expectedName: string): string | undefined {
  const kind = sniffContent(head);
  if (accept.includes(kind) || kind === 'text' || kind === 'empty') return undefined;
  const { name, option } = KIND_TEXT[kind];
  const hint = option ? ` (give it with ${option})` : kind === 'gzip' ? ' (decompress it first)' : '';
  return `${path}: this looks like ${name}, not ${expectedName}${hint}`;
}
