// The few payloads nfmon reads: DNS responses (UDP, TCP, reassembled fragments) and TLS
// ClientHellos (one segment or several). Everything else is only counted by the flow table.
import type { Catalog } from '../../core/catalog.js';
import { countSkip, type ServedAddress } from '../../core/types.js';
import { formatAddr } from './addr.js';
import type { Attributor } from './attribution.js';
import type { CaptureStats, SniObservation } from './stats.js';
import { decodeDns, servedAddresses } from './dns.js';
import type { FlowTable } from './flows.js';
import { FragmentReassembler } from './fragments.js';
import { PROTO_UDP, type Frame } from './ip.js';
import { SegmentBuffers } from './stream.js';
import { looksLikeHandshake, MAX_RECORD, parseClientHello } from './tls.js';

export interface InspectorSinks {
  served(s: ServedAddress): void;
  sni(s: SniObservation): void;
}

const DNS_PORT = 53;
const TCP_FIN = 0x01;
const TCP_RST = 0x04;
/** Packets of a pair to watch for the rest of a ClientHello split over segments. */
const HELLO_WATCH = 16;

export class PayloadInspector {
  private readonly dnsTcp = new SegmentBuffers(256, 65_537 + 2_048);
  private readonly hellos = new SegmentBuffers(64, MAX_RECORD + 5);
  private readonly fragments = new FragmentReassembler();

  constructor(
    private readonly catalog: Catalog,
    private readonly attributor: Attributor,
    private readonly flows: FlowTable,
    private readonly stats: CaptureStats,
    private readonly sinks: InspectorSinks,
  ) {}

  /** A whole (unfragmented) TCP or UDP packet whose transport header was decoded. */
  transport(buf: Buffer, f: Frame, pair: number, ts: number): void {
    if (f.proto === PROTO_UDP) {
      if (f.sport === DNS_PORT) this.dnsMessage(buf.subarray(f.payload, f.payloadEnd), f.truncated, ts);
      return;
    }
    if (f.sport === DNS_PORT) return this.dnsOverTcp(buf, f, ts);
    if (pair >= 0 && f.payload < f.payloadEnd) this.tls(buf, f, pair, ts);
  }

  /** A fragment of a UDP datagram: reassembled (bounded) because big DNS answers get split. */
  fragment(buf: Buffer, f: Frame, ts: number): void {
    if (f.fragProto !== PROTO_UDP) return;
    const key = `${f.s0},${f.s1},${f.s2},${f.s3}>${f.d0},${f.d1},${f.d2},${f.d3}#${f.fragId}`;
    if (f.truncated) {
      this.fragments.drop(key);
      return countSkip(this.stats.skipped, 'truncated_fragment');
    }
    const dgram = this.fragments.add(key, f.fragOffset, f.moreFragments, buf, f.fragStart, f.l4End, ts);
    if (!dgram || dgram.length < 8 || dgram.readUInt16BE(0) !== DNS_PORT) return;
    const udpLen = dgram.readUInt16BE(4);
    this.dnsMessage(dgram.subarray(8, udpLen >= 8 ? Math.min(udpLen, dgram.length) : dgram.length), false, ts);
  }

  finish(): void {
    this.fragments.expire(Infinity);
    if (this.fragments.dropped > 0) this.stats.skipped.fragment_incomplete = this.fragments.dropped;
  }

  private dnsMessage(bytes: Buffer, cut: boolean, ts: number): void {
    const d = decodeDns(bytes, cut);
    if (!d.ok) return countSkip(this.stats.skipped, d.reason);
    const m = d.message;
    if (m.partial) countSkip(this.stats.skipped, 'truncated_dns');
    if (!m.response) return;
    this.stats.dnsResponses++;
    const r = servedAddresses(m, this.catalog, ts);
    this.stats.dnsAnswers += r.served.length + r.unmonitored;
    this.stats.servedAddresses += r.served.length;
    for (const s of r.served) {
      this.attributor.note(s.ip, s, false);
      this.sinks.served(s);
    }
  }

  /** DNS over TCP: 2-byte length prefix, messages may span segments or share one. */
  private dnsOverTcp(buf: Buffer, f: Frame, ts: number): void {
    const key = streamKey(f);
    if (f.payload >= f.payloadEnd) {
      if (f.tcpFlags & (TCP_FIN | TCP_RST)) this.dnsTcp.delete(key);
      return;
    }
    if (f.truncated) {
      this.dnsTcp.delete(key);
      return countSkip(this.stats.skipped, 'truncated_dns');
    }
    let r = this.dnsTcp.has(key) ? this.dnsTcp.append(key, f.seq, buf, f.payload, f.payloadEnd) : 'gap';
    if (r === 'duplicate') return;
    if (r === 'gap') r = this.dnsTcp.start(key, f.seq, buf, f.payload, f.payloadEnd);
    if (r === 'overflow') return countSkip(this.stats.skipped, 'dns_tcp_overflow');
    for (let v = this.dnsTcp.view(key); v && v.length >= 2; v = this.dnsTcp.view(key)) {
      const len = v.readUInt16BE(0);
      if (v.length < 2 + len) return;
      this.dnsMessage(v.subarray(2, 2 + len), false, ts);
      this.dnsTcp.consume(key, 2 + len);
    }
  }

  private tls(buf: Buffer, f: Frame, pair: number, ts: number): void {
    const watch = this.flows.watching(pair);
    if (watch > 0) {
      this.flows.setWatch(pair, watch - 1);
      const key = streamKey(f);
      if (this.hellos.has(key)) return this.continueHello(key, buf, f, pair, ts);
    }
    if (!looksLikeHandshake(buf, f.payload, f.payloadEnd)) return;
    const r = parseClientHello(buf, f.payload, f.payloadEnd);
    if (r.kind === 'sni') return this.sni(f, r.name, ts);
    if (r.kind !== 'more') return;
    if (f.truncated) return countSkip(this.stats.skipped, 'truncated_tls');
    if (this.hellos.start(streamKey(f), f.seq, buf, f.payload, f.payloadEnd) === 'ok') {
      this.flows.setWatch(pair, HELLO_WATCH);
    }
  }

  private continueHello(key: string, buf: Buffer, f: Frame, pair: number, ts: number): void {
    const r = this.hellos.append(key, f.seq, buf, f.payload, f.payloadEnd);
    if (r === 'duplicate') return;
    const view = r === 'ok' ? this.hellos.view(key) : undefined;
    const hello = view ? parseClientHello(view, 0, view.length) : undefined;
    if (hello?.kind === 'more' && !f.truncated) return;
    this.hellos.delete(key);
    this.flows.setWatch(pair, 0);
    if (hello?.kind === 'sni') this.sni(f, hello.name, ts);
    else if (hello?.kind !== 'none') countSkip(this.stats.skipped, f.truncated ? 'truncated_tls' : 'tls_incomplete');
  }

  private sni(f: Frame, name: string, ts: number): void {
    this.stats.snis++;
    const c = this.catalog.classifyDomain(name);
    if (!c) return;
    const serverIp = formatAddr(f.d0, f.d1, f.d2, f.d3);
    this.attributor.note(serverIp, c, true);
    const clientIp = formatAddr(f.s0, f.s1, f.s2, f.s3);
    this.sinks.sni({ ts, clientIp, serverIp, name, service: c.service, role: c.role });
  }
}

/** One direction of a TCP connection; built only for DNS/TCP segments and split hellos. */
function streamKey(f: Frame): string {
  return `${f.s0},${f.s1},${f.s2},${f.s3},${f.sport}>${f.d0},${f.d1},${f.d2},${f.d3},${f.dport}`;
}
