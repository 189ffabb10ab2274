// What the ingest pipeline runs on, shared by the CLI and the daemon: config, store, catalog and
// the settings derived from config, built in one place. No clock and no logger: every step takes
// `now` as an argument and reports through its result, so the caller (cli/, daemon/) owns both.
import { buildCatalog, NETFLIX, type Catalog } from '../core/catalog.js';
import { LeaseIndex } from '../core/leases.js';
import { StickyResolver } from '../core/sticky-resolver.js';
import { normalizeMac } from '../core/mac.js';
import type { RuleOptions } from '../core/rules.js';
import type { SessionOptions } from '../core/sessions.js';
import type { LeaseInterval, ServiceDef } from '../core/types.js';
import type { Config } from '../config/schema.js';
import { lookupVendors } from '../sources/oui/vendors.js';
import type { OpenOptions } from '../store/db.js';
import { Store } from '../store/index.js';
import type { ConfiguredDevice, DeviceResolver, RebuildContext } from './context.js';

export interface IngestDeps {
  readonly config: Config;
  readonly store: Store;
  readonly catalog: Catalog;
  readonly timeZone: string;
  readonly sessionOptions: SessionOptions;
  readonly ruleOptions: RuleOptions;
  readonly configuredDevices: readonly ConfiguredDevice[];
  /** A rebuild context with a resolver over the leases stored now. */
  rebuildContext(): RebuildContext;
  close(): void;
}

export function servicesOf(config: Config): ServiceDef[] {
  const extra = config.services.map((s) => ({
    name: s.name,
    domains: s.domains,
    videoDomains: s.video_domains,
    videoPrefixes: s.video_prefixes,
    names: [
      ...s.playback_domains.map((suffix) => ({ suffix, role: 'playback' as const })),
      ...s.background_domains.map((suffix) => ({ suffix, role: 'background' as const })),
    ],
  }));
  return [NETFLIX, ...extra];
}

export function openIngestDeps(config: Config, dbFile: string, opts?: OpenOptions): IngestDeps {
  const store = Store.open(dbFile, opts);
  const catalog = buildCatalog(servicesOf(config));
  const sessionOptions: SessionOptions = {
    gapMs: config.sessions.gap,
    hdMbps: config.sessions.hd_mbps,
    uhdMbps: config.sessions.uhd_mbps,
    minVideoBytes: config.sessions.min_video_bytes,
  };
  const ruleOptions: RuleOptions = {
    timeZone: config.timezone,
    quietHours: config.rules.quiet_hours,
    maxConcurrentStreams: config.rules.max_concurrent_streams,
    unknownDevice: config.rules.unknown_device,
    unusualHour: {
      enabled: config.rules.unusual_hour.enabled,
      windowMs: config.rules.unusual_hour.window,
      minDays: config.rules.unusual_hour.min_days,
      minSessions: config.rules.unusual_hour.min_sessions,
    },
    dnsBypass: { enabled: config.rules.dns_bypass.enabled, lookbackMs: config.rules.dns_bypass.lookback },
  };
  const configuredDevices: ConfiguredDevice[] = config.devices.map((d) => ({
    mac: normalizeMac(d.mac) ?? d.mac.toLowerCase(),
    name: d.name,
    trust: d.trust,
    quietHours: d.quiet_hours,
  }));
  const staticIntervals: LeaseInterval[] = config.devices.flatMap((d) =>
    d.ip ? [{ ip: d.ip, mac: normalizeMac(d.mac) ?? d.mac.toLowerCase(), start: 0, end: Infinity, source: 'config', ...(d.name ? { hostname: d.name } : {}) }] : [],
  );
  return {
    config,
    store,
    catalog,
    timeZone: config.timezone,
    sessionOptions,
    ruleOptions,
    configuredDevices,
    rebuildContext(): RebuildContext {
      const intervals = store.leases.all();
      const statics = staticIntervals.map((s) => ({ mac: s.mac, ip: s.ip, ...(s.hostname ? { hostname: s.hostname } : {}) }));
      const resolver: DeviceResolver = new StickyResolver(new LeaseIndex(intervals, { statics }), [...intervals, ...staticIntervals]);
      return {
        store, catalog, resolver, sessionOptions, ruleOptions, configuredDevices, vendorOf: lookupVendors,
        notifyMaxAgeMs: config.rules.notify_max_age,
      };
    },
    close: () => store.close(),
  };
}
