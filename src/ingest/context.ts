// What a rebuild reads: the store, the catalog, a resolver from address and time to device, and
// the options of sessions and rules. Built by deps.ts from the config; a type of its own so that
// the rebuild and the rule inputs it gathers share it without importing each other.
import type { Catalog } from '../core/catalog.js';
import type { RuleOptions } from '../core/rules.js';
import type { SessionOptions } from '../core/sessions.js';
import type { Trust } from '../core/types.js';
import type { Store } from '../store/index.js';

export interface DeviceResolver {
  resolve(ip: string, ts: number): { mac: string; hostname?: string | undefined } | undefined;
}

export interface ConfiguredDevice {
  readonly mac: string;
  readonly name?: string | undefined;
  readonly trust: Trust;
  readonly quietHours?: string | undefined;
}

export interface RebuildContext {
  readonly store: Store;
  readonly catalog: Catalog;
  readonly resolver: DeviceResolver;
  readonly sessionOptions: SessionOptions;
  readonly ruleOptions: RuleOptions;
  readonly configuredDevices: readonly ConfiguredDevice[];
  /** Alerts first derived for an event older than this are kept as history, never pushed. */
  readonly notifyMaxAgeMs: number;
  readonly vendorOf?: (macs: readonly string[]) => Map<string, string | undefined>;
}

