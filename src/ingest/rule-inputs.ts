// What rules need from before the rebuild window: unusual_hour the device's earlier session
// starts (its profile), dns_bypass the lookups in the look-back before the window's first sessions.
// Memory stays bounded by the rules' own spans: starts of one window, lookups of one look-back
// on top of those the rebuild already holds.
import type { Lookup } from '../core/dns-bypass.js';
import type { RuleInputs } from '../core/rules.js';
import type { Activity } from '../core/types.js';
import type { RebuildContext } from './context.js';

export function ruleInputs(ctx: Pick<RebuildContext, 'store' | 'resolver' | 'catalog' | 'ruleOptions'>, from: number, activities: readonly Activity[]): RuleInputs {
  const { unusualHour, dnsBypass } = ctx.ruleOptions;
  return {
    ...(unusualHour?.enabled ? { history: startsBefore(ctx, from, unusualHour.windowMs) } : {}),
    ...(dnsBypass?.enabled ? { lookups: [...lookupsBefore(ctx, from, dnsBypass.lookbackMs), ...activities.filter((a) => a.evidence === 'dns')] } : {}),
  };
}

/** Stored session starts in [from - windowMs, from): sessions from `from` on are the rebuild's own. */
function startsBefore(ctx: Pick<RebuildContext, 'store'>, from: number, windowMs: number): { device: string; start: number }[] {
  return ctx.store.sessions
    .query({ since: from - windowMs, until: from })
    .filter((s) => s.start >= from - windowMs && s.start < from)
    .map((s) => ({ device: s.device, start: s.start }));
}

/** Lookups in [from - lookbackMs, from), attributed and classified as the rebuild does its own. */
function lookupsBefore(ctx: Pick<RebuildContext, 'store' | 'resolver' | 'catalog'>, from: number, lookbackMs: number): Lookup[] {
  const out: Lookup[] = [];
  for (const [, ts, ip, , name, service] of ctx.store.events.lookupsBetween(from - lookbackMs, from - 1)) {
    if (ctx.catalog.classifyDomain(name)?.service !== service) continue;
    out.push({ ts, device: ctx.resolver.resolve(ip, ts)?.mac ?? `ip:${ip}`, service });
  }
  return out;
}
