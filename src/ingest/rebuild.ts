// Deriving sessions and alerts from the stored input. Whatever stores input also moves the
// rebuild mark (store/meta.ts) back to the earliest time it changed, in the same transaction;
// a rebuild reads the mark, derives everything from there and clears it, in one transaction of
// its own. So sessions, alerts and devices are a function of the stored input, whatever crashed
// in between, whoever wrote it and in whatever order it arrived.
import { isLocallyAdministered } from '../core/mac.js';
import { RuleStream, type DeviceFacts } from '../core/rules.js';
import { SessionStream } from '../core/session-stream.js';
import type { Activity, Alert, Session } from '../core/types.js';
import type { SessionReplacer } from '../store/sessions.js';
import type { RebuildContext } from './context.js';
import { attribution } from './identity.js';
import { ruleInputs } from './rule-inputs.js';

export type { ConfiguredDevice, DeviceResolver, RebuildContext } from './context.js';

export interface RebuildResult {
  readonly from: number;
  readonly sessions: number;
  /** New alerts to deliver. */
  readonly newAlertIds: number[];
  /** New alerts kept as history (too old to push). */
  readonly historyAlertIds: number[];
  readonly retractedAlerts: number;
}

/** Derive from the rebuild mark, if one is set; undefined when everything is up to date. */
export function rebuildPending(ctx: RebuildContext, now: number): RebuildResult | undefined {
  const { store } = ctx;
  return store.tx(() => {
    const from = store.mark.pending();
    if (from === undefined) return undefined;
    const r = rebuildFrom(ctx, from, now);
    store.mark.clear();
    return r;
  });
}

/** A rebuild reads the stored input this much at a time: a day of a home is a few thousand rows. */
export const REBUILD_WINDOW_MS = 86_400_000;
/**
 * ... and at most about this many lookups: a day of a log that names Netflix every two seconds
 * (the bench's 5M-line log: 41k lookups in 26 hours) held at once took 25 MB.
 */
export const REBUILD_WINDOW_ROWS = 5000;

export interface RebuildOptions {
  /** How much input is read and folded at a time (tests cut windows through everything). */
  readonly windowMs?: number;
  /** At most about this many lookups per window (default REBUILD_WINDOW_ROWS). */
  readonly windowRows?: number;
}

/**
 * Derive everything from `changedFrom` (the earliest time whose input changed). The input is read
 * a window at a time, in time order; sessions and alerts go to the store as soon as nothing later
 * can change them (core/session-stream.ts, RuleStream), so what is held is one window, the
 * sessions still open at its end and the rules' own look-backs, however long the history.
 */
export function rebuildFrom(ctx: RebuildContext, changedFrom: number, now: number, opts: RebuildOptions = {}): RebuildResult {
  const { store } = ctx;
  const windowMs = opts.windowMs ?? REBUILD_WINDOW_MS;
  return store.tx(() => {
    const from = windowStart(ctx, changedFrom - ctx.sessionOptions.gapMs);
    mergeIpAlerts(ctx, from);
    const fold = new SessionStream(ctx.sessionOptions);
    const rules = new RuleStream(deviceFacts(ctx), ctx.ruleOptions, ruleInputs(ctx, from));
    const sessions = store.sessions.replacer(from);
    const alerts = store.alerts.reconciler(from, now, ctx.notifyMaxAgeMs);
    const reader = new ActivityReader(ctx);
    let count = 0;
    const derive = (batch: readonly Session[], derived: readonly Alert[]): void => {
      sessions.write(batch);
      count += batch.length;
      alerts.add(derived.map((alert) => ({ alert, sessionId: sessionOf(alert, sessions) })));
    };
    const windowRows = opts.windowRows ?? REBUILD_WINDOW_ROWS;
    for (let at = reader.next(from), end = 0; at !== undefined; at = reader.next(end)) {
      end = reader.windowEnd(at, windowMs, windowRows);
      const activities = reader.read(at, end);
      fold.add(activities);
      rules.addLookups(activities.filter((a) => a.evidence === 'dns'), end);
      const batch = fold.advance(end);
      derive(batch, rules.add(batch, fold.horizon()));
    }
    const last = fold.finish();
    derive(last, [...rules.add(last, Infinity), ...rules.finish()]);
    sessions.finish();
    const r = alerts.finish();
    fillIdentity(ctx);
    store.devices.deleteOrphans();
    return { from, sessions: count, newAlertIds: r.queued, historyAlertIds: r.history, retractedAlerts: r.retracted };
  });
}

function sessionOf(alert: Alert, sessions: SessionReplacer): number | null {
  if (alert.sessionStart === null || alert.device === null || alert.service === null) return null;
  return sessions.idOf({ device: alert.device, service: alert.service, start: alert.sessionStart }) ?? null;
}

/** Move the start back until no stored session straddles it, plus one gap for the lead-in. */
function windowStart(ctx: RebuildContext, from: number): number {
  let start = from;
  for (let i = 0; i < 100; i++) {
    const straddling = ctx.store.sessions.earliestStraddling(start);
    if (straddling === undefined) break;
    start = straddling - ctx.sessionOptions.gapMs;
  }
  return start;
}

/**
 * The stored activity, a window at a time: each attributed to the device that held its address at
 * the time and classified with the catalog as it is now (a role table that changed applies to old
 * input). Attributions that changed are written back window by window.
 */
