// Deriving sessions and alerts from the stored input. Whatever stores input also moves the
// rebuild mark (store/meta.ts) back to the earliest time it changed, in the same transaction;
// a rebuild reads the mark, derives everything from there and clears it, in one transaction of
// its own. So sessions, alerts and devices are a function of the stored input, whatever crashed
// in between, whoever wrote it and in whatever order it arrived.
import { isLocallyAdministered } from '../core/mac.js';
import { evaluateRules, type DeviceFacts } from '../core/rules.js';
import { foldSessions } from '../core/sessions.js';
import type { Activity } from '../core/types.js';
import { sessionKey } from '../store/sessions.js';
import type { RebuildContext } from './context.js';
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

/** Derive everything from `changedFrom` (the earliest time whose input changed). */
export function rebuildFrom(ctx: RebuildContext, changedFrom: number, now: number): RebuildResult {
  const { store } = ctx;
  return store.tx(() => {
    const from = windowStart(ctx, changedFrom - ctx.sessionOptions.gapMs);
    const activities = loadActivities(ctx, from);
    const sessions = foldSessions(activities, ctx.sessionOptions);
    const ids = store.sessions.replaceFrom(from, sessions);
    mergeIpAlerts(ctx, from);
    const facts = deviceFacts(ctx);
    const derived = evaluateRules(sessions, facts, ctx.ruleOptions, ruleInputs(ctx, from, activities)).map((alert) => ({
      alert,
      sessionId:
        alert.sessionStart !== null && alert.device !== null && alert.service !== null
          ? (ids.get(sessionKey({ device: alert.device, service: alert.service, start: alert.sessionStart })) ?? null)
          : null,
    }));
    const r = store.alerts.reconcile(derived, from, now, ctx.notifyMaxAgeMs);
    fillIdentity(ctx);
    store.devices.deleteOrphans();
    return { from, sessions: sessions.length, newAlertIds: r.queued, historyAlertIds: r.history, retractedAlerts: r.retracted };
  });
}

/** Move the start back until no stored session straddles it, plus one gap for the lead-in. */
function windowStart(ctx: RebuildContext, from: number): number {
  let start = from;
  for (let i = 0; i < 100; i++) {
    const straddling = ctx.store.sessions.endingAfter(start).filter((s) => s.start < start);
    if (straddling.length === 0) break;
    start = Math.min(...straddling.map((s) => s.start)) - ctx.sessionOptions.gapMs;
  }
  return start;
}

/**
 * The activity from `from` on, each attributed to the device that held its address at the time
 * and classified with the catalog as it is now (a role table that changed applies to old input).
 * Stored attributions that changed are written back.
 */
function loadActivities(ctx: RebuildContext, from: number): Activity[] {
  const { store, resolver, catalog } = ctx;
  // Every row brings its own copies of a few distinct strings: one copy each is kept (a year of
  // lookups held ~100k copies of ten addresses).
  const strings = new Map<string, string>();
  const one = (s: string): string => strings.get(s) ?? (strings.set(s, s), s);
  const deviceOf = (ip: string, ts: number): string => resolver.resolve(ip, ts)?.mac ?? one(`ip:${ip}`);
  const out: Activity[] = [];
  const changes = new Map<string, number[]>();
  for (const [id, ts, rowIp, stored, name, rowService] of store.events.eachLookupBetween(from, Number.MAX_SAFE_INTEGER)) {
    const ip = one(rowIp);
    const service = one(rowService);
    const device = deviceOf(ip, ts);
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
  for (const f of store.flows.between(from, Number.MAX_SAFE_INTEGER)) {
    const device = deviceOf(f.localIp, f.minute);
    if (f.device !== device) store.flows.setDevice(f, device);
    out.push({ ts: f.minute, device, ip: f.localIp, service: f.service, role: f.role, evidence: 'flows', bytesDown: f.bytesDown, bytesUp: f.bytesUp });
  }
  return out;
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
