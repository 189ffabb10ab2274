#!/usr/bin/env node
// npm run fuzz -- --cases N [--parser P] [--seed S] [--jobs J] [--json]
//
// Mutation fuzzing of nfmon's parsers (pihole, leases, pcap, viewing, config) over their real
// inputs (fixtures, and ../shared/corpus or $NFMON_CORPUS when present): bit flips, truncation,
// splices, huge fields, invalid UTF-8 (mutate.mjs). Each case must end without an exception
// past the source API (targets.mjs), within its CPU budget (--case-ms plus 1 ms per kB of
// input), and the process within --max-rss-mb per job; a case that never ends (no progress for
// --hang-ms) is a hang. A run stops after 20 failures (`cases` says how many ran). Failing
// inputs are written to --out with their error. Exit 0 when every case passed, 1 otherwise, 2 on
// bad usage.
//
// Runs the built code (dist/): `npm run fuzz` builds first.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { caseSeed, mutant } from './mutate.mjs';
import { loadTarget, PARSERS } from './targets.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const o = { cases: 10_000, parser: 'all', seed: 1, jobs: 1, caseMs: 2000, hangMs: 30_000, maxRssMb: 400, heapMb: 256, json: false, progress: false, out: join(tmpdir(), 'nfmon-fuzz') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const next = argv[++i];
      if (next === undefined) usage(`${a} needs a value`);
      return next;
    };
    if (a === '--cases') o.cases = Number(v());
    else if (a === '--parser') o.parser = v();
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--jobs') o.jobs = Number(v());
    else if (a === '--case-ms') o.caseMs = Number(v());
    else if (a === '--hang-ms') o.hangMs = Number(v());
    else if (a === '--max-rss-mb') o.maxRssMb = Number(v());
    else if (a === '--out') o.out = v();
    else if (a === '--json') o.json = true;
    else if (a === '--progress') o.progress = true;
    else usage(`unknown option ${a}`);
  }
  if (!Number.isInteger(o.cases) || o.cases < 1) usage('--cases must be a positive integer');
  if (o.parser !== 'all' && !PARSERS.includes(o.parser)) usage(`--parser must be one of ${PARSERS.join(', ')} or all`);
  return o;
}

function usage(why) {
  process.stderr.write(`fuzz: ${why}\nusage: npm run fuzz -- --cases N [--parser ${PARSERS.join('|')}] [--seed S] [--jobs J] [--case-ms MS] [--hang-ms MS] [--max-rss-mb MB] [--out DIR] [--json] [--progress]\n`);
  process.exit(2);
}

/** Runs cases [from, to) of one parser in workers, restarting after a hang or a crash of the worker. */
let lastReport = Date.now();

async function fuzzRange(o, parser, from, to, tmp) {
  const result = { failures: [], slowest: 0, maxRss: 0, fileCases: 0, ran: 0 };
  let next = from;
  while (next < to && result.failures.length < 20) {
    const state = new SharedArrayBuffer(4);
    const view = new Int32Array(state);
    view[0] = next;
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      // RSS is the whole process's: with J workers side by side, the bound is J times one parser's.
      workerData: { parser, from: next, to, seed: o.seed, root, tmp, caseMs: o.caseMs, maxRssMb: o.maxRssMb * o.jobs, state },
      resourceLimits: { maxOldGenerationSizeMb: o.heapMb },
    });
    next = await new Promise((done) => {
      let last = -1;
      let since = Date.now();
      const watch = setInterval(() => {
        const at = Atomics.load(view, 0);
        if (at !== last) [last, since] = [at, Date.now()];
        else if (Date.now() - since > o.hangMs) {
          clearInterval(watch);
          result.failures.push({ kind: 'hang', index: at, error: `no progress for ${o.hangMs} ms` });
          result.ran += at - next + 1;
          void worker.terminate().then(() => done(at + 1));
        }
      }, 200);
      worker.on('message', (m) => {
        if (m.type === 'progress' && o.progress && Date.now() - lastReport > 60_000) {
          lastReport = Date.now();
          process.stderr.write(`fuzz: ${parser} at case ${Atomics.load(view, 0)} of ${to}, ${result.failures.length} failures\n`);
        }
        if (m.type !== 'done') return;
        clearInterval(watch);
        result.failures.push(...m.failures);
        result.slowest = Math.max(result.slowest, m.slowest);
        result.maxRss = Math.max(result.maxRss, m.maxRss);
        result.fileCases += m.fileCases;
        result.ran += m.ran;
        done(m.next);
      });
      worker.on('error', (err) => {
        clearInterval(watch);
        const at = Atomics.load(view, 0);
        const kind = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash';
        result.failures.push({ kind, index: at, error: `${err.name}: ${err.message}`.slice(0, 300) });
        result.ran += at - next + 1;
        done(at + 1);
      });
    });
  }
  return result;
}

