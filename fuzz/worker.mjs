// One fuzz worker: runs cases [from, to) of one parser and reports failures. The parent watches
// `state[0]` (the case being run) to catch a hang, and the worker's heap limit catches a parser
// that holds what it should stream.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { caseSeed, mutant } from './mutate.mjs';
import { loadTarget } from './targets.mjs';

const { parser, from, to, seed, root, tmp, caseMs, maxRssMb } = workerData;
const state = new Int32Array(workerData.state);
const target = await loadTarget(parser, root, tmp);
if (target.seeds.length === 0) throw new Error(`no seeds for ${parser}`);

const failures = [];
let slowest = 0;
let maxRss = 0;
let fileCases = 0;
let i = from;
for (; i < to && failures.length < 20; i++) {
  Atomics.store(state, 0, i);
  const buf = mutant(target.seeds, caseSeed(seed, parser, i), target);
  const start = performance.now();
  const cpu = process.cpuUsage();
  const attempt = async (fn) => {
    try {
      await fn();
    } catch (err) {
      if (target.allowed(err)) return;
      const e = err instanceof Error ? err : new Error(String(err));
      failures.push({ kind: 'crash', index: i, error: `${e.name}: ${e.message}`.slice(0, 300), stack: (e.stack ?? '').split('\n').slice(1, 6).join('\n') });
    }
  };
  await attempt(() => target.run(buf, i));
  if (target.fileEvery > 0 && i % target.fileEvery === 0) {
    fileCases++;
    await attempt(() => target.runFile(buf, i));
  }
  // Slow means slow on the CPU too (a shared machine can stall a case for seconds), beyond a
  // budget that grows with the input by 1 us a byte: an 8 MB mutant of eight million blank lines
  // read twice (in memory and from the file) is linear work of ~4 s, not a hang.
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const budget = caseMs + buf.length / 1000;
  if (cpuMs > slowest) slowest = cpuMs;
  if (ms > budget && cpuMs > budget) failures.push({ kind: 'slow', index: i, error: `${cpuMs.toFixed(0)} ms of CPU (budget ${budget.toFixed(0)} ms)`, bytes: buf.length });
  if ((i & 127) === 0) {
    const rss = process.memoryUsage().rss;
    if (rss > maxRss) maxRss = rss;
    if (rss > maxRssMb * 1024 * 1024) failures.push({ kind: 'memory', index: i, error: `RSS ${(rss / 1048576).toFixed(0)} MB > ${maxRssMb} MB` });
    parentPort.postMessage({ type: 'progress', done: i - from + 1 });
  }
}
parentPort.postMessage({ type: 'done', next: i, ran: i - from, failures, slowest, maxRss: Math.max(maxRss, process.memoryUsage().rss), fileCases });
