// readCapture: one capture file -> batches of what nfmon keeps (served addresses, per-minute
// flows to monitored services, device MACs, monitored SNIs) plus counters. The packet path
// below decodes headers into numbers; strings appear only per DNS answer, hello and minute.
import type { Catalog } from '../../core/catalog.js';
import type { PrefixSet } from '../../core/prefixes.js';
import { countSkip, type FlowMinute, type ServedAddress } from '../../core/types.js';
import { formatMac } from './addr.js';
import { Attributor, type KnownAddress } from './attribution.js';
import { readPackets } from './file-reader.js';
import { FlowTable } from './flows.js';
import { Frame, PROTO_TCP, PROTO_UDP, decodeIp, decodeTransport } from './ip.js';
import { decodeLink } from './link.js';
import { MinuteResolver, type Resolved } from './minutes.js';
import { PayloadInspector } from './inspect.js';
import type { PacketRecord } from './record.js';
import type { CaptureStats, SniObservation } from './stats.js';

export type { CaptureStats, SniObservation } from './stats.js';

export interface CaptureOptions {
  readonly catalog: Catalog;
  /** Open Connect prefixes: traffic to them is `prefixService` video (default netflix). */
  readonly prefixes: PrefixSet;
  readonly prefixService?: string;
  /** Service of an address from elsewhere (Pi-hole answers), valid at time ts. */
  readonly knownAddress?: KnownAddress;
  /** Packets between two onBatch calls (default 50,000). */
  readonly batchPackets?: number;
  /** After each read: file bytes reached, packets so far. */
  readonly onProgress?: (bytes: number, packets: number) => void;
  /** Read size in bytes (default 256 KiB). */
  readonly chunkSize?: number;
}

export interface MacObservation {
  readonly ip: string;
  readonly mac: string;
  readonly ts: number;
}

export interface CaptureBatch {
  readonly served: ServedAddress[];
  /** Records for one (local, remote, minute) may repeat (within and across files): add them up. */
  readonly flows: FlowMinute[];
  readonly macs: MacObservation[];
  readonly snis: SniObservation[];
}

const DEFAULT_BATCH = 50_000;

/**
 * Reads one pcap/pcapng file. onBatch is synchronous so the caller can store each batch in one
 * transaction. A corrupt or cut file resolves with what was read and `error`; a file that
 * cannot be opened rejects with a SourceError.
 */
export async function readCapture(
  path: string,
  opts: CaptureOptions,
  onBatch: (b: CaptureBatch) => void,
): Promise<CaptureStats> {
  const run = new CaptureRun(opts, onBatch);
  const result = await readPackets(path, (rec) => run.packet(rec), {
    ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
    onChunk: (bytes) => opts.onProgress?.(bytes, run.packets),
  });
  run.finish();
  run.stats.format = result.format;
  if (result.error) run.stats.error = result.error;
  return run.stats;
}

function emptyBatch(): CaptureBatch {
  return { served: [], flows: [], macs: [], snis: [] };
}

class CaptureRun {
  readonly stats: CaptureStats = {
    format: undefined,
    packets: 0,
    bytes: 0,
    skipped: {},
    dnsResponses: 0,
    dnsAnswers: 0,
    servedAddresses: 0,
    snis: 0,
    flows: 0,
    attributedBytes: 0,
    unattributedBytes: 0,
    firstTs: undefined,
    lastTs: undefined,
  };
  private readonly frame = new Frame();
  private readonly flowTable: FlowTable;
  private readonly resolver: MinuteResolver;
  private readonly inspector: PayloadInspector;
  private batch = emptyBatch();
  private inBatch = 0;
  private readonly batchPackets: number;
  private currentMinute = -Infinity;
  // Hot counters live in number-only fields (a field that may hold undefined boxes every
  // store of a double); they are copied into `stats` at the end.
  packets = 0;
  private bytes = 0;
  private firstTs = Infinity;
  private lastTs = -Infinity;
  private readonly reportedMacs = new Set<string>();

  constructor(
    opts: CaptureOptions,
    private readonly onBatch: (b: CaptureBatch) => void,
  ) {
    const attributor = new Attributor(opts);
    this.batchPackets = opts.batchPackets ?? DEFAULT_BATCH;
    this.flowTable = new FlowTable({
      onMinute: (m) => {
        const r = this.resolver.resolve(m);
        if (r) this.flow(r);
      },
      onMac: (id, mac, ts) => this.mac(this.flowTable.textOf(id), formatMac(mac), ts),
    });
    this.resolver = new MinuteResolver(attributor, this.flowTable);
    this.inspector = new PayloadInspector(opts.catalog, attributor, this.flowTable, this.stats, {
      served: (s) => this.batch.served.push(s),
      sni: (s) => this.batch.snis.push(s),
    });
  }

  packet(rec: PacketRecord): void {
    this.packets++;
    this.bytes += rec.origLen;
    const ts = rec.tsSec * 1000 + Math.floor(rec.tsNsec / 1e6);
    if (ts < this.firstTs) this.firstTs = ts;
    if (ts > this.lastTs) this.lastTs = ts;
    const minute = (rec.tsSec - (rec.tsSec % 60)) * 1000;
    if (minute > this.currentMinute) {
      if (this.currentMinute !== -Infinity) this.flowTable.sweep(minute);
      this.currentMinute = minute;
    }
    this.decode(rec, ts, minute);
    if (++this.inBatch >= this.batchPackets) this.emitBatch();
  }

  private decode(rec: PacketRecord, ts: number, minute: number): void {
    const f = this.frame;
    const buf = rec.buf;
    const end = rec.offset + rec.caplen;
    const why = decodeLink(buf, rec.offset, end, rec.linkType, f) ?? decodeIp(buf, end, f);
    if (why !== undefined) return countSkip(this.stats.skipped, why);
    const proto = f.fragment ? f.fragProto : f.proto;
    if (proto !== PROTO_TCP && proto !== PROTO_UDP) {
      return countSkip(this.stats.skipped, 'not_tcp_udp');
    }
    const pair = this.flowTable.account(f, buf, ts, minute, rec.origLen);
    if (f.fragment) return this.inspector.fragment(buf, f, ts);
    const bad = decodeTransport(buf, f);
    if (bad !== undefined) return countSkip(this.stats.skipped, bad);
    this.inspector.transport(buf, f, pair, ts);
  }

  private flow(r: Resolved): void {
    this.batch.flows.push(r.flow);
    this.stats.flows++;
    this.stats.attributedBytes += r.flow.bytesDown + r.flow.bytesUp;
    if (r.publicLocalMac) this.mac(r.flow.localIp, r.publicLocalMac, r.flow.minute);
  }

  private mac(ip: string, mac: string, ts: number): void {
    const key = `${ip}/${mac}`;
    if (this.reportedMacs.has(key)) return;
    this.reportedMacs.add(key);
    this.batch.macs.push({ ip, mac, ts });
  }

  finish(): void {
    const st = this.stats;
    st.packets = this.packets;
    st.bytes = this.bytes;
    if (this.packets > 0) [st.firstTs, st.lastTs] = [this.firstTs, this.lastTs];
    this.flowTable.flush();
    for (const r of this.resolver.finish()) this.flow(r);
    this.stats.unattributedBytes = this.resolver.droppedBytes;
    this.inspector.finish();
    this.emitBatch();
  }

  private emitBatch(): void {
    this.inBatch = 0;
    const b = this.batch;
    if (b.served.length + b.flows.length + b.macs.length + b.snis.length === 0) return;
    this.batch = emptyBatch();
    this.onBatch(b);
  }
}
