// Domain types shared by sources, core, store and CLI. Times are epoch milliseconds (UTC)
// everywhere inside the program; ISO strings only appear at the edges (JSON output, SQL display).

/**
 * What a monitored name or address is used for (see src/core/services/netflix.md for the evidence):
 * - `video` proves that someone is watching (Open Connect servers);
 * - `playback`: telemetry a client sends only while a title plays; it carries an open session
 *   through silence but never starts one;
 * - `ui`: opening the app and choosing a title; it may start a session just before video;
 * - `background`: idle phone-home; it never starts or extends a session.
 */
export type Role = 'video' | 'playback' | 'ui' | 'background';

export const ROLES: readonly Role[] = ['video', 'playback', 'ui', 'background'];

/** How a session is known: a video name in DNS, bytes in captures, or the telemetry cadence alone. */
export type Evidence = 'dns' | 'flows' | 'inferred';

/** Trust levels, written once: the config schema, the CLI and the rules take them from here. */
export const TRUST_LEVELS = ['unknown', 'known', 'trusted'] as const;
export type Trust = (typeof TRUST_LEVELS)[number];

/** A service as the catalog knows it (Netflix built in, more from config). */
export interface ServiceDef {
  readonly name: string;
  /** Registrable domains; a name matches if it equals one or ends with `.` + one. */
  readonly domains: readonly string[];
  /** Domains (same matching) whose traffic is the video itself. */
  readonly videoDomains: readonly string[];
  /**
   * Names with a role of their own (same matching; the longest suffix wins over `domains` and
   * `videoDomains`): playback telemetry, background phone-home, ui hosts.
   */
  readonly names?: readonly NameRule[];
  /** CIDR prefixes whose traffic is video (Open Connect appliances). */
  readonly videoPrefixes: readonly string[];
}

export interface NameRule {
  readonly suffix: string;
  readonly role: Role;
}

export interface Classification {
  readonly service: string;
  readonly role: Role;
}

/** A DNS lookup of a monitored name by a client, as Pi-hole (or a capture) saw it. */
export interface DnsActivity {
  readonly ts: number;
  readonly clientIp: string;
  readonly name: string;
  readonly qtype: string;
  readonly service: string;
  readonly role: Role;
  /** Pi-hole blocked the lookup (gravity, regex, denied): no traffic can follow. */
  readonly blocked: boolean;
}

/** An address that answered for a monitored name, valid from ts for ttl seconds (if known). */
export interface ServedAddress {
  readonly ts: number;
  readonly ip: string;
  readonly name: string;
  readonly service: string;
  readonly role: Role;
  readonly ttl?: number;
}

/** Traffic between a local device and a monitored remote address within one minute. */
export interface FlowMinute {
  /** Start of the minute, epoch ms. */
  readonly minute: number;
  readonly localIp: string;
  readonly localMac?: string;
  readonly remoteIp: string;
  readonly service: string;
  readonly role: Role;
  readonly bytesDown: number;
  readonly bytesUp: number;
  readonly packetsDown: number;
  readonly packetsUp: number;
}

/** An IP -> MAC binding valid over [start, end). end = Infinity for an open or infinite lease. */
export interface LeaseInterval {
  readonly ip: string;
  readonly mac: string;
  readonly start: number;
  readonly end: number;
  readonly hostname?: string;
  readonly source: string;
}

/** One unit of activity of a device for a service, the input of session folding. */
export interface Activity {
  readonly ts: number;
  /** Device key: the MAC (lower-case, colon-separated) or `ip:<address>` when no lease covers it. */
  readonly device: string;
  readonly ip: string;
  readonly service: string;
  readonly role: Role;
  readonly evidence: 'dns' | 'flows';
  readonly bytesDown: number;
  readonly bytesUp: number;
}

export type Quality = 'SD' | 'HD' | 'UHD';

export interface Session {
  readonly device: string;
  readonly ip: string;
  readonly service: string;
  readonly start: number;
  /** Time of the last activity of the session. */
  readonly end: number;
  /** When viewing is proven: the first video activity (for an inferred session, its start). */
  readonly firstVideo: number;
  readonly bytesDown: number | null;
  readonly bytesUp: number | null;
  readonly avgMbps: number | null;
  readonly peakMbps: number | null;
  readonly quality: Quality | null;
  readonly evidence: readonly Evidence[];
  /** Times of the evidence of playing (video and playback activity), ascending; rules look for the first in a window. */
  readonly playTimes: readonly number[];
}

export type RuleName =
  | 'quiet_hours'
  | 'unknown_device'
  | 'concurrent_streams'
  | 'outside_home'
  | 'daily_summary'
  | 'unusual_hour'
  | 'dns_bypass';
export type Severity = 'info' | 'warning' | 'critical';

export interface Alert {
  /** De-duplication key: the same input always produces the same key. */
  readonly key: string;
  readonly at: number;
  readonly rule: RuleName;
  readonly severity: Severity;
  readonly device: string | null;
  /** Start of the session it concerns (the store maps it to a session id). */
  readonly sessionStart: number | null;
  readonly service: string | null;
  readonly message: string;
  /**
   * The stretch of time in which an alert already stored for the same rule, device and service
   * is this same alert, raised from less evidence (a session whose start or end was refined since).
   * Absent: only the key identifies it.
   */
  readonly sameWithin?: { readonly from: number; readonly to: number; readonly anyDevice?: boolean };
}

/** A reason a source line/packet/row was skipped on purpose, counted per reason. */
export type SkipCounts = Record<string, number>;

export function countSkip(counts: SkipCounts, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}
