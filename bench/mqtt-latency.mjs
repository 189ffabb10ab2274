#!/usr/bin/env node
// MQTT entities: snapshot change -> MQTT message latency, and what loading MQTT costs in RSS.
// A real mosquitto (own loopback port, temp dir) carries the messages; the publisher is the built
// dist/notify/mqtt/start.js, driven as the daemon drives it (provider + refresh()); a second MQTT
// client stops the clock when the device's `playing` state arrives. 100 changes, ON/OFF in turn.
//   node bench/mqtt-latency.mjs            (after npm run build)
// Until the daemon is wired, this measures the publisher's own part of "log line -> MQTT ON";
// the daemon's part (tail -> rebuild -> refresh()) is what bench/daemon-latency.mjs measures.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DAEMON_NODE_FLAGS } from './daemon-latency.mjs';

const CHANGES = 100;

export function findMosquitto() {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin'].filter(Boolean);
  return dirs.map((d) => join(d, 'mosquitto')).find((p) => existsSync(p));
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startBroker(bin) {
  const dir = mkdtempSync(join(tmpdir(), 'nfmon-bench-mqtt-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser ${process.env.USER ?? 'root'}\n`);
  const child = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  const mqtt = await import('mqtt');
  for (let i = 0; ; i++) {
    try {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 });
      await c.endAsync();
      break;
    } catch (err) {
      if (i > 100) throw new Error(`mosquitto did not start: ${err.message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * RSS (MB) of a fresh node process (the service's V8 flags) after importing `preload` and then
 * `specifiers`, median of 5 runs. Loading the first modules of any kind costs node ~10 MB, so the
 * cost of MQTT that matters is the one on top of the modules the daemon loads anyway.
 */
function rssAfterImport(preload, specifiers) {
  const imports = [...preload, ...specifiers].map((s) => `await import(${JSON.stringify(s)});`).join(' ');
  const code = `${imports} globalThis.gc(); console.log(process.memoryUsage().rss);`;
  const runs = [0, 1, 2, 3, 4].map(() => {
    const r = spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, '--expose-gc', '--input-type=module', '-e', code], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rss probe for ${specifiers.join(', ')} failed: ${r.stderr}`);
    return Number(r.stdout.trim());
  });
  return runs.sort((a, b) => a - b)[2] / 1048576;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function runMqttBench({ root }) {
  const bin = findMosquitto();
  if (!bin) {
    console.log('\nmqtt: skipped (mosquitto not installed: apt-get install mosquitto)');
    return { skipped: 'mosquitto not installed' };
  }
  const startJs = pathToFileURL(join(root, 'dist', 'notify', 'mqtt', 'start.js')).href;
  const loadJs = pathToFileURL(join(root, 'dist', 'config', 'load.js')).href;
  const { startMqtt } = await import(startJs);
  const { validateConfig } = await import(loadJs);
  const mqtt = await import('mqtt');

  const broker = await startBroker(bin);
  const config = validateConfig({ timezone: 'UTC', mqtt: { url: broker.url, base_topic: 'bench' } }, 'bench');
  let playing = false;
  let evidence = Date.now();
  const provider = () => ({
    now: Date.now(),
    devices: [{ id: 'aa:bb:cc:dd:ee:01', name: 'Bench TV', mac: 'aa:bb:cc:dd:ee:01', playing, minutesToday: 0, lastSessionStart: evidence, lastEvidenceAt: playing ? evidence : null }],
    streams: playing ? 1 : 0,
    active: playing,
    lastAlert: null,
  });
  const quiet = { debug() {}, info() {}, warn: (m) => console.error(`mqtt: ${m}`), error: (m) => console.error(`mqtt: ${m}`) };
  const handle = startMqtt({ config, env: {}, provider, logger: quiet });

  const topic = 'bench/device/aabbccddee01/playing';
  const reader = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  let waiting;
  reader.on('message', (t, payload) => {
    if (t === topic && waiting && payload.toString() === waiting.want) waiting.resolve(performance.now());
  });
  const arrival = (want) => new Promise((resolve) => (waiting = { want, resolve }));
  let first = arrival('OFF');
  await reader.subscribeAsync(topic, { qos: 1 });
  await first;

  const latencies = [];
  for (let i = 0; i < CHANGES; i++) {
    playing = !playing;
    evidence = Date.now();
    first = arrival(playing ? 'ON' : 'OFF');
    const t0 = performance.now();
    handle.refresh();
    latencies.push((await first) - t0);
  }
  await reader.endAsync();
  await handle.stop();
  await broker.stop();

  latencies.sort((a, b) => a - b);
  const daemonModules = ['daemon/daemon.js', 'ingest/deps.js'].map((m) => pathToFileURL(join(root, 'dist', m)).href);
  const bare = rssAfterImport([], []);
  const alone = rssAfterImport([], ['mqtt']);
  const baseline = rssAfterImport(daemonModules, []);
  const withMqtt = rssAfterImport(daemonModules, ['mqtt']);
  const withStart = rssAfterImport(daemonModules, [startJs]);
  const r = {
    changes: CHANGES,
    p50_ms: pct(latencies, 50),
    p95_ms: pct(latencies, 95),
    max_ms: latencies.at(-1),
    rss_bare_node_mb: bare,
    rss_mqtt_alone_mb: alone,
    rss_daemon_modules_mb: baseline,
    rss_daemon_modules_plus_mqtt_mb: withMqtt,
    rss_daemon_modules_plus_publisher_mb: withStart,
    rss_publisher_cost_mb: withStart - baseline,
    targets: { p95_ms_max: 2000 },
  };
  const f = (n) => n.toFixed(1);
  console.log(`\nmqtt: snapshot change -> MQTT message, ${CHANGES} changes (mosquitto on loopback)`);
  console.log(`  p50 ${f(r.p50_ms)} ms, p95 ${f(r.p95_ms)} ms, max ${f(r.max_ms)} ms (target p95 <= 2000 ms: ${r.p95_ms <= 2000 ? 'met' : 'NOT met'})`);
  console.log(`  RSS: bare node ${f(bare)} MB, node + mqtt alone ${f(alone)} MB`);
  console.log(`  RSS: daemon's modules ${f(baseline)} MB, + mqtt ${f(withMqtt)} MB, + the publisher (start.js) ${f(withStart)} MB: cost ${f(r.rss_publisher_cost_mb)} MB`);
  return r;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const r = await runMqttBench({ root });
  console.log(JSON.stringify(r));
}
