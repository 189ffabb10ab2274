// The read-only dashboard over node:http: the page at /, the JSON of the CLI's --json at /api/*.
// node:http, not a framework: five GET routes need no router, and it adds nothing to the
// daemon's memory that Node has not loaded already (README, Performance: idle RSS on and off).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/file.js';
import { isLoopback, parseListen, type ListenAddress } from '../config/http.js';
import type { IngestDeps } from '../ingest/deps.js';
import type { ModuleLogger } from '../core/log.js';
import { BasicAuth, loadPasswordFile } from './auth.js';
import { apiRoute, ApiError } from './api.js';
import { collectDashboard } from './data.js';
import { CONTENT_SECURITY_POLICY, renderPage } from './page.js';
import { WebServerError } from './errors.js';

export interface WebDeps {
  readonly app: IngestDeps;
  readonly logger: ModuleLogger;
  readonly now?: () => number;
  /** Override http.listen (tests: port 0). */
  readonly listen?: string;
  /** Seconds between reloads of the page; default 60. */
  readonly refreshSeconds?: number;
}

export interface WebServer {
  /** The base URL it answers on, e.g. http://127.0.0.1:8080/. */
  readonly url: string;
  close(): Promise<void>;
}

// In its own module, so that the CLI's exit codes know it without loading the server.
export { WebServerError } from './errors.js';

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;

/**
 * Start the dashboard on http.listen. Rejects with a ConfigError (exit 2) when the listen address
 * or the password file is unusable, and with a WebServerError when the port cannot be bound.
 */
export async function startWebServer(deps: WebDeps): Promise<WebServer> {
  const { logger } = deps;
  const { listen, listenText, auth } = listenSettings(deps);
  const routes: Routes = { app: deps.app, now: deps.now ?? Date.now, auth, refreshSeconds: deps.refreshSeconds ?? 60 };
  const server = createServer((req, res) => {
    route(routes, req, res).catch((err: unknown) => {
      logger.error(`request failed: ${(err as Error).message}`, { path: req.url });
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  // Slow or idle clients must not hold sockets open on a small machine.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await bind(server, listen, listenText);
  server.on('error', (err) => logger.error(`dashboard server error: ${err.message}`));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  logger.info('dashboard listening', { url, auth: auth ? 'password' : 'none (loopback)' });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The address to listen on and the password check; a listener beyond loopback needs a password. */
function listenSettings(deps: WebDeps): { listen: ListenAddress; listenText: string; auth: BasicAuth | undefined } {
  const { config } = deps.app;
  const listenText = deps.listen ?? config.http.listen;
  const listen = listenText === undefined ? undefined : parseListen(listenText);
  if (listenText === undefined || !listen) throw new ConfigError('config', [`http.listen: expected host:port, got ${JSON.stringify(listenText ?? null)}`]);
  const passwordFile = config.http.password_file;
  if (!passwordFile && !isLoopback(listen.host)) {
    throw new ConfigError('config', [`http.password_file: required when http.listen (${listenText}) is not a loopback address`]);
  }
  return { listen, listenText, auth: passwordFile ? new BasicAuth(loadPasswordFile(passwordFile)) : undefined };
}

function bind(server: Server, listen: ListenAddress, listenText: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new WebServerError(`http.listen ${listenText}: cannot listen: ${err.code ?? err.message}`, { cause: err })),
    );
    server.listen({ port: listen.port, ...(listen.host ? { host: listen.host } : {}) }, () => resolve());
  });
}

interface Routes {
  readonly app: IngestDeps;
  readonly now: () => number;
  readonly auth: BasicAuth | undefined;
  readonly refreshSeconds: number;
}

/** GET only; the Host or the password checked first; then the page at / and the JSON at /api/*. */
async function route({ app, now, auth, refreshSeconds }: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET only\n', { Allow: 'GET, HEAD' });
  // Without a password (loopback only), a page elsewhere could still reach us through a DNS name
  // rebound to 127.0.0.1; such a request names that foreign host in its Host header.
  if (!auth && !isLoopbackHost(req.headers.host)) return send(res, 421, 'text/plain; charset=utf-8', 'unexpected Host header\n');
  if (auth && !(await auth.check(req.headers.authorization))) {
    return send(res, 401, 'text/plain; charset=utf-8', 'password required\n', { 'WWW-Authenticate': 'Basic realm="nfmon", charset="UTF-8"' });
  }
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  if (url.pathname === '/') {
    const page = renderPage(collectDashboard(app, now()), { kind: 'dashboard', refreshSeconds });
    return send(res, 200, 'text/html; charset=utf-8', page);
  }
  if (url.pathname.startsWith('/api/')) {
    try {
      return send(res, 200, 'application/json; charset=utf-8', `${JSON.stringify(apiRoute(app, url, now()), null, 2)}\n`);
    } catch (err) {
      if (err instanceof ApiError) return send(res, err.status, 'application/json; charset=utf-8', `${JSON.stringify({ error: err.message })}\n`);
      throw err;
    }
  }
  return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
}

/** `localhost:8080`, `127.0.0.1:8080`, `[::1]:8080`: the names a loopback listener is reached by. */
export function isLoopbackHost(header: string | undefined): boolean {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::\d+)?$/.exec(header ?? '');
  return m !== null && isLoopback((m[1] ?? m[2] ?? '').toLowerCase());
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
