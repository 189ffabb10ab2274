// A Home Assistant websocket server for tests, speaking the real protocol as summarised in
// shared/corpus/homeassistant/websocket-api-transcript.md: auth phase, increasing ids, results
// and error codes as core sends them. It records what it receives and can misbehave the ways a
// real installation does: restart (connections closed), go down (port closed), refuse the
// upgrade (proxy 502/503, IP ban 403), drop connections abruptly, answer slowly, go silent.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface FakeHaOptions {
  readonly token?: string;
  /** Known services as `domain.service`. */
  readonly services?: readonly string[];
  readonly haVersion?: string;
}

export interface RecordedCall {
  readonly conn: number;
  readonly id: number;
  readonly domain: string;
  readonly service: string;
  readonly service_data: Record<string, unknown>;
  /** The service exists, so Home Assistant ran it (the phone got the notification). */
  readonly known: boolean;
  /** Run as a step of this execute_script command. */
  readonly script?: number;
}

export interface RecordedEvent {
  readonly conn: number;
  readonly id: number;
  readonly event_type: string;
  readonly event_data: Record<string, unknown>;
  /** False when refused (non-admin token). */
  readonly accepted: boolean;
  /** Fired as a step of this execute_script command. */
  readonly script?: number;
}

/** When a dropped connection is cut: on open, on a command before HA acts, or after HA acted but before it answered. */
export interface DropRule {
  readonly when: 'open' | 'command' | 'after_command';
  /** Only this command type triggers the drop (default: any). */
  readonly command?: string;
}

type Json = Record<string, unknown>;

interface ConnState {
  readonly conn: number;
  readonly drop: DropRule | undefined;
  authed: boolean;
  lastId: number;
  coalesce: boolean;
  queue: Json[];
  readonly subscriptions: Map<number, string | undefined>;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class FakeHaServer {
  readonly calls: RecordedCall[] = [];
  readonly events: RecordedEvent[] = [];
  /** Ids of the execute_script commands run. */
  readonly scripts: number[] = [];
  readonly auths: { readonly conn: number; readonly ok: boolean }[] = [];
  /** Socket errors seen by the server, kept for assertions rather than dropped. */
  readonly errors: Error[] = [];
  /** Websocket connections accepted so far (upgrade done). */
  connections = 0;
  private token: string;
  private services: Set<string>;
  private readonly haVersion: string;
  private admin = true;
  private drops: DropRule[] = [];
  private resultDelayMs = 0;
  private refuseStatus: number | undefined;
  private silent = false;
  private http: Server | undefined;
  private listenPort = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly states = new Map<WebSocket, ConnState>();
  private readonly rawSockets = new Set<Socket>();

  constructor(options: FakeHaOptions = {}) {
    this.token = options.token ?? 'test-token';
    this.services = new Set(options.services ?? ['notify.mobile_app_pixel']);
    this.haVersion = options.haVersion ?? '2025.1.0';
  }

  static async start(options?: FakeHaOptions): Promise<FakeHaServer> {
    const server = new FakeHaServer(options);
    await server.start();
    return server;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Base URL as a user would configure it. */
  get url(): string {
    return `http://127.0.0.1:${this.listenPort}`;
  }

  setToken(token: string): void {
    this.token = token;
  }

  setServices(services: readonly string[]): void {
    this.services = new Set(services);
  }

  /** A non-admin token: fire_event answers unauthorized. */
  setAdmin(admin: boolean): void {
    this.admin = admin;
  }

  /** The next n connections are cut abruptly (no close frame) as `rule` says. */
  dropNextConnections(n: number, rule: DropRule = { when: 'open' }): void {
    for (let i = 0; i < n; i++) this.drops.push(rule);
  }

  /** Home Assistant restarting: every connection gets a close frame; the port stays open. */
  closeAllConnections(): void {
    for (const ws of this.states.keys()) ws.close(1001, 'restarting');
  }

  /** call_service and fire_event answers come this much later (HA runs the call at once). */
  delayResults(ms: number): void {
    this.resultDelayMs = ms;
  }

  /** Answer websocket upgrades with this HTTP status (proxy in front of a restarting HA, IP ban); false to stop. */
  refuse(status: number | false = 503): void {
    this.refuseStatus = status === false ? undefined : status;
  }

  /** A dead link: nothing is answered or sent any more (TCP stays up); new connections hang before auth. */
  goSilent(silent: boolean): void {
    this.silent = silent;
  }

  /** Calls of services that exist, i.e. notifications Home Assistant actually sent. */
  knownCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.known);
  }

  openConnections(): number {
    return this.states.size;
  }

