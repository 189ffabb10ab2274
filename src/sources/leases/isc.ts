// ISC dhcpd.leases (dhcpd.leases(5)): an append-only journal of `lease <ip> { ... }` blocks, where
// a later block for an IP supersedes an earlier one. Times are UTC (`starts 2 2013/12/10 12:57:04;`)
// or, with `db-time-format local`, `starts epoch 1507216949; # <local date>`.
// dhcpd6 files hold ia-na/ia-ta/ia-pd blocks instead; those have no hardware address.
import { foldLeaseJournal, type JournalEntry } from '../../core/leases.js';
import {
  LeaseResultBuilder,
  canonicalIp,
  hwIdentity,
  parseUint,
  type LeaseParseOptions,
  type LeaseParseResult,
} from './common.js';

interface Token {
  readonly kind: 'word' | 'string' | '{' | '}' | ';';
  readonly text: string;
  readonly line: number;
}

interface Statement {
  readonly words: Token[];
  readonly line: number;
  readonly block?: Statement[];
  /** The file ended before this block's closing brace. */
  truncated?: boolean;
}

/** Bounds on what one statement holds: a real lease block has a dozen statements of a few words. */
const MAX_WORDS = 64;
const MAX_BLOCK_STATEMENTS = 256;
const MAX_DEPTH = 8;

/** Tokens one at a time (a hostile file of 8 MB of `""` is four million of them). */
function* tokenize(text: string): Generator<Token> {
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{' || c === '}' || c === ';') {
      yield { kind: c, text: c, line };
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const at = line;
      for (let k = i; k < j; k++) if (text[k] === '\n') line++;
      yield { kind: 'string', text: text.slice(i + 1, Math.min(j, i + 1 + 4096)), line: at };
      i = j + 1;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s{};"#]/.test(text[j]!)) j++;
      yield { kind: 'word', text: text.slice(i, Math.min(j, i + 4096)), line };
      i = j;
    }
  }
}

/**
 * Nests tokens into statements and hands over each top-level one as soon as it is complete, so
 * that memory holds one block, not the file. A block left open at the end of the file is marked
 * truncated. Statements beyond the bounds above are counted as `too_long` and dropped.
 */
function* parseStatements(tokens: Iterable<Token>, out: LeaseResultBuilder): Generator<Statement> {
  const stack: { list: Statement[]; owner?: Statement }[] = [{ list: [] }];
  let words: Token[] = [];
  let overflow = false;
  const add = (st: Statement): void => {
    const list = stack.at(-1)!.list;
    if (list.length < MAX_BLOCK_STATEMENTS || stack.length === 1) list.push(st);
    else overflow = true;
  };
  const flush = (): void => {
    if (words.length > 0) add({ words, line: words[0]!.line });
    words = [];
  };
  /** Depth inside a block nested too deep to keep (skipped to its closing brace). */
  let skip = 0;
  for (const t of tokens) {
    if (skip > 0) {
      if (t.kind === '{') skip++;
      else if (t.kind === '}') skip--;
      continue;
    }
    if (t.kind === 'word' || t.kind === 'string') {
      if (words.length < MAX_WORDS) words.push(t);
      else overflow = true;
    } else if (t.kind === ';') flush();
    else if (t.kind === '{') {
      const st: Statement = { words, line: words[0]?.line ?? t.line, block: [] };
      words = [];
      if (stack.length > MAX_DEPTH) {
        out.bad(t.line, 'too_long');
        skip = 1;
        continue;
      }
      add(st);
      stack.push({ list: st.block!, owner: st });
    } else {
      flush();
      if (stack.length > 1) stack.pop();
      else out.bad(t.line, 'unbalanced_brace');
    }
    // Reported once per statement or block that lost something, when it ends.
    if (overflow && t.kind !== 'word' && t.kind !== 'string') {
      out.bad(t.line, 'too_long');
      overflow = false;
    }
    // A complete top-level statement goes out at once.
    if (stack.length === 1) yield* stack[0]!.list.splice(0);
  }
  // Inside an open block the block itself is reported; only a dangling top-level statement is extra.
  if (words.length > 0 && stack.length === 1) out.bad(words[0]!.line, 'truncated');
  const outer = stack[1]?.owner;
  if (outer) outer.truncated = true;
  yield* stack[0]!.list;
}

/** `never`, `epoch <n>`, or `<weekday> YYYY/MM/DD HH:MM:SS` (UTC) -> epoch ms. */
function iscTime(args: readonly string[]): number | undefined {
  if (args[0] === 'never') return Infinity;
  if (args[0] === 'epoch') {
    const s = parseUint(args[1]);
    return s === undefined ? undefined : s * 1000;
  }
  const d = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(args[1] ?? '');
  const t = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(args[2] ?? '');
  if (!d || !t) return undefined;
  const [y, mo, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const ms = Date.UTC(y, mo - 1, day, Number(t[1]), Number(t[2]), Number(t[3]));
  const check = new Date(ms);
  return check.getUTCMonth() === mo - 1 && check.getUTCDate() === day && Number(t[1]) < 24 ? ms : undefined;
}

/** An ISC quoted string (octal escapes for unprintable bytes) -> its bytes. */
function iscBytes(raw: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const oct = raw[i] === '\\' ? /^[0-7]{3}/.exec(raw.slice(i + 1, i + 4)) : null;
    if (oct) {
      bytes.push(parseInt(oct[0], 8) & 0xff);
      i += 3;
    } else {
      if (raw[i] === '\\') i++;
      bytes.push(raw.charCodeAt(i) & 0xff);
    }
  }
  return bytes;
}

