// Turns a pair's minute into a FlowMinute once one side is known to be a home device and the
// other a monitored service. Minutes that cannot be attributed yet wait (bounded) for the end
// of the file: a DNS answer or SNI later in the same capture may still name their remote.
import type { Classification, FlowMinute } from '../../core/types.js';
import { formatMac, KIND_LOCAL, KIND_PUBLIC } from './addr.js';
import type { Attributor } from './attribution.js';
import type { PairMinute } from './flows.js';

/** What the resolver needs to know about the flow table's address ids. */
export interface AddressBook {
  kindOf(id: number): number;
  macOf(id: number): number;
  textOf(id: number): string;
  word(id: number, w: number): number;
}

/** A pair's minute with addresses as text, independent of the flow table's ids. */
interface MinuteText {
  readonly a: string;
  readonly b: string;
  readonly kindA: number;
  readonly kindB: number;
  /** Sender MACs of a and b (-1 unknown). */
  readonly macA: number;
  readonly macB: number;
  readonly minute: number;
  readonly lastTs: number;
  readonly bytesAB: number;
  readonly bytesBA: number;
  readonly packetsAB: number;
  readonly packetsBA: number;
}

export interface Resolved {
  readonly flow: FlowMinute;
  /** The local side's MAC when the local side has a public address (IPv6 GUA). */
  readonly publicLocalMac?: string;
}

interface Orientation {
  readonly localIsA: boolean;
  readonly c: Classification;
}

/** Minutes kept for the end of the file; past this they are dropped (and counted). */
const MAX_PENDING = 20_000;

export class MinuteResolver {
  private pending: MinuteText[] = [];
  /** Bytes of minutes dropped unattributed. */
  droppedBytes = 0;

  constructor(
    private readonly attributor: Attributor,
    private readonly book: AddressBook,
  ) {}

  /** The flow for this minute, or undefined (kept for the end of the file, or dropped). */
  resolve(m: PairMinute): Resolved | undefined {
    const book = this.book;
    const classify = (id: number): Classification | undefined =>
      this.attributor.classifyWords(book.word(id, 0), book.word(id, 1), book.word(id, 2), book.word(id, 3), m.lastTs, () => book.textOf(id));
    const o = orient(book.kindOf(m.a), book.kindOf(m.b), (sideB) => classify(sideB ? m.b : m.a));
    if (!o && this.pending.length >= MAX_PENDING) {
      this.droppedBytes += m.bytesAB + m.bytesBA;
      return undefined;
    }
    const t: MinuteText = {
      a: book.textOf(m.a),
      b: book.textOf(m.b),
      kindA: book.kindOf(m.a),
      kindB: book.kindOf(m.b),
      macA: book.macOf(m.a),
      macB: book.macOf(m.b),
      minute: m.minute,
      lastTs: m.lastTs,
      bytesAB: m.bytesAB,
      bytesBA: m.bytesBA,
      packetsAB: m.packetsAB,
      packetsBA: m.packetsBA,
    };
    if (o) return build(t, o);
    this.pending.push(t);
    return undefined;
  }

  /** End of file: the waiting minutes that can now be attributed; the rest are dropped. */
  finish(): Resolved[] {
    const out: Resolved[] = [];
    for (const t of this.pending) {
      const o = orient(t.kindA, t.kindB, (sideB) => this.attributor.classify(sideB ? t.b : t.a, t.lastTs));
      if (o) out.push(build(t, o));
      else this.droppedBytes += t.bytesAB + t.bytesBA;
    }
    this.pending = [];
    return out;
  }
}

/**
 * Which side is home and which the service. A private side is home; with two public sides
 * (IPv6 global addresses at home, or a capture outside the NAT) the side that is a monitored
 * service is the remote one, if exactly one side is.
 */
function orient(kindA: number, kindB: number, classify: (sideB: boolean) => Classification | undefined): Orientation | undefined {
  if (kindA === KIND_LOCAL && kindB === KIND_PUBLIC) {
    const c = classify(true);
    return c && { localIsA: true, c };
  }
  if (kindB === KIND_LOCAL && kindA === KIND_PUBLIC) {
    const c = classify(false);
    return c && { localIsA: false, c };
  }
  const ca = classify(false);
  const cb = classify(true);
  if (ca && !cb) return { localIsA: false, c: ca };
  if (cb && !ca) return { localIsA: true, c: cb };
  return undefined;
}

function build(m: MinuteText, o: Orientation): Resolved {
  const { localIsA, c } = o;
  const mac = localIsA ? m.macA : m.macB;
  const localMac = mac >= 0 ? formatMac(mac) : undefined;
  const flow: FlowMinute = {
    minute: m.minute,
    localIp: localIsA ? m.a : m.b,
    ...(localMac ? { localMac } : {}),
    remoteIp: localIsA ? m.b : m.a,
    service: c.service,
    role: c.role,
    bytesDown: localIsA ? m.bytesBA : m.bytesAB,
    bytesUp: localIsA ? m.bytesAB : m.bytesBA,
    packetsDown: localIsA ? m.packetsBA : m.packetsAB,
    packetsUp: localIsA ? m.packetsAB : m.packetsBA,
  };
  const localKind = localIsA ? m.kindA : m.kindB;
  return localKind === KIND_PUBLIC && localMac ? { flow, publicLocalMac: localMac } : { flow };
}