  async start(): Promise<void> {
    if (this.http !== undefined) return;
    const http = createServer((_req, res) => res.writeHead(404).end());
    http.on('connection', (socket) => {
      this.rawSockets.add(socket);
      socket.on('close', () => this.rawSockets.delete(socket));
    });
    http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const status = this.refuseStatus ?? (path === '/api/websocket' ? undefined : 404);
      if (status !== undefined) {
        socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    const address = http.address();
    if (address === null || typeof address === 'string') throw new Error('fake HA: no TCP address');
    this.listenPort = address.port;
    this.http = http;
  }

  /** Home Assistant down: connections cut, port closed (connection refused) until start(). */
  async stop(): Promise<void> {
    const http = this.http;
    if (http === undefined) return;
    this.http = undefined;
    for (const ws of this.states.keys()) ws.terminate();
    for (const socket of this.rawSockets) socket.destroy();
    await new Promise<void>((resolve, reject) => http.close((err) => (err ? reject(err) : resolve())));
  }

  /** Polls `predicate` until true; throws naming `what` after `timeoutMs`. */
  async until(predicate: () => boolean, what = 'condition', timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`fake HA: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private onConnection(ws: WebSocket): void {
    const state: ConnState = {
      conn: ++this.connections,
      drop: this.drops.shift(),
      authed: false,
      lastId: 0,
      coalesce: false,
      queue: [],
      subscriptions: new Map(),
    };
    ws.on('error', (err) => this.errors.push(err));
    if (state.drop?.when === 'open') {
      ws.terminate();
      return;
    }
    this.states.set(ws, state);
    ws.on('close', () => this.states.delete(ws));
    ws.on('message', (data) => {
      if (this.silent) return;
      let message: unknown;
      try {
        message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '');
      } catch {
        message = undefined;
      }
      if (state.authed) this.onCommand(ws, state, message);
      else this.onAuth(ws, state, message);
    });
    this.send(ws, state, { type: 'auth_required', ha_version: this.haVersion });
  }

  private onAuth(ws: WebSocket, state: ConnState, message: unknown): void {
    if (!isObject(message) || message.type !== 'auth' || typeof message.access_token !== 'string') {
      this.send(ws, state, { type: 'auth_invalid', message: "Auth message incorrectly formatted: required key not provided @ data['access_token']" });
      ws.close();
      return;
    }
    const ok = message.access_token === this.token;
    this.auths.push({ conn: state.conn, ok });
    if (!ok) {
      this.send(ws, state, { type: 'auth_invalid', message: 'Invalid access token or password' });
      ws.close();
      return;
    }
    state.authed = true;
    this.send(ws, state, { type: 'auth_ok', ha_version: this.haVersion });
  }

  private onCommand(ws: WebSocket, state: ConnState, message: unknown): void {
    if (!isObject(message) || !Number.isInteger(message.id) || typeof message.type !== 'string') {
      const id = isObject(message) && Number.isInteger(message.id) ? message.id : null;
      this.send(ws, state, { id, type: 'result', success: false, error: { code: 'invalid_format', message: 'Message incorrectly formatted.' } });
      return;
    }
    const id = message.id as number;
    if (id <= state.lastId) {
      this.fail(ws, state, id, 'id_reuse', 'Identifier values have to increase.');
      return;
    }
    state.lastId = id;
    const dropHere = (when: DropRule['when']): boolean => {
      if (state.drop?.when !== when || (state.drop.command !== undefined && state.drop.command !== message.type)) return false;
      ws.terminate();
      return true;
    };
    if (dropHere('command')) return;
    switch (message.type) {
      case 'supported_features':
        state.coalesce = isObject(message.features) && message.features.coalesce_messages === 1;
        this.succeed(ws, state, id, null);
        return;
      case 'ping':
        this.send(ws, state, { id, type: 'pong' });
        return;
      case 'call_service':
        this.onCallService(ws, state, id, message, () => dropHere('after_command'));
        return;
      case 'fire_event':
        this.onFireEvent(ws, state, id, message, () => dropHere('after_command'));
        return;
      case 'execute_script':
        this.onExecuteScript(ws, state, id, message, () => dropHere('after_command'));
        return;
      case 'subscribe_events':
        state.subscriptions.set(id, typeof message.event_type === 'string' ? message.event_type : undefined);
        this.succeed(ws, state, id, null);
        return;
      case 'unsubscribe_events':
        if (state.subscriptions.delete(message.subscription as number)) this.succeed(ws, state, id, null);
        else this.fail(ws, state, id, 'not_found', 'Subscription not found.');
        return;
      case 'get_services':
        this.succeed(ws, state, id, this.serviceMap());
        return;
      default:
        this.fail(ws, state, id, 'unknown_command', 'Unknown command.');
    }
  }

  private onCallService(ws: WebSocket, state: ConnState, id: number, message: Json, dropAfter: () => boolean): void {
    const { domain, service } = message;
    if (typeof domain !== 'string' || typeof service !== 'string') {
      this.fail(ws, state, id, 'invalid_format', "Message incorrectly formatted: required key not provided @ data['domain']");
      return;
    }
    const known = this.services.has(`${domain}.${service}`);
    const serviceData = isObject(message.service_data) ? message.service_data : {};
    this.calls.push({ conn: state.conn, id, domain, service, service_data: serviceData, known });
    if (dropAfter()) return;
    if (!known) {
      this.fail(ws, state, id, 'not_found', `Service ${domain}.${service} not found.`, {
        translation_key: 'service_not_found',
        translation_domain: 'homeassistant',
        translation_placeholders: { domain, service },
      });
      return;
    }
    const result: Json = { context: this.context() };
    if (message.return_response === true) result.response = null;
    this.later(() => this.succeed(ws, state, id, result));
  }

  private onFireEvent(ws: WebSocket, state: ConnState, id: number, message: Json, dropAfter: () => boolean): void {
    const eventType = message.event_type;
    if (typeof eventType !== 'string') {
      this.fail(ws, state, id, 'invalid_format', `Message incorrectly formatted: expected str for dictionary value @ data['event_type']. Got ${JSON.stringify(eventType)}`);
      return;
    }
    const eventData = isObject(message.event_data) ? message.event_data : {};
    this.events.push({ conn: state.conn, id, event_type: eventType, event_data: eventData, accepted: this.admin });
    if (!this.admin) {
      this.fail(ws, state, id, 'unauthorized', 'Unauthorized');
      return;
    }
    if (dropAfter()) return;
    const context = this.context();
    this.later(() => this.succeed(ws, state, id, { context }));
    this.broadcast(eventType, eventData, context);
  }

  /**
   * execute_script as Home Assistant runs it (websocket_api/commands.py handle_execute_script):
   * admin only, the sequence's steps in order, a service step that fails stops the script and
   * its error is the answer (ServiceNotFound -> not_found). Steps are recorded like the plain
   * commands, with `script` set to the command id that ran them.
   */
  private onExecuteScript(ws: WebSocket, state: ConnState, id: number, message: Json, dropAfter: () => boolean): void {
    if (!this.admin) {
      this.fail(ws, state, id, 'unauthorized', 'Unauthorized');
      return;
    }
    const sequence = Array.isArray(message.sequence) ? message.sequence : isObject(message.sequence) ? [message.sequence] : undefined;
    if (!sequence || !sequence.every((step) => isObject(step) && (typeof step.service === 'string' || typeof step.action === 'string' || typeof step.event === 'string'))) {
      this.fail(ws, state, id, 'invalid_format', "Message incorrectly formatted: expected a dictionary @ data['sequence'][0]");
      return;
    }
    this.scripts.push(id);
    const context = this.context();
    for (const step of sequence as Json[]) {
      if (typeof step.event === 'string') {
        const eventData = isObject(step.event_data) ? step.event_data : {};
        this.events.push({ conn: state.conn, id, event_type: step.event, event_data: eventData, accepted: true, script: id });
        this.broadcast(step.event, eventData, context);
        continue;
      }
      const name = String(step.service ?? step.action);
      const [domain = '', service = ''] = name.split('.', 2);
      const known = this.services.has(name);
      const data = isObject(step.data) ? step.data : {};
      this.calls.push({ conn: state.conn, id, domain, service, service_data: data, known, script: id });
      if (!known) {
        this.fail(ws, state, id, 'not_found', `Service ${name} not found.`);
        return;
      }
    }
    if (dropAfter()) return;
    this.later(() => this.succeed(ws, state, id, { context, response: null }));
  }

  private broadcast(eventType: string, eventData: Json, context: Json): void {
    for (const [other, otherState] of this.states) {
      for (const [subId, type] of otherState.subscriptions) {
        if (type !== undefined && type !== eventType) continue;
        const event = { event_type: eventType, data: eventData, origin: 'REMOTE', time_fired: new Date().toISOString(), context };
        this.send(other, otherState, { id: subId, type: 'event', event });
      }
    }
  }

  private serviceMap(): Json {
    const map: Record<string, Json> = {};
    for (const name of this.services) {
      const [domain = '', service = ''] = name.split('.', 2);
      map[domain] = { ...map[domain], [service]: { name: service, description: '', fields: {} } };
    }
    return map;
  }

  private context(): Json {
    return { id: randomBytes(16).toString('hex'), parent_id: null, user_id: 'f0c1e5d0a4a34d1b9f3d6c4e2b1a0987' };
  }

  private later(fn: () => void): void {
    if (this.resultDelayMs > 0) setTimeout(fn, this.resultDelayMs);
    else fn();
  }

  private succeed(ws: WebSocket, state: ConnState, id: number, result: unknown): void {
    this.send(ws, state, { id, type: 'result', success: true, result });
  }

  private fail(ws: WebSocket, state: ConnState, id: number, code: string, message: string, extra: Json = {}): void {
    this.send(ws, state, { id, type: 'result', success: false, error: { code, message, ...extra } });
  }

  /** With coalesce_messages on, frames queued in one tick go out as one JSON array, as HA does. */
  private send(ws: WebSocket, state: ConnState, message: Json): void {
    if (this.silent || ws.readyState !== WebSocket.OPEN) return;
    if (!state.coalesce) {
      ws.send(JSON.stringify(message));
      return;
    }
    state.queue.push(message);
    if (state.queue.length > 1) return;
    setImmediate(() => {
      const batch = state.queue;
      state.queue = [];
      if (ws.readyState === WebSocket.OPEN && !this.silent) ws.send(JSON.stringify(batch.length === 1 ? batch[0] : batch));
    });
  }
}