async function fuzzParser(o, parser) {
  const tmp = mkdtempSync(join(tmpdir(), `nfmon-fuzz-${parser}-`));
  const started = Date.now();
  try {
    const per = Math.ceil(o.cases / o.jobs);
    const ranges = Array.from({ length: o.jobs }, (_, j) => [j * per, Math.min(o.cases, (j + 1) * per)]).filter(([a, b]) => a < b);
    const parts = await Promise.all(ranges.map(([a, b], j) => fuzzRange(o, parser, a, b, mkdirSync(join(tmp, String(j)), { recursive: true }) ?? join(tmp, String(j))).catch((err) => ({ failures: [{ kind: 'crash', index: a, error: String(err) }], slowest: 0, maxRss: 0, fileCases: 0 }))));
    const seconds = (Date.now() - started) / 1000;
    const failures = parts.flatMap((p) => p.failures);
    const ran = parts.reduce((s, p) => s + p.ran, 0);
    await saveFailures(o, parser, failures);
    return {
      parser,
      cases: ran,
      file_cases: parts.reduce((s, p) => s + p.fileCases, 0),
      seconds,
      rate: Math.round(ran / seconds),
      crashes: failures.filter((f) => f.kind === 'crash').length,
      hangs: failures.filter((f) => f.kind === 'hang' || f.kind === 'slow').length,
      memory: failures.filter((f) => f.kind === 'memory').length,
      slowest_cpu_ms: Math.round(Math.max(...parts.map((p) => p.slowest))),
      peak_rss_mb: Math.round(Math.max(...parts.map((p) => p.maxRss)) / 1048576),
      failures: failures.slice(0, 10),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Each failing input and its error, so that it can be replayed and become a test. */
async function saveFailures(o, parser, failures) {
  if (failures.length === 0) return;
  mkdirSync(o.out, { recursive: true });
  const target = await loadTarget(parser, root, o.out);
  for (const f of failures.slice(0, 20)) {
    const base = join(o.out, `${parser}-seed${o.seed}-case${f.index}`);
    writeFileSync(`${base}.bin`, mutant(target.seeds, caseSeed(o.seed, parser, f.index), target));
    writeFileSync(`${base}.txt`, `${f.kind}: ${f.error}\n${f.stack ?? ''}\n`);
    f.saved = `${base}.bin`;
  }
}

const o = parseArgs(process.argv.slice(2));
const parsers = o.parser === 'all' ? PARSERS : [o.parser];
const results = [];
for (const p of parsers) {
  const r = await fuzzParser(o, p);
  results.push(r);
  if (!o.json) {
    process.stdout.write(
      `${p.padEnd(8)} ${r.cases} cases (${r.file_cases} through the file reader) in ${r.seconds.toFixed(1)} s, ${r.rate}/s: ` +
        `${r.crashes} crashes, ${r.hangs} hangs or slow, ${r.memory} over memory; slowest ${r.slowest_cpu_ms} ms of CPU, peak RSS ${r.peak_rss_mb} MB\n`,
    );
    for (const f of r.failures) process.stdout.write(`  ${f.kind} at case ${f.index}: ${f.error}${f.saved ? ` (input: ${f.saved})` : ''}\n`);
  }
}
if (o.json) process.stdout.write(`${JSON.stringify({ seed: o.seed, results }, null, 2)}\n`);
process.exitCode = results.some((r) => r.crashes + r.hangs + r.memory > 0) ? 1 : 0;
