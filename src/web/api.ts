// The JSON endpoints: the same documents as the CLI's --json, with the CLI's options as query
// parameters (/api/sessions?since=7d&device=Kids%20iPad).
import { parseTimeArg, UsageError } from '../core/time-arg.js';
import type { IngestDeps } from '../ingest/deps.js';
import { collectStatus } from '../ingest/status.js';
import { activityJson, alertsJson, loadActivity, querySessions, resolveDevices, sessionsJson } from '../ingest/views.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const PARAMS: Record<string, readonly string[]> = {
  '/api/activity': ['device', 'since'],
  '/api/sessions': ['since', 'until', 'device', 'service'],
  '/api/alerts': ['since'],
  '/api/status': [],
};

export function apiRoute(app: IngestDeps, url: URL, now: number): unknown {
  const allowed = PARAMS[url.pathname];
  if (!allowed) throw new ApiError(404, `no such endpoint: ${url.pathname} (try ${Object.keys(PARAMS).join(', ')})`);
  for (const key of url.searchParams.keys()) {
    if (!allowed.includes(key)) throw new ApiError(400, `${url.pathname}: unknown parameter "${key}" (known: ${allowed.join(', ') || 'none'})`);
  }
  const param = (key: string): string | undefined => url.searchParams.get(key) ?? undefined;
  const time = (key: string, fallback: string): number | undefined => {
    try {
      return parseTimeArg(key, param(key) ?? fallback, now, app.timeZone);
    } catch (err) {
      if (err instanceof UsageError) throw new ApiError(400, err.message);
      throw err;
    }
  };
  const devices = (): string[] | undefined => {
    const query = param('device');
    if (query === undefined) return undefined;
    const found = resolveDevices(app, query);
    if (found.length === 0) throw new ApiError(404, `device: no device matches "${query}"`);
    return found;
  };
  switch (url.pathname) {
    case '/api/activity':
      return activityJson(app, loadActivity(app, now, { devices: devices(), since: time('since', 'all') }));
    case '/api/sessions': {
      const rows = querySessions(app, {
        since: time('since', '24h'),
        until: param('until') !== undefined ? time('until', 'all') : undefined,
        devices: devices(),
        service: param('service'),
      });
      return sessionsJson(app, rows, now);
    }
    case '/api/alerts':
      return alertsJson(app, app.store.alerts.list(time('since', 'all')));
    default:
      return collectStatus(app, now);
  }
}
