// Bringing sessions and alerts up to date after new events: resolve each event's device with the
// leases valid at its time, fold sessions over the affected window, evaluate the rules, store the
// new alerts and queue them. The CLI's ingest and the daemon call the same function.
import { isLocallyAdministered } from '../core/mac.js';
import { evaluateRules, type DeviceFacts, type RuleOptions } from '../core/rules.js';
import { foldSessions, type SessionOptions } from '../core/sessions.js';
import type { Activity } from '../core/types.js';
import type { Store } from '../store/index.js';
import { sessionKey } from '../store/sessions.js';

export interface DeviceResolver {
  resolve(ip: string, ts: number): { mac: string; hostname?: string | undefined } | undefined;
}

export interface ConfiguredDevice {
  readonly mac: string;
  readonly name?: string | undefined;
  readonly trust: 'unknown' | 'known' | 'trusted';
  readonly quietHours?: string | undefined;
}

export interface RebuildContext {
  readonly store: Store;
  readonly resolver: DeviceResolver;
  readonly sessionOptions: SessionOptions;
  readonly ruleOptions: RuleOptions;
  readonly configuredDevices: readonly ConfiguredDevice[];
  readonly vendorOf?: (macs: readonly string[]) => Map<string, string | undefined>;
}

export interface RebuildResult {
  readonly from: number;
  readonly sessions: number;
  readonly newAlertIds: number[];
}

/** Rebuild everything from `changedFrom` (the earliest time whose events or leases changed). */
export function rebuildFrom(ctx: RebuildContext, changedFrom: number, now: number): RebuildResult {
  const { store } = ctx;
  const gap = ctx.sessionOptions.gapMs;
  return store.tx(() => {
    const from = windowStart(ctx, changedFrom - gap);
    const activities = loadActivities(ctx, from);
    const sessions = foldSessions(activities, ctx.sessionOptions);
    const ids = store.sessions.replaceFrom(from, sessions);
    const facts = deviceFacts(ctx);
    const alerts = evaluateRules(sessions, facts, ctx.ruleOptions).map((alert) => ({
      alert,
      sessionId:
        alert.sessionStart !== null && alert.device !== null && alert.service !== null
          ? (ids.get(sessionKey({ device: alert.device, service: alert.service, start: alert.sessionStart })) ?? null)
          : null,
    }));
    const newAlertIds = store.alerts.addNew(alerts, now);
    fillIdentity(ctx);
    return { from, sessions: sessions.length, newAlertIds };
  });
}

/** Move the start back until no stored session straddles it, plus one gap for UI lead-in. */
function windowStart(ctx: RebuildContext, from: number): number {
  let start = from;
  for (let i = 0; i < 100; i++) {
    const straddling = ctx.store.sessions.endingAfter(start).filter((s) => s.start < start);
    if (straddling.length === 0) break;
    start = Math.min(...straddling.map((s) => s.start)) - ctx.sessionOptions.gapMs;
  }
  return start;
}

function loadActivities(ctx: RebuildContext, from: number): Activity[] {
  const { store, resolver } = ctx;
  const sightings = new Map<string, { device: string; ip: string; first: number; last: number; hostname?: string | undefined }>();
  const deviceOf = (ip: string, ts: number): string => {
    const hit = resolver.resolve(ip, ts);
    const device = hit?.mac ?? `ip:${ip}`;
    const key = `${device} ${ip}`;
    const s = sightings.get(key);
    if (!s) sightings.set(key, { device, ip, first: ts, last: ts, hostname: hit?.hostname });
    else {
      s.first = Math.min(s.first, ts);
      s.last = Math.max(s.last, ts);
    }
    return device;
  };
  const out: Activity[] = [];
  const changes = new Map<string, number[]>();
  for (const [id, ts, ip, stored, role, service] of store.events.lookupsBetween(from, Number.MAX_SAFE_INTEGER)) {
    const device = deviceOf(ip, ts);
    if (stored !== device) {
      const ids = changes.get(device);
      if (ids) ids.push(id);
      else changes.set(device, [id]);
    }
    out.push({ ts, device, ip, service, role, evidence: 'dns', bytesDown: 0, bytesUp: 0 });
  }
  store.events.setDevices(changes);
  for (const f of store.flows.between(from, Number.MAX_SAFE_INTEGER)) {
    const device = deviceOf(f.localIp, f.minute);
    if (f.device !== device) store.flows.setDevice(f, device);
    out.push({ ts: f.minute, device, ip: f.localIp, service: f.service, role: f.role, evidence: 'flows', bytesDown: f.bytesDown, bytesUp: f.bytesUp });
  }
  for (const s of sightings.values()) {
    store.devices.seen({ device: s.device, ip: s.ip, ts: s.first, hostname: s.hostname });
    store.devices.seen({ device: s.device, ip: s.ip, ts: s.last });
  }
  return out;
}

/** Config entries win over `nfmon device set`, which only names devices the config does not. */
export function deviceFacts(ctx: Pick<RebuildContext, 'store' | 'configuredDevices'>): Map<string, DeviceFacts> {
  const facts = new Map<string, DeviceFacts>();
  for (const d of ctx.store.devices.list()) {
    facts.set(d.device, { label: d.name ?? d.hostname ?? d.device, trust: d.trust });
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
