// A home network of real programs, built in a Lab (netns.ts):
//
//   client namespaces (TV, phone)  --veth-->  router  --veth-->  "internet"
//   10.77.0.x/24, DNS = 10.77.0.1             br-lan 10.77.0.1    198.18.0.2, upstream DNS 198.18.0.53,
//                                             dnsmasq as Pi-hole  Open Connect-like 198.18.1.10,
//                                             tcpdump on br-lan   API 198.18.2.10, artwork 198.18.2.20
//
// The router runs dnsmasq with the options Pi-hole's FTL writes into its dnsmasq config
// (pi-hole/FTL src/config/dnsmasq_config.c: no-resolv, server=, cache-size, localise-queries,
// log-queries or log-queries=extra (misc.extraLogging), log-async, log-facility=<pihole.log>,
// bogus-priv, domain-needed, interface + bind-interfaces), and tcpdump with the snaplen and filter
// of systemd/nfmon-capture.service, rotated every 10 s into the capture directory.
//
// The "internet" side uses 198.18.0.0/15 (RFC 2544 benchmarking, not globally routable), not an
// RFC 1918 range: nfmon ignores flows between two private addresses (LAN-to-LAN traffic), so an
// Open Connect stand-in on 10.x would never count as video. Nothing leaves the test's namespaces.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool, type Lab, type LabProcess } from './netns.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ORIGIN = join(ROOT, 'test', 'helpers', 'origin-server.mjs');
const CAPTURE_UNIT = join(ROOT, 'systemd', 'nfmon-capture.service');

export const ROUTER_LAN = '10.77.0.1';
export const ROUTER_WAN = '198.18.0.1';
export const INTERNET = '198.18.0.2';
export const UPSTREAM_DNS = '198.18.0.53';
/** The "Open Connect" appliance: listed as Netflix video in the prefixes file given to nfmon. */
export const OPEN_CONNECT = '198.18.1.10';
export const OPEN_CONNECT_PREFIX = '198.18.1.0/24';
export const API = '198.18.2.10';
export const ARTWORK = '198.18.2.20';

/**
 * Names behind netflix.com answer through CNAME chains into AWS load balancers, as the real ones
 * do: `api.fast.com -> fast.dradis.netflix.com -> fast.us-west-2.internal.dradis.netflix.com ->
 * apiproxy-...elb.us-west-2.amazonaws.com` (dig output in SukkaW/Surge#50); customerevents and
 * ichnaea have the same dradis chains (hagezi/dns-blocklists#6183, #6111).
 */
export const API_NAMES = [
  'www.netflix.com',
  'api-global.netflix.com',
  'android-appboot.netflix.com',
  'customerevents.netflix.com',
  'ichnaea-web.netflix.com',
  'nrdp.nccp.netflix.com',
] as const;

export interface ClientSpec {
  /** Short role, also the namespace suffix and the router port `lan-<role>` (<= 11 chars). */
  readonly role: string;
  readonly ip: string;
  readonly mac: string;
}

export interface Client extends ClientSpec {
  readonly ns: string;
}

export interface HomeOptions {
  /** Directory for configs, logs and captures (the test's temp dir). */
  readonly dir: string;
  readonly clients: readonly ClientSpec[];
  /** dnsmasq `log-queries` (Pi-hole's default) or `log-queries=extra` (misc.extraLogging). */
  readonly logQueries: 'plain' | 'extra';
  /** tcpdump -G: seconds per capture file. */
  readonly rotateSeconds?: number;
}

export interface Home {
  readonly clients: ReadonlyMap<string, Client>;
  readonly router: string;
  readonly internet: string;
  /** The query log dnsmasq writes (nfmon's pihole.log). */
  readonly piholeLog: string;
  /** Where tcpdump writes rotated captures (nfmon's captures.dir). */
  readonly captureDir: string;
  /** captures.prefixes_file: the Open Connect stand-in's prefix. */
  readonly prefixesFile: string;
  /** The origin's self-signed certificate, for curl --cacert. */
  readonly cert: string;
  readonly tcpdump: LabProcess;
}