class ActivityReader {
  /** Every row brings its own copies of a few distinct strings: one copy each is kept. */
  private readonly strings = new Map<string, string>();
  private readonly nextLookup;
  private readonly nextFlow;
  private readonly nthLookup;
  private readonly attribute: (ip: string, ts: number) => string;

  constructor(private readonly ctx: RebuildContext) {
    const { db } = ctx.store;
    this.attribute = attribution(() => ctx.resolver);
    this.nextLookup = db.prepare('SELECT min(ts) AS ts FROM dns_events WHERE ts >= ? AND blocked = 0');
    this.nextFlow = db.prepare('SELECT min(minute) AS ts FROM flows WHERE minute >= ?');
    // Blocked lookups counted too (a bound, not a count): the scan stays in the index and in the window.
    this.nthLookup = db.prepare('SELECT ts FROM dns_events WHERE ts >= ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?');
  }

  /** The time of the first stored activity at or after `at`: empty stretches are skipped. */
  next(at: number): number | undefined {
    const a = (this.nextLookup.get(at) as { ts: number | null }).ts;
    const b = (this.nextFlow.get(at) as { ts: number | null }).ts;
    if (a === null) return b ?? undefined;
    return b === null ? a : Math.min(a, b);
  }

  /**
   * Where the window from `at` (the time of a stored activity) ends: `windowMs` later, or sooner
   * where that would hold more than `rows` lookups: at the time of the first lookup past them
   * (never before at + 1 ms, so a window always moves on).
   */
  windowEnd(at: number, windowMs: number, rows: number): number {
    if (!Number.isFinite(rows)) return at + windowMs;
    const nth = (this.nthLookup.get(at, at + windowMs, rows) as { ts: number } | undefined)?.ts;
    return nth === undefined ? at + windowMs : Math.min(at + windowMs, Math.max(nth, at + 1));
  }

  /** The activity in [from, to). */
  read(from: number, to: number): Activity[] {
    const { store, catalog } = this.ctx;
    const out: Activity[] = [];
    const changes = new Map<string, number[]>();
    for (const [id, ts, rowIp, stored, name, rowService] of store.events.lookupsBetween(from, to - 1)) {
      const ip = this.one(rowIp);
      const service = this.one(rowService);
      const device = this.deviceOf(ip, ts);
      if (stored !== device) {
        const list = changes.get(device);
        if (list) list.push(id);
        else changes.set(device, [id]);
      }
      const c = catalog.classifyDomain(name);
      if (!c || c.service !== service) continue;
      out.push({ ts, device, ip, service, role: c.role, evidence: 'dns', bytesDown: 0, bytesUp: 0 });
    }
    store.events.setDevices(changes);
    for (const f of store.flows.between(from, to - 1)) {
      const device = this.deviceOf(f.localIp, f.minute);
      if (f.device !== device) store.flows.setDevice(f, device);
      out.push({ ts: f.minute, device, ip: f.localIp, service: f.service, role: f.role, evidence: 'flows', bytesDown: f.bytesDown, bytesUp: f.bytesUp });
    }
    return out;
  }

  private one(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  /** identity.ts's attribution, the one a store sets on insert, with `ip:` names kept once. */
  private deviceOf(ip: string, ts: number): string {
    return this.one(this.attribute(ip, ts));
  }
}

/**
 * An alert raised while a device was known only by its address (`ip:...`) belongs to the MAC
 * that a lease read since shows behind that address: it moves there, so the same alert is not
 * raised again for the MAC.
 */
function mergeIpAlerts(ctx: RebuildContext, from: number): void {
  const { db } = ctx.store;
  const rows = db.prepare("SELECT id, device, at FROM alerts WHERE device LIKE 'ip:%' AND at >= ?").all(from) as {
    id: number;
    device: string;
    at: number;
  }[];
  const move = db.prepare('UPDATE alerts SET device = ? WHERE id = ?');
  for (const r of rows) {
    const mac = ctx.resolver.resolve(r.device.slice(3), r.at)?.mac;
    if (mac) move.run(mac, r.id);
  }
}

/** Config entries win over `nfmon device set`, which only names devices the config does not. */
export function deviceFacts(ctx: Pick<RebuildContext, 'store' | 'configuredDevices'>): Map<string, DeviceFacts> {
  const facts = new Map<string, DeviceFacts>();
  for (const [device, d] of ctx.store.devices.labels()) {
    facts.set(device, { label: d.name ?? d.hostname ?? device, trust: d.trust });
  }
  for (const c of ctx.configuredDevices) {
    const row = facts.get(c.mac);
    facts.set(c.mac, {
      label: c.name ?? row?.label ?? c.mac,
      trust: c.trust,
      ...(c.quietHours ? { quietHours: c.quietHours } : {}),
    });
  }
  return facts;
}

function fillIdentity(ctx: RebuildContext): void {
  const missing = ctx.store.devices.withoutVendor();
  if (missing.length === 0) return;
  const vendors = ctx.vendorOf?.(missing) ?? new Map<string, string | undefined>();
  for (const mac of missing) {
    ctx.store.devices.setIdentity(mac, { vendor: vendors.get(mac) ?? '', randomized: isLocallyAdministered(mac) });
  }
}
