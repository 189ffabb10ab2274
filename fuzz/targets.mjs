// What the fuzz harness feeds: each parser's real seeds (fixtures, and ../shared/corpus when it is
// there) and the call a mutant goes through. A target may only fail the way its source API
// documents (a SourceError for a file it refuses, a ConfigError for a bad config); anything else
// thrown is a crash. Most cases use the pure entry point; every `fileEvery`-th case goes through
// the file reader too (sniffing, gzip, streaming), on a file in `tmp`.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const PARSERS = ['pihole', 'leases', 'pcap', 'viewing', 'config'];

function files(dir, pattern) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => pattern.test(f) && statSync(join(dir, f)).isFile())
    .map((f) => join(dir, f));
}

const read = (paths) => paths.map((p) => readFileSync(p));

/** The corpus directory: $NFMON_CORPUS, else ../shared/corpus beside the repository. */
export function corpusDir(root) {
  return process.env.NFMON_CORPUS ?? join(root, '..', 'shared', 'corpus');
}

/** A classic pcap with one DNS answer for a Netflix video name (a seed when the corpus is absent). */
function minimalCapture() {
  const name = Buffer.concat(['ipv4-c001-ams001-ix', '1', 'oca', 'nflxvideo', 'net'].map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])).concat([Buffer.from([0])]));
  const dns = Buffer.concat([
    Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]), name, Buffer.from([0, 1, 0, 1]),
    Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 45, 57, 90, 1]),
  ]);
  const udp = Buffer.concat([Buffer.from([0, 53, 0xc3, 0x50, 0, 8 + dns.length, 0, 0]), dns]);
  const ip = Buffer.concat([Buffer.from([0x45, 0, 0, 20 + udp.length, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 168, 1, 1, 192, 168, 1, 42]), udp]);
  ip.writeUInt16BE(ip.length, 2);
  const eth = Buffer.concat([Buffer.from([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa, 0x08, 0x00]), ip]);
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20);
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(1795338000, 0);
  rec.writeUInt32LE(eth.length, 8);
  rec.writeUInt32LE(eth.length, 12);
  return Buffer.concat([global, rec, eth, rec, eth]);
}

export async function loadTarget(name, root, tmp) {
  const dist = (p) => import(join(root, 'dist', p));
  const fx = (p) => join(root, 'fixtures', p);
  const corpus = corpusDir(root);
  const { SourceError } = await dist('sources/errors.js');
  const sourceErrorOnly = (err) => err instanceof SourceError;
  const file = (name, buf) => {
    const path = join(tmp, name);
    writeFileSync(path, buf);
    return path;
  };

  if (name === 'pihole') {
    const { buildCatalog, NETFLIX } = await dist('core/catalog.js');
    const { PiholeAssembler } = await dist('sources/pihole/assembler.js');
    const { LineFeeder } = await dist('sources/pihole/feeder.js');
    const { readPiholeLog } = await dist('sources/pihole/reader.js');
    const { parsePiholeLine } = await dist('sources/pihole/line.js');
    const catalog = buildCatalog([NETFLIX]);
    const opts = { catalog, timeZone: 'Europe/Amsterdam', referenceTs: Date.parse('2026-11-22T00:00:00Z') };
    return {
      seeds: read([...files(fx('pihole'), /\.log$/), fx('household/pihole.log'), fx('bad/truncated.log'), ...files(join(corpus, 'pihole'), /\.txt$/)]),
      window: 32 * 1024,
      fileEvery: 32,
      allowed: sourceErrorOnly,
      run(buf, index) {
        // The reader's own path minus the file: bytes cut into lines, skimmed or scanned, assembled.
        const feeder = new LineFeeder(new PiholeAssembler(opts), 0, 5000, () => undefined);
        // Chunks as the reader makes them (large), and now and then tiny ones to move the boundaries.
        const cut = index % 16 === 0 ? 1 + (index % 97) : 64 * 1024;
        for (let i = 0; i < buf.length; i += cut) feeder.push(buf.subarray(i, i + cut));
        feeder.end(true);
        // And the one-line parser on a few lines.
        const text = buf.toString('latin1');
        for (const line of text.split('\n').slice(0, 8)) parsePiholeLine(line);
      },
      async runFile(buf, index) {
        const path = index % 64 === 0 ? file('fuzz.log.gz', gzipSync(buf)) : file('fuzz.log', buf);
        await readPiholeLog(path, { ...opts, final: true }, () => undefined);
      },
    };
  }

  if (name === 'leases') {
    const { parseLeaseBytes, readLeaseFile } = await dist('sources/leases/read.js');
    return {
      seeds: read([...files(fx('leases'), /./), fx('household/dhcp.leases'), fx('bad/broken.leases'), ...files(join(corpus, 'dhcp-leases'), /./)]),
      window: 16 * 1024,
      fileEvery: 32,
      allowed: sourceErrorOnly,
      run(buf) {
        parseLeaseBytes(buf, { referenceTs: Date.parse('2026-11-22T00:00:00Z'), file: 'fuzz.leases' });
      },
      async runFile(buf) {
        await readLeaseFile(file('fuzz.leases', buf));
      },
    };
  }

  if (name === 'pcap') {
    const { buildCatalog, NETFLIX } = await dist('core/catalog.js');
    const { parsePrefixList, PrefixSet } = await dist('core/prefixes.js');
    const { readCapture } = await dist('sources/pcap/capture.js');
    const prefixText = readFileSync(join(root, 'data', 'netflix-prefixes.txt'), 'utf8');
    const prefixes = PrefixSet.fromCidrs(parsePrefixList(prefixText).cidrs);
    const caps = [join(corpus, 'ndpi'), join(corpus, 'tcpdump'), join(corpus, 'zeek')].flatMap((d) => files(d, /\.(pcap|pcapng|cap)$/));
    const opts = { catalog: buildCatalog([NETFLIX]), prefixes, batchPackets: 5000 };
    return {
      seeds: [...read(caps), minimalCapture()],
      window: 64 * 1024,
      keepHead: true,
      fileEvery: 1,
      // A corrupt capture resolves with `error`; only opening can reject (SourceError).
      allowed: sourceErrorOnly,
      run() {},
      async runFile(buf) {
        await readCapture(file('fuzz.pcap', buf), opts, () => undefined);
      },
    };
  }

  if (name === 'viewing') {
    const { parseViewingCsv, readViewingFile } = await dist('sources/netflix-export/viewing-activity.js');
    return {
      seeds: read(files(fx('viewing'), /\.csv$/)),
      window: 16 * 1024,
      fileEvery: 32,
      allowed: sourceErrorOnly,
      run(buf) {
        parseViewingCsv(buf, { file: 'fuzz.csv' });
      },
      async runFile(buf) {
        await readViewingFile(file('fuzz.csv', buf), () => undefined);
      },
    };
  }

  if (name === 'config') {
    const { ConfigError, parseConfigText } = await dist('config/load.js');
    return {
      seeds: read([join(root, 'config', 'nfmon.example.yaml'), fx('household/config.yaml'), ...files(fx('bad'), /\.yaml$/)]),
      window: 8 * 1024,
      fileEvery: 0,
      big: false,
      allowed: (err) => err instanceof ConfigError,
      run(buf) {
        parseConfigText(buf.toString('utf8'), 'fuzz.yaml');
      },
    };
  }
  throw new Error(`unknown parser ${name} (one of ${PARSERS.join(', ')})`);
}
