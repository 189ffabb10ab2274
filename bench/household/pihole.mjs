// Renders lookups as Pi-hole's dnsmasq writes them to pihole.log: `query[A] x from ip`, then
// `forwarded x to 1.1.1.1` and one `reply` line per CNAME link and address a few ms later, or
// `cached` lines while dnsmasq's cache holds the answer, or `gravity blocked x is 0.0.0.0`. Local
// time with no year (../shared/corpus/pihole/pihole-log-samples.txt, fixtures/pihole/). Lines
// of concurrent queries interleave, as they do under load. Also household noise, DHCP chatter and
// a restart with its banner.
import { answerFor, BLOCKED_NAMES, NOISE_NAMES } from './names.mjs';
import { logStamp, MINUTE, SECOND } from './time.mjs';

const UPSTREAMS = ['1.1.1.1', '1.0.0.1'];

export class PiholeLog {
  constructor(zone, rng) {
    this.zone = zone;
    this.rng = rng;
    this.lines = [];
    this.cache = new Map();
    this.restartAt = Infinity;
    this.seq = 0;
    /** Every query with what became of it, as Pi-hole's database records them (household/ftl.mjs). */
    this.queries = [];
  }

  /** dnsmasq's pid in the log prefix: a new one after the restart. */
  pidAt(ts) {
    return ts < this.restartAt ? 812 : 20931;
  }

  emit(ts, text, prog = `dnsmasq[${this.pidAt(ts)}]`) {
    this.lines.push({ ts, seq: this.seq++, text: `${logStamp(this.zone, ts)} ${prog}: ${text}` });
  }

  /** One lookup; the cache is simulated in time order, so call in ascending ts (see renderAll). */
  lookup({ ts, ip, name, qtype }) {
    this.emit(ts, `query[${qtype}] ${name} from ${ip}`);
    const query = { ts, ip, name, qtype, status: 'forwarded' };
    this.queries.push(query);
    if (BLOCKED_NAMES.includes(name)) {
      query.status = 'blocked';
      return this.emit(ts, `gravity blocked ${name} is ${qtype === 'AAAA' ? '::' : '0.0.0.0'}`);
    }
    if (qtype === 'HTTPS') {
      this.emit(ts, `forwarded ${name} to ${this.rng.pick(UPSTREAMS)}`);
      return this.emit(ts + this.rng.between(8, 60), `reply ${name} is NODATA`);
    }
    const ans = answerFor(name, qtype);
    const key = `${name}/${qtype}`;
    const cached = (this.cache.get(key) ?? 0) > ts;
    if (cached) query.status = 'cached';
    let t = ts;
    if (!cached) {
      this.emit(ts, `forwarded ${name} to ${this.rng.pick(UPSTREAMS)}`);
      t = ts + this.rng.between(8, 120);
      this.cache.set(key, ts + ans.ttl * SECOND);
    }
    const verb = cached ? 'cached' : 'reply';
    const chain = ans.chain;
    for (let i = 0; i < chain.length - 1; i++) this.emit(t, `${verb} ${chain[i]} is <CNAME>`);
    const last = chain[chain.length - 1];
    if (ans.nodata) return this.emit(t, `${verb} ${last} is ${qtype === 'AAAA' ? 'NODATA-IPv6' : 'NXDOMAIN'}`);
    for (const a of ans.addrs) this.emit(t, `${verb} ${last} is ${a}`);
  }

  /** All lookups in time order, with one restart at `restartAt` (the cache is lost there). */
  renderAll(lookups, restartAt) {
    this.restartAt = restartAt;
    let restarted = false;
    for (const l of [...lookups].sort((a, b) => a.ts - b.ts)) {
      if (!restarted && l.ts >= restartAt) {
        this.restart(restartAt);
        restarted = true;
      }
      this.lookup(l);
    }
  }

  /** Every device, every 1-4 minutes around the clock; iPhones also ask HTTPS records. */
  noise(devices, from, to) {
    const out = [];
    for (const dev of devices) {
      const apple = /iPhone|MacBook/.test(dev.hostname);
      for (let t = from + this.rng.between(0, 60) * SECOND; t < to; t += this.rng.between(1, 4) * MINUTE) {
        if (this.rng.chance(0.1)) out.push({ ts: t, ip: dev.ip, name: this.rng.pick(BLOCKED_NAMES), qtype: 'A' });
        else {
          const name = this.rng.pick(NOISE_NAMES);
          out.push({ ts: t, ip: dev.ip, name, qtype: 'A' });
          if (this.rng.chance(0.4)) out.push({ ts: t + 2, ip: dev.ip, name, qtype: 'AAAA' });
          if (apple && this.rng.chance(0.5)) out.push({ ts: t + 4, ip: dev.ip, name, qtype: 'HTTPS' });
        }
      }
    }
    // The Pi itself and a link-local IPv6 client.
    for (let t = from + 5 * SECOND; t < to; t += 15 * MINUTE) {
      out.push({ ts: t, ip: '127.0.0.1', name: 'pi.hole', qtype: 'A' });
      out.push({ ts: t + 7 * SECOND, ip: 'fe80::1c2d:3eff:fe4f:5a6b', name: 'www.google.com', qtype: 'AAAA' });
    }
    return out;
  }

  /**
   * Lease renewals at half the 24 h lease time, as dnsmasq-dhcp logs them (after renderAll).
   * dnsmasq's log_packet() (src/rfc2131.c) prints "%s(%s) %s%s%s %s%s": type(interface), the
   * address, the MAC, a space, then the host name or nothing, so a line without a name ends in a space.
   */
  dhcp(devices, from, to) {
    for (const dev of devices) {
      for (let t = from + this.rng.between(0, 12 * 60) * MINUTE; t < to; t += 12 * 60 * MINUTE) {
        this.emit(t, `DHCPREQUEST(eth0) ${dev.ip} ${dev.mac} `, `dnsmasq-dhcp[${this.pidAt(t)}]`);
        this.emit(t, `DHCPACK(eth0) ${dev.ip} ${dev.mac} ${dev.hostname}`, `dnsmasq-dhcp[${this.pidAt(t)}]`);
      }
    }
  }

  /** A Pi-hole restart (update or reboot) with dnsmasq's start-up banner; the cache is lost. */
  restart(ts) {
    this.emit(ts - 1, 'exiting on receipt of SIGTERM', 'dnsmasq[812]');
    this.cache.clear();
    this.emit(ts + 2 * SECOND, 'started, version pi-hole-v2.90+1 cachesize 10000');
    this.emit(ts + 2 * SECOND, 'compile time options: IPv6 GNU-getopt no-DBus no-UBus no-i18n IDN2 DHCP DHCPv6 Lua TFTP no-conntrack ipset no-nftset auth cryptohash DNSSEC loop-detect inotify dumpfile');
    for (const u of UPSTREAMS) this.emit(ts + 2 * SECOND, `using nameserver ${u}#53`);
    this.emit(ts + 2 * SECOND, 'read /etc/hosts - 8 names');
  }

  text() {
    this.lines.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    return `${this.lines.map((l) => l.text).join('\n')}\n`;
  }
}