/** `uid` as colon-hex bytes, the form dnsmasq writes client ids in. Older dhcpd writes it unquoted. */
function clientIdOf(tok: Token | undefined): string | undefined {
  if (!tok) return undefined;
  if (tok.kind === 'word') return tok.text.toLowerCase();
  return iscBytes(tok.text)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join(':');
}

const UTF8 = new TextDecoder();

interface LeaseFields {
  starts?: number;
  ends?: number;
  state?: string;
  hwType?: string;
  hw?: string;
  uid?: string;
  hostname?: string;
}

function leaseFields(block: readonly Statement[]): LeaseFields {
  const f: LeaseFields = {};
  for (const s of block) {
    const [key, ...args] = s.words.map((w) => w.text);
    if (key === 'starts') f.starts = iscTime(args);
    else if (key === 'ends') f.ends = iscTime(args);
    else if (key === 'binding' && args[0] === 'state') f.state = args[1];
    else if (key === 'abandoned') f.state = 'abandoned';
    else if (key === 'hardware') [f.hwType, f.hw] = [args[0], args[1]];
    else if (key === 'uid') f.uid = clientIdOf(s.words[1]);
    else if (key === 'client-hostname' && s.words[1]) f.hostname = UTF8.decode(Uint8Array.from(iscBytes(s.words[1].text)));
  }
  return f;
}

/**
 * One lease block as a journal entry. Every block with a hardware address records a binding
 * over [starts, ends): for `active` the current one; for `free`, `expired`, `released` and
 * `backup` the one that ended (dhcpd keeps the last client's address, start and real end, e.g. the
 * release time). `abandoned` blocks and blocks without a hardware address record that nobody
 * holds the IP from `starts` on.
 */
function leaseEntry(s: Statement, out: LeaseResultBuilder): JournalEntry | undefined {
  const addr = canonicalIp(s.words[1]?.text ?? '');
  if (!addr || s.words.length !== 2) return void out.bad(s.line, 'bad_ip', s.words.map((w) => w.text).join(' '));
  const f = leaseFields(s.block ?? []);
  const state = f.state ?? 'active';
  if (f.starts === undefined || (f.ends === undefined && f.hw !== undefined && state !== 'abandoned')) {
    return void out.bad(s.line, 'bad_time', `lease ${addr.ip}`);
  }
  if (f.hw === undefined || state === 'abandoned') {
    out.skip(state === 'abandoned' ? 'abandoned' : 'no_mac');
    return { kind: 'release', ip: addr.ip, at: f.starts };
  }
  const hw = hwIdentity(f.hw);
  if (!hw) return void out.bad(s.line, 'bad_mac', `lease ${addr.ip} hardware ${f.hwType ?? ''} ${f.hw}`);
  const lease = {
    ip: addr.ip,
    mac: hw.mac,
    ...(f.hostname ? { hostname: f.hostname } : {}),
    ...(f.uid ? { clientId: f.uid } : {}),
    start: f.starts,
    end: f.ends!,
    state,
    family: addr.family,
    ...(hw.nonEthernet || f.hwType !== 'ethernet' ? { nonEthernet: true as const } : {}),
  };
  return { kind: 'binding', lease };
}

/** dhcpd6 blocks: their addresses and prefixes belong to a DUID, not a MAC. */
function countIa(s: Statement, out: LeaseResultBuilder): void {
  for (const inner of s.block ?? []) {
    const key = inner.words[0]?.text;
    if (key === 'iaaddr') out.skip('ipv6_no_mac');
    else if (key === 'iaprefix') out.skip('ipv6_prefix');
  }
}

export function parseIscLeases(text: string, _opts: LeaseParseOptions): LeaseParseResult {
  const out = new LeaseResultBuilder();
  const entries: JournalEntry[] = [];
  for (const s of parseStatements(tokenize(text), out)) {
    const key = s.words[0]?.text;
    if (s.truncated) out.bad(s.line, 'truncated', s.words.map((w) => w.text).join(' '));
    else if (key === 'lease' && s.block) {
      const e = leaseEntry(s, out);
      if (e) entries.push(e);
    } else if ((key === 'ia-na' || key === 'ia-ta' || key === 'ia-pd') && s.block) countIa(s, out);
    else if (key === 'server-duid') out.skip('duid');
    else out.skip('other');
  }
  return out.result(foldLeaseJournal(entries));
}
