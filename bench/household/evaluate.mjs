// Scores nfmon's sessions and alerts against a generated household's truth. Pure: JSON in, figures
// out. A session belongs to a play when it is on the same device (MAC) and overlaps the play
// within SLACK (the OCA lookups come a few seconds before the first video byte; a session made of
// them alone ends just before the play starts).

const MINUTE = 60_000;
const SLACK = 2 * MINUTE;

const ms = (t) => Date.parse(t);
const overlaps = (s, from, to, slack = SLACK) => s.start <= to + slack && s.end >= from - slack;

function sessionsOf(sessionsJson) {
  return sessionsJson.map((s) => ({
    id: s.id, mac: s.device?.mac ?? null, start: ms(s.start), end: ms(s.end ?? s.start), evidence: s.evidence ?? [],
  }));
}

/** Per play: found, number of sessions, start and end error in minutes (session minus truth). */
export function scorePlays(truth, sessionsJson) {
  const sessions = sessionsOf(sessionsJson);
  const plays = truth.plays.map((p) => ({ ...p, startMs: ms(p.start), endMs: ms(p.end) }));
  const rows = plays.map((p) => {
    const mine = sessions.filter((s) => s.mac === p.device_mac && overlaps(s, p.startMs, p.endMs)).sort((a, b) => a.start - b.start);
    const shared = mine.some((s) => plays.some((q) => q.id !== p.id && q.device_mac === p.device_mac && overlaps(s, q.startMs, q.endMs)));
    return {
      id: p.id,
      client_kind: p.client_kind,
      device_mac: p.device_mac,
      start: p.start,
      duration_min: p.duration_min,
      resolves_video_name: p.resolves_video_name,
      in_quiet_hours: p.in_quiet_hours,
      found: mine.length > 0,
      sessions: mine.length,
      shared_with_other_play: shared,
      start_error_min: mine.length ? round((mine[0].start - p.startMs) / MINUTE) : null,
      end_error_min: mine.length ? round((Math.max(...mine.map((s) => s.end)) - p.endMs) / MINUTE) : null,
      evidence: [...new Set(mine.flatMap((s) => s.evidence))].sort(),
    };
  });
  const falseSessions = sessions
    .filter((s) => !plays.some((p) => p.device_mac === s.mac && overlaps(s, p.startMs, p.endMs)))
    .map((s) => ({ id: s.id, device_mac: s.mac, start: new Date(s.start).toISOString(), minutes: round((s.end - s.start) / MINUTE), cause: causeOf(truth, s) }));
  return { rows, falseSessions, sessions };
}

/** Why a session that matches no play exists: an idle app, browsing, or neither. */
function causeOf(truth, s) {
  if (truth.browsing.some((b) => b.device_mac === s.mac && overlaps(s, ms(b.start), ms(b.end), 5 * MINUTE))) return 'browsing';
  const idle = truth.idle_periods.find((i) => i.device_mac === s.mac && overlaps(s, ms(i.start), ms(i.end), 0));
  if (idle) return idle.kind === 'phone_background' ? 'phone_background' : 'idle_app';
  return 'other';
}

/**
 * Per rule: expected (and how many of those only a capture can prove), raised, matched, missed,
 * duplicates (more than one raised for one expected alert), false (matching none).
 */
export function scoreAlerts(truth, alertsJson, sessions) {
  const plays = new Map(truth.plays.map((p) => [p.id, { ...p, startMs: ms(p.start), endMs: ms(p.end) }]));
  const byId = new Map(sessions.map((s) => [s.id, s]));
  // No generated household bypasses Pi-hole and two days are a cold start: any dns_bypass or unusual_hour alert is false.
  const rules = ['quiet_hours', 'unknown_device', 'concurrent_streams', 'dns_bypass', 'unusual_hour'];
  const out = {};
  for (const rule of rules) {
    const expected = truth.expected_alerts.filter((e) => e.rule === rule);
    const raised = alertsJson.filter((a) => a.rule === rule);
    const hits = new Map(expected.map((e) => [e, 0]));
    let falseAlerts = 0;
    for (const a of raised) {
      const e = expected.find((x) => matches(x, a, plays, byId));
      if (e) hits.set(e, hits.get(e) + 1);
      else falseAlerts++;
    }
    const counts = [...hits.values()];
    out[rule] = {
      expected: expected.length,
      expected_direct_ip: expected.filter((e) => e.direct_ip).length,
      raised: raised.length,
      matched: counts.filter((n) => n > 0).length,
      matched_direct_ip: expected.filter((e) => e.direct_ip && hits.get(e) > 0).length,
      missed: counts.filter((n) => n === 0).length,
      duplicates: counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      false: falseAlerts,
    };
  }
  return out;
}

function matches(e, a, plays, byId) {
  const mac = a.device?.mac ?? null;
  const at = ms(a.at);
  const session = a.session_id == null ? undefined : byId.get(a.session_id);
  const near = (p) => (session ? overlaps(session, p.startMs, p.endMs) : at >= p.startMs - 15 * MINUTE && at <= p.endMs + 15 * MINUTE);
  if (e.rule === 'unknown_device') return mac === e.device_mac;
  if (e.rule === 'quiet_hours') return mac === e.device_mac && near(plays.get(e.play_id));
  // concurrent_streams: the alert concerns one of the plays that crossed the limit, near the crossing.
  return Math.abs(at - ms(e.at)) <= 30 * MINUTE && (e.play_ids ?? []).some((id) => plays.get(id).device_mac === mac);
}

/** Aggregates play rows of several households into the figures the targets are stated in. */
export function summarize(rows, falseSessions, alerts) {
  const named = rows.filter((r) => r.resolves_video_name);
  const direct = rows.filter((r) => !r.resolves_video_name);
  const abs = (xs) => xs.filter((x) => x !== null).map(Math.abs).sort((a, b) => a - b);
  const stats = (xs) => ({ median: pct(xs, 0.5), p90: pct(xs, 0.9), max: xs.length ? xs[xs.length - 1] : null });
  const startErr = abs(named.map((r) => r.start_error_min));
  const endErr = abs(named.map((r) => r.end_error_min));
  return {
    plays_named: named.length,
    found: named.filter((r) => r.found).length,
    exactly_one_session: named.filter((r) => r.sessions === 1 && !r.shared_with_other_play).length,
    sessions_per_play_max: Math.max(0, ...named.map((r) => r.sessions)),
    abs_start_error_min: stats(startErr),
    abs_end_error_min: stats(endErr),
    start_within_3_min: named.filter((r) => r.found && Math.abs(r.start_error_min) <= 3).length,
    end_within_15_min: named.filter((r) => r.found && Math.abs(r.end_error_min) <= 15).length,
    end_within_1_min: named.filter((r) => r.found && Math.abs(r.end_error_min) <= 1).length,
    plays_direct_ip: direct.length,
    direct_ip_found: direct.filter((r) => r.found).length,
    false_sessions: countBy(falseSessions, (s) => s.cause),
    alerts,
  };
}

function pct(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function countBy(list, key) {
  const out = { idle_app: 0, browsing: 0, phone_background: 0, other: 0 };
  for (const x of list) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

/** Sums per-rule alert figures over households. */
export function addAlerts(total, one) {
  for (const [rule, f] of Object.entries(one)) {
    total[rule] ??= {};
    for (const [k, v] of Object.entries(f)) total[rule][k] = (total[rule][k] ?? 0) + v;
  }
  return total;
}

const round = (x) => Math.round(x * 10) / 10;