const TZ = { TZ: 'UTC' };

/** Builds the network, starts both dnsmasq, the HTTPS origin and tcpdump; resolves once all listen. */
export async function buildHome(lab: Lab, opts: HomeOptions): Promise<Home> {
  const router = lab.netns('router');
  const internet = lab.netns('net');
  const clients = new Map<string, Client>();
  for (const spec of opts.clients) {
    const ns = lab.netns(spec.role);
    lab.veth({ ns, name: 'eth0', mac: spec.mac, addresses: [`${spec.ip}/24`] }, { ns: router, name: `lan-${spec.role}` });
    lab.ip(ns, 'route', 'add', 'default', 'via', ROUTER_LAN);
    lab.resolvConf(ns, [ROUTER_LAN]);
    clients.set(spec.role, { ...spec, ns });
  }
  lab.bridge(router, 'br-lan', opts.clients.map((c) => `lan-${c.role}`), [`${ROUTER_LAN}/24`]);
  const services = [UPSTREAM_DNS, OPEN_CONNECT, API, ARTWORK].map((a) => `${a}/32`);
  lab.veth({ ns: router, name: 'wan', addresses: [`${ROUTER_WAN}/24`] }, { ns: internet, name: 'eth0', addresses: [`${INTERNET}/24`, ...services] });
  lab.ip(router, 'route', 'add', 'default', 'via', INTERNET);
  lab.ip(internet, 'route', 'add', '10.77.0.0/24', 'via', ROUTER_WAN);
  lab.forward(router);

  const dnsmasq = findTool('dnsmasq') ?? 'dnsmasq';
  const upstreamConf = join(opts.dir, 'upstream-dnsmasq.conf');
  writeFileSync(upstreamConf, upstreamConfig());
  await lab.spawn(internet, [dnsmasq, '--keep-in-foreground', '--pid-file=', '--log-facility=-', `--conf-file=${upstreamConf}`], {
    env: TZ,
    readyOn: /started, version/,
  });

  const piholeLog = join(opts.dir, 'pihole.log');
  const piholeConf = join(opts.dir, 'pihole-dnsmasq.conf');
  writeFileSync(piholeConf, piholeConfig(piholeLog, opts.logQueries));
  const pihole = await lab.spawn(router, [dnsmasq, '--keep-in-foreground', '--pid-file=', `--conf-file=${piholeConf}`], { env: TZ });
  await fileSays(piholeLog, /using nameserver/, 10_000, () => pihole.stderr());

  const { key, cert } = selfSignedCert(opts.dir);
  await lab.spawn(internet, [process.execPath, ORIGIN, key, cert], { readyOn: /listening/ });

  const captureDir = join(opts.dir, 'captures');
  mkdirSync(captureDir);
  const tcpdump = await lab.spawn(router, tcpdumpArgv(captureDir, opts.rotateSeconds ?? 10), { env: TZ, readyOn: /listening on br-lan/ });

  const prefixesFile = join(opts.dir, 'open-connect-prefixes.txt');
  writeFileSync(prefixesFile, `# the test LAN's Open Connect stand-in (RFC 2544 range)\n${OPEN_CONNECT_PREFIX}\n`);
  return { clients, router, internet, piholeLog, captureDir, prefixesFile, cert, tcpdump };
}

function upstreamConfig(): string {
  const lines = [
    'no-resolv',
    'no-hosts',
    'bind-interfaces',
    `listen-address=${UPSTREAM_DNS}`,
    'log-queries',
    // Authoritative for these zones: a name without an AAAA record gets NODATA, not REFUSED.
    'local=/nflxvideo.net/nflxso.net/netflix.com/amazonaws.com/',
    `address=/nflxvideo.net/${OPEN_CONNECT}`,
    `address=/nflxso.net/${ARTWORK}`,
  ];
  for (const name of API_NAMES) {
    const label = name.slice(0, -'.netflix.com'.length);
    const elb = `apiproxy-${label.replace(/\./g, '-')}-nlb-prod-1f0c3a9e.elb.us-west-2.amazonaws.com`;
    lines.push(
      `host-record=${elb},${API}`,
      `cname=${name},${label}.dradis.netflix.com`,
      `cname=${label}.dradis.netflix.com,${label}.us-west-2.internal.dradis.netflix.com`,
      `cname=${label}.us-west-2.internal.dradis.netflix.com,${elb}`,
    );
  }
  return lines.join('\n') + '\n';
}

