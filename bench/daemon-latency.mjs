// Alert latency of the running daemon: a quiet-hours line is appended to the log it tails, and the
// clock stops when a Home Assistant websocket server (the real protocol, minimal) receives the
// notification for it (one execute_script holding the notify call and the event). With mosquitto
// installed, MQTT entities are on too, and a second clock stops when sensor.netflix_streams
// reaches the new count (log line -> MQTT). Also the daemon's idle RSS after start-up.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { findMosquitto, startBroker } from './mqtt-latency.mjs';

const TOKEN = 'bench-token';
/** The V8 flags systemd/nfmon.service starts node with: a small young generation and heap cap for a Pi. */
// The unit's flags (systemd/nfmon.service); NFMON_BENCH_DAEMON_FLAGS tries others.
export const DAEMON_NODE_FLAGS = process.env.NFMON_BENCH_DAEMON_FLAGS?.split(' ').filter(Boolean) ?? ['--max-old-space-size=96', '--max-semi-space-size=1', '--single-threaded'];

/** Just enough of Home Assistant: auth, call_service and fire_event answered with success. */
async function startHa(onCall) {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/api/websocket' });
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'auth_required', ha_version: '2025.1.0' }));
    let authed = false;
    ws.on('message', (raw) => {
      const msgs = [JSON.parse(String(raw))].flat();
      for (const m of msgs) {
        if (!authed) {
          authed = m.type === 'auth' && m.access_token === TOKEN;
          ws.send(JSON.stringify(authed ? { type: 'auth_ok', ha_version: '2025.1.0' } : { type: 'auth_invalid', message: 'Invalid access token or password' }));
          if (!authed) ws.close();
          continue;
        }
        if (m.type === 'call_service') onCall(m);
        if (m.type === 'execute_script') for (const step of m.sequence) if (step.service) onCall({ service_data: step.data });
        const acted = m.type === 'call_service' || m.type === 'execute_script';
        const result = acted ? { context: { id: String(m.id) } } : m.type === 'get_services' ? { notify: { bench: {} } } : null;
        ws.send(JSON.stringify({ id: m.id, type: 'result', success: true, result }));
      }
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${http.address().port}`, close: () => new Promise((r) => { wss.close(); http.close(() => r()); }) };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function stamp(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export async function runDaemonBench({ bin }) {
  const mosquitto = findMosquitto();
  const broker = mosquitto ? await startBroker(mosquitto) : undefined;
  const streams = broker ? await streamsWatcher(broker.url) : undefined;
  const dir = mkdtempSync('/tmp/nfmon-bench-daemon-');
  const log = join(dir, 'pihole.log');
  writeFileSync(log, '');
  const waiting = new Map();
  const ha = await startHa((m) => {
    const hit = /ip:10\.0\.(\d+)\.(\d+)/.exec(JSON.stringify(m.service_data));
    const resolve = hit && waiting.get(`10.0.${hit[1]}.${hit[2]}`);
    if (resolve) resolve(performance.now());
  });
  const h = new Date().getUTCHours();
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'timezone: UTC',
      `database: ${join(dir, 'nfmon.db')}`,
      'log_level: warn',
      `pihole:\n  log: ${log}`,
      'leases:\n  files: []',
      `rules:\n  quiet_hours: "${String(h).padStart(2, '0')}:00-${String((h + 2) % 24).padStart(2, '0')}:00"\n  unknown_device: false\n  max_concurrent_streams: 1000`,
      `homeassistant:\n  url: ${ha.url}\n  token_file: ${join(dir, 'ha-token')}\n  notify: notify.bench`,
      ...(broker ? [`mqtt:\n  url: ${broker.url}`] : []),
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'ha-token'), `${TOKEN}\n`, { mode: 0o600 });
  // As systemd/nfmon.service runs it: the validated config kept in a cache directory of its own.
  const env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') };
  const startDaemon = () => {
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, bin, '--config', config, 'run'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stderrText = '';
    child.stderr.on('data', (d) => (child.stderrText += d));
    child.stdout.resume();
    return child;
  };
  // Ready once the heartbeat is written; give it a few seconds to settle for the idle figure.
  const settle = async (child) => {
    await new Promise((r) => setTimeout(r, 4000));
    if (child.exitCode !== null) throw new Error(`daemon exited: ${child.stderrText}`);
    return rssMb(child.pid);
  };
  // First start: the config is validated (YAML and schema libraries loaded) and cached. The
  // restart with the same config, as on every boot of a Pi, takes it from the cache.
  const first = startDaemon();
  const firstRss = await settle(first);
  first.kill('SIGTERM');
  await new Promise((r) => first.on('exit', r));
  const daemon = startDaemon();
  const idleRss = await settle(daemon);

  const latencies = [];
  const mqttLatencies = [];
  for (let i = 0; i < 100; i++) {
    const ip = `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`;
    const got = new Promise((resolve) => waiting.set(ip, resolve));
    // Each play is a new screen: the stream count climbs to i + 1.
    const published = streams?.reach(i + 1);
    const t0 = performance.now();
    const name = `ipv4-c${String(i).padStart(3, '0')}-ams001-ix.1.oca.nflxvideo.net`;
    appendFileSync(log, `${stamp(new Date())} dnsmasq[1]: query[A] ${name} from ${ip}\n${stamp(new Date())} dnsmasq[1]: reply ${name} is 45.57.90.${i % 250}\n`);
    const t1 = await Promise.race([got, new Promise((r) => setTimeout(() => r(undefined), 10_000))]);
    if (t1 === undefined) throw new Error(`no notification for alert ${i} within 10 s`);
    latencies.push(t1 - t0);
    if (published) {
      const t2 = await Promise.race([published, new Promise((r) => setTimeout(() => r(undefined), 10_000))]);
      if (t2 === undefined) throw new Error(`sensor.netflix_streams did not reach ${i + 1} within 10 s`);
      mqttLatencies.push(t2 - t0);
    }
  }
  const busyRss = rssMb(daemon.pid);
  daemon.kill('SIGTERM');
  const code = await new Promise((r) => daemon.on('exit', r));
  await ha.close();
  await streams?.close();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });

  const pctOf = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  };
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = pctOf(latencies);
  const mqttPct = pctOf(mqttLatencies);
  const r = {
    alerts: latencies.length,
    p50_ms: pct(50),
    p95_ms: pct(95),
    max_ms: sorted.at(-1),
    idle_rss_mb: idleRss,
    idle_rss_first_start_mb: firstRss,
    rss_after_100_alerts_mb: busyRss,
    exit_code_on_sigterm: code,
    mqtt: broker ? { plays: mqttLatencies.length, p50_ms: mqttPct(50), p95_ms: mqttPct(95), max_ms: Math.max(...mqttLatencies) } : null,
    targets: { p95_max_ms: 2000, idle_rss_max_mb: 80, mqtt_on_p95_max_ms: 2000 },
  };
  console.log('\ndaemon: alert latency, log line appended -> Home Assistant notification (execute_script)');
  console.log(`  p50 ${r.p50_ms.toFixed(0)} ms, p95 ${r.p95_ms.toFixed(0)} ms, max ${r.max_ms.toFixed(0)} ms over ${r.alerts} alerts (target p95 <= 2000 ms)`);
  if (r.mqtt) console.log(`  log line -> MQTT (sensor.netflix_streams): p50 ${r.mqtt.p50_ms.toFixed(0)} ms, p95 ${r.mqtt.p95_ms.toFixed(0)} ms, max ${r.mqtt.max_ms.toFixed(0)} ms (target p95 <= 2000 ms)`);
  else console.log('  MQTT: skipped (mosquitto not installed)');
  console.log(`  idle RSS ${idleRss.toFixed(0)} MB${broker ? ' with MQTT and Home Assistant on' : ''} (target <= 80 MB) on a restart with the same config, ${firstRss.toFixed(0)} MB on the first start after a config change; after the alerts ${busyRss.toFixed(0)} MB; SIGTERM exit code ${code}`);
  return r;
}

/** A second MQTT client on the daemon's stream count: resolves when it reaches a value. */
async function streamsWatcher(url) {
  const mqtt = await import('mqtt');
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const waiters = new Map();
  client.on('message', (_topic, payload) => {
    const resolve = waiters.get(Number(String(payload)));
    if (resolve) resolve(performance.now());
  });
  await client.subscribeAsync('nfmon/netflix/streams');
  return {
    reach: (n) => new Promise((resolve) => waiters.set(n, resolve)),
    close: () => client.endAsync(),
  };
}
