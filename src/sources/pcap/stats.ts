// What a capture read reports: its counters and the TLS server names seen. Its own file because
// both the reader (capture.ts) and the payload inspector (inspect.ts) fill them.
import type { Role, SkipCounts } from '../../core/types.js';
import type { SourceError } from '../errors.js';

export interface SniObservation {
  readonly ts: number;
  readonly clientIp: string;
  readonly serverIp: string;
  readonly name: string;
  readonly service: string;
  readonly role: Role;
}

export interface CaptureStats {
  format: 'pcap' | 'pcapng' | undefined;
  packets: number;
  /** Bytes on the wire of all packets (original lengths). */
  bytes: number;
  skipped: SkipCounts;
  /** DNS responses decoded (whole or salvaged from a cut packet). */
  dnsResponses: number;
  /** A/AAAA answers decoded (monitored or not), and how many were for monitored names. */
  dnsAnswers: number;
  servedAddresses: number;
  /** ClientHellos with a server name (any), and FlowMinute records produced. */
  snis: number;
  flows: number;
  /** Bytes of the produced flows, and of minutes no service could be attributed to. */
  attributedBytes: number;
  unattributedBytes: number;
  /** Times of the earliest and latest packet, epoch ms. */
  firstTs: number | undefined;
  lastTs: number | undefined;
  error?: SourceError;
}