function piholeConfig(log: string, mode: HomeOptions['logQueries']): string {
  return [
    'no-resolv',
    'no-hosts',
    'port=53',
    `server=${UPSTREAM_DNS}`,
    'cache-size=10000',
    'localise-queries',
    mode === 'extra' ? 'log-queries=extra' : 'log-queries',
    'log-async',
    `log-facility=${log}`,
    'bogus-priv',
    'domain-needed',
    'interface=br-lan',
    'bind-interfaces',
  ].join('\n') + '\n';
}

/** The capture unit's snaplen and filter, so the test captures what a real install captures. */
function tcpdumpArgv(dir: string, rotate: number): string[] {
  const unit = readFileSync(CAPTURE_UNIT, 'utf8');
  const snaplen = /^Environment=SNAPLEN=(\d+)$/m.exec(unit)?.[1];
  const filter = /^Environment="FILTER=(.*)"$/m.exec(unit)?.[1];
  if (!snaplen || !filter) throw new Error(`${CAPTURE_UNIT}: SNAPLEN or FILTER not found`);
  const tcpdump = findTool('tcpdump') ?? 'tcpdump';
  // -Z root: as root, tcpdump would otherwise drop to user tcpdump and fail to create the next file.
  return [tcpdump, '-n', '-Z', 'root', '-i', 'br-lan', '-s', snaplen, '-G', String(rotate), '-w', join(dir, 'nfmon-%Y%m%d-%H%M%S.pcap'), filter];
}

function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, 'origin-key.pem');
  const cert = join(dir, 'origin-cert.pem');
  const sans = ['*.1.oca.nflxvideo.net', '*.netflix.com', '*.nccp.netflix.com', '*.1.nflxso.net'].map((n) => `DNS:${n}`).join(',');
  const r = spawnSync(findTool('openssl') ?? 'openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=oca.nflxvideo.net', '-addext', `subjectAltName=${sans}`, '-keyout', key, '-out', cert,
  ], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`openssl req exited ${r.status}: ${r.stderr.trim()}`);
  return { key, cert };
}

/** Polls `file` until its text matches `pattern`. */
export async function fileSays(file: string, pattern: RegExp, timeoutMs: number, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (pattern.test(text)) return;
    if (Date.now() > deadline) throw new Error(`${file} never matched ${pattern} within ${timeoutMs} ms${detail ? `: ${detail().slice(-500)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Fetch {
  readonly url: string;
  readonly start: number;
  readonly end: number;
  /** Bytes of body curl received (`%{size_download}`). */
  readonly bytes: number;
  readonly status: number;
}

/** curl inside the client's namespace: resolves through the router's dnsmasq, verifies the origin's cert. */
export async function curl(lab: Lab, home: Home, client: Client, url: string, opts: { limitRate?: string; timeoutMs?: number } = {}): Promise<Fetch> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const argv = [
    findTool('curl') ?? 'curl', '-sS', '--cacert', home.cert, '-o', '/dev/null', '-w', '%{size_download} %{http_code}',
    '--max-time', String(Math.ceil(timeoutMs / 1000)), ...(opts.limitRate ? ['--limit-rate', opts.limitRate] : []), url,
  ];
  const start = Date.now();
  const r = await lab.run(client.ns, argv, timeoutMs + 5_000);
  const end = Date.now();
  const [bytes, status] = r.stdout.trim().split(' ').map(Number);
  if (r.code !== 0 || bytes === undefined || status === undefined) {
    throw new Error(`curl ${url} in ${client.ns} exited ${r.code ?? r.signal}: ${r.stderr.trim()} ${r.stdout.trim()}`);
  }
  return { url, start, end, bytes, status };
}
