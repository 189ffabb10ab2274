// The one websocket link to Home Assistant: opened on demand, never reopened in the background.
// home-assistant-js-websocket reconnects forever on its own after a drop; a daemon that sends a
// few alerts a day is better served by reconnecting when it has something to send, and it keeps
// a bad token from hammering Home Assistant's login (and its IP-ban counter).
import { createConnection, type Connection } from 'home-assistant-js-websocket';
import type WebSocket from 'ws';
import { withDeadline } from './deadline.js';
import { openHaSocket } from './ha-socket.js';
import { NotifyError } from './notifier.js';
import type { Logger } from '../core/log.js';

export interface Live {
  readonly conn: Connection;
  readonly raw: WebSocket;
}

export interface HaLinkOptions {
  readonly wsUrl: string;
  readonly token: string;
  readonly connectTimeoutMs: number;
  readonly pingTimeoutMs: number;
  readonly logger: Logger;
}

export class HaLink {
  private live: Live | undefined;
  private connecting: Promise<Live> | undefined;
  private closed = false;

  constructor(private readonly options: HaLinkOptions) {}

  /** The open link, if any, without connecting. */
  get current(): Live | undefined {
    return this.live;
  }

  /** The open link, connecting (and authenticating) first if there is none. */
  async get(): Promise<Live> {
    if (this.closed) throw new NotifyError('unreachable', 'the Home Assistant notifier is closed');
    if (this.live?.conn.connected === true) return this.live;
    if (this.live !== undefined) this.drop(this.live, 'socket no longer open');
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** After a call timed out: a slow service keeps the link; a link that cannot even pong is dropped. */
  async probe(live: Live): Promise<void> {
    if (this.live !== live) return;
    const ping = live.conn.ping().then(() => true, () => false);
    const pong = await withDeadline(ping, this.options.pingTimeoutMs);
    if (pong !== true && this.live === live) this.drop(live, `no answer to ping within ${this.options.pingTimeoutMs} ms`);
  }

  /** Cuts the link at once; commands in flight on it are rejected (connection lost). */
  drop(live: Live, reason: string): void {
    live.conn.close();
    live.raw.terminate();
    if (this.live === live) this.live = undefined;
    this.options.logger.info(`dropped the Home Assistant connection: ${reason}`);
  }

  /** Closes politely, but does not wait more than a second for a peer that may be gone. */
  async close(): Promise<void> {
    this.closed = true;
    const live = this.live;
    this.live = undefined;
    if (live === undefined) return;
    live.conn.close();
    await new Promise<void>((resolve) => {
      if (live.raw.readyState === live.raw.CLOSED) return resolve();
      // ws itself would wait 30 s for the close frame of a dead peer.
      const timer = setTimeout(() => live.raw.terminate(), 1_000);
      live.raw.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async connect(): Promise<Live> {
    const { wsUrl, token, connectTimeoutMs, logger } = this.options;
    let raw: WebSocket | undefined;
    const conn = await createConnection({
      setupRetry: 0,
      createSocket: async () => {
        const opened = await openHaSocket({
          wsUrl,
          token,
          connectTimeoutMs,
          onSocketError: (err) => logger.debug(`Home Assistant socket error: ${err.message}`),
        });
        raw = opened.raw;
        return opened.socket;
      },
    });
    if (raw === undefined) throw new Error('createSocket resolved without a socket');
    const live: Live = { conn, raw };
    if (this.closed) {
      this.drop(live, 'notifier closed while connecting');
      throw new NotifyError('unreachable', 'the Home Assistant notifier is closed');
    }
    conn.addEventListener('disconnected', () => {
      conn.close(); // stops the library's background reconnect loop
      if (this.live !== live) return;
      this.live = undefined;
      logger.info('Home Assistant closed the connection; reconnecting with the next alert');
    });
    this.live = live;
    logger.info(`connected to Home Assistant ${conn.haVersion} at ${wsUrl}`);
    return live;
  }
}
