// What rules need from before the rebuild window: unusual_hour the device's earlier session
// starts (its profile), dns_bypass the lookups in the look-back before the window's first sessions.
// Memory stays bounded by the rules' own spans: starts of one window, lookups of one look-back;
// the rebuild hands the lookups from `from` on to the rules a window at a time.
import type { Lookup } from '../core/dns-bypass.js';
import type { RuleInputs } from '../core/rules.js';
import type { RebuildContext } from './context.js';
import { attribution } from './identity.js';

export function ruleInputs(ctx: Pick<RebuildContext, 'store' | 'resolver' | 'catalog' | 'ruleOptions'>, from: number): RuleInputs {
  const { unusualHour, dnsBypass } = ctx.ruleOptions;
  return {
    ...(unusualHour?.enabled ? { history: startsBefore(ctx, from, unusualHour.windowMs) } : {}),
    ...(dnsBypass?.enabled ? { lookups: lookupsBefore(ctx, from, dnsBypass.lookbackMs) } : {}),
  };
}

/**
 * Stored session starts in [from - windowMs, from) of sessions that also end before `from`: those
 * the rebuild keeps (it starts where no stored session straddles, and replaces the rest).
 */
function startsBefore(ctx: Pick<RebuildContext, 'store'>, from: number, windowMs: number): { device: string; start: number }[] {
  return ctx.store.sessions
    .query({ since: from - windowMs, until: from })
    .filter((s) => s.start >= from - windowMs && s.end < from)
    .map((s) => ({ device: s.device, start: s.start }));
}

/** Lookups in [from - lookbackMs, from), attributed and classified as the rebuild does its own. */
function lookupsBefore(ctx: Pick<RebuildContext, 'store' | 'resolver' | 'catalog'>, from: number, lookbackMs: number): Lookup[] {
  const out: Lookup[] = [];
  const deviceOf = attribution(() => ctx.resolver);
  for (const [, ts, ip, , name, service] of ctx.store.events.lookupsBetween(from - lookbackMs, from - 1)) {
    if (ctx.catalog.classifyDomain(name)?.service !== service) continue;
    out.push({ ts, device: deviceOf(ip, ts), service });
  }
  return out;
}
