// The auth phase of the Home Assistant websocket over the `ws` package: Node 20 has no global
// WebSocket, and home-assistant-js-websocket's own createSocket assumes one. Plugged into
// createConnection as its `createSocket`; failures come out as NotifyError so callers can tell
// a rejected token from a host that is down.
import WebSocket from 'ws';
import type { HaWebSocket } from 'home-assistant-js-websocket';
import { NotifyError } from './notifier.js';

export interface HaSocketOptions {
  /** ws(s)://host:8123/api/websocket */
  readonly wsUrl: string;
  readonly token: string;
  /** Budget for TCP connect, upgrade and auth together. */
  readonly connectTimeoutMs: number;
  /** Called for socket errors after auth; the close that follows is what the connection acts on. */
  readonly onSocketError: (err: Error) => void;
}

export interface OpenedSocket {
  readonly socket: HaWebSocket;
  /** The same socket, typed as `ws`, for terminate(): close() waits for a dead peer for 30 s. */
  readonly raw: WebSocket;
}

/** The websocket URL under a Home Assistant base URL: http(s)://h:8123 -> ws(s)://h:8123/api/websocket. */
export function websocketUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (err) {
    throw new Error(`homeassistant.url: not a URL: "${baseUrl}"`, { cause: err });
  }
  const schemes: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' };
  const scheme = schemes[url.protocol];
  if (scheme === undefined) {
    throw new Error(`homeassistant.url: expected http(s)://host:8123, got scheme "${url.protocol}"`);
  }
  const base = url.pathname.replace(/\/+$/, '').replace(/\/api\/websocket$/, '');
  return `${scheme}//${url.host}${base}/api/websocket`;
}

function atLeastVersion(version: unknown, year: number, month: number): boolean {
  if (typeof version !== 'string') return false;
  const [y, m] = version.split('.').map(Number);
  if (y === undefined || m === undefined || Number.isNaN(y) || Number.isNaN(m)) return false;
  return y > year || (y === year && m >= month);
}

function parseFrame(data: WebSocket.RawData): Record<string, unknown> | undefined {
  try {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const value: unknown = JSON.parse(buf.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Opens a socket and completes auth; resolves once Home Assistant said auth_ok. */
export function openHaSocket(options: HaSocketOptions): Promise<OpenedSocket> {
  const { wsUrl, connectTimeoutMs } = options;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { handshakeTimeout: connectTimeoutMs });
    let settled = false;
    const fail = (err: NotifyError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('message').removeAllListeners('close');
      ws.terminate();
      reject(err);
    };
    const timer = setTimeout(() => {
      fail(new NotifyError('unreachable', `Home Assistant at ${wsUrl} did not complete auth within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);

    // Kept for the socket's whole life: an 'error' without a listener would crash the process.
    ws.on('error', (err) => {
      if (settled) options.onSocketError(err);
      else fail(new NotifyError('unreachable', `cannot connect to Home Assistant at ${wsUrl}: ${err.message}`, { cause: err }));
    });
    ws.on('close', (code) => {
      fail(new NotifyError('unreachable', `Home Assistant at ${wsUrl} closed the connection during auth (code ${code})`));
    });
    ws.on('message', (data) => {
      const frame = parseFrame(data);
      switch (frame?.type) {
        case 'auth_required':
          ws.send(JSON.stringify({ type: 'auth', access_token: options.token }));
          return;
        case 'auth_invalid': {
          const haMessage = typeof frame.message === 'string' ? frame.message : '';
          fail(new NotifyError('auth_invalid', `Home Assistant rejected the token: ${haMessage}`, { haCode: 'auth_invalid', haMessage }));
          return;
        }
        case 'auth_ok': {
          settled = true;
          clearTimeout(timer);
          ws.removeAllListeners('message').removeAllListeners('close');
          const socket = ws as unknown as HaWebSocket;
          socket.haVersion = typeof frame.ha_version === 'string' ? frame.ha_version : '';
          // Same as the library's own createSocket: id 1 is reserved for this by Connection.
          if (atLeastVersion(frame.ha_version, 2022, 9)) {
            ws.send(JSON.stringify({ type: 'supported_features', id: 1, features: { coalesce_messages: 1 } }));
          }
          resolve({ socket, raw: ws });
          return;
        }
        default:
          fail(new NotifyError('unreachable', `${wsUrl} does not speak the Home Assistant websocket protocol`));
      }
    });
  });
}
