/**
 * npm run bench, last part: the comparison's statistics (src/core/stats/hierarchical.ts,
 * src/core/metrics/compare.ts). Not a test: nothing here asserts.
 *
 * - A hierarchical bootstrap of 10,000 resamples over 1,000 tasks × 8 trials (target: under
 *   2 s in a worker in Chromium), in Node and inside a module worker in Chromium.
 * - compareAgents on two agents over the same 1,000 tasks × 8 trials with 10,000 resamples per
 *   interval: both agents' success and τ-report, the paired differences for k = 1 … 8, the
 *   noise floor and the plan; in Node, and in Chromium from the page through a fresh stats
 *   worker (workers/stats.worker.ts, as compareInWorker does), cloning included.
 * - compareAgents on two runs of 10,000 sessions each (1,250 tasks × 8) at the default 2,000
 *   resamples: the comparison page's statistics for its opening.
 *
 * Node figures give wall-clock and CPU milliseconds (median of BENCH_STATS_RUNS, default 5): on
 * a shared machine the wall clock also counts other processes. BENCH_STATS_BROWSER=0 skips
 * Chromium. Figures are merged into bench-results.json under "stats"; run after
 * scripts/bench.ts, which rewrites the file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { compareAgents, hierarchicalBootstrap, mulberry32 } from '../src/core/index.ts';
import { runBrowserStats, type BrowserStatsFigures } from './bench-stats/browser.ts';
import { syntheticAgents, syntheticGroups } from './bench-stats/data.ts';

const TASKS = 1000;
const TRIALS = 8;
const ITERATIONS = 10_000;
const LARGE = { tasks: 1250, trials: 8, iterations: 2000 };
const RUNS = Number(process.env.BENCH_STATS_RUNS ?? 5);
const TARGET_MS = 2000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number) => Math.round(x);

function time(fn: (run: number) => void): { wallMs: number; cpuMs: number; runsMs: number[] } {
  fn(-1); // warm-up: compile before timing
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn(r);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: round(median(wall)), cpuMs: round(median(cpu)), runsMs: wall.map(round) };
}

const load = loadavg()[0]!;
const groups = syntheticGroups(TASKS, TRIALS);
const hier = time((r) => hierarchicalBootstrap(groups, { rng: mulberry32(r + 1), iterations: ITERATIONS }));
const agents = syntheticAgents(TASKS, TRIALS);
const compare = time((r) => compareAgents(agents, { seed: r + 1, iterations: ITERATIONS }));
const largeAgents = syntheticAgents(LARGE.tasks, LARGE.trials);
const compareLarge = time((r) => compareAgents(largeAgents, { seed: r + 1, iterations: LARGE.iterations }));

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`;
console.log(`\nComparison statistics, Node ${process.version} on ${machine} (load average ${load.toFixed(1)} at the start)`);
console.table({
  [`hierarchical bootstrap, ${TASKS} tasks × ${TRIALS} trials, ${ITERATIONS} resamples`]: hier,
  [`compareAgents, 2 agents × ${TASKS} tasks × ${TRIALS} trials, ${ITERATIONS} resamples`]: compare,
  [`compareAgents, 2 runs × ${LARGE.tasks * LARGE.trials} sessions, ${LARGE.iterations} resamples`]: compareLarge,
});

let browser: BrowserStatsFigures | { skipped: string } | undefined;
if (process.env.BENCH_STATS_BROWSER !== '0') {
  try {
    browser = await runBrowserStats({ tasks: TASKS, trials: TRIALS, iterations: ITERATIONS, runs: RUNS, large: LARGE });
    const row = (ms: number[]) => ({ medianMs: round(median(ms)), runsMs: ms.map(round) });
    console.log(`\nChromium ${browser.version}, module worker`);
    console.table({
      [`hierarchical bootstrap in the worker, ${TASKS} × ${TRIALS}, ${ITERATIONS} resamples`]: row(browser.hierarchicalMs),
      [`compareAgents through a fresh stats worker, 2 × ${TASKS} × ${TRIALS}, ${ITERATIONS} resamples`]: row(browser.compareMs),
      [`compareAgents through a fresh stats worker, 2 × ${LARGE.tasks * LARGE.trials} sessions, ${LARGE.iterations} resamples`]: row(browser.compareLargeMs),
    });
    const met = median(browser.hierarchicalMs) < TARGET_MS;
    console.log(`  ${met ? 'PASS' : 'MISS'}: hierarchical bootstrap in a Chromium worker ${round(median(browser.hierarchicalMs))} ms (target < ${TARGET_MS} ms)`);
  } catch (err) {
    browser = { skipped: err instanceof Error ? err.message : String(err) };
    console.log(`\nBrowser variant skipped: ${browser.skipped}`);
  }
}

const results: Record<string, unknown> = existsSync('bench-results.json') ? (JSON.parse(readFileSync('bench-results.json', 'utf8')) as Record<string, unknown>) : {};
results.stats = {
  date: new Date().toISOString(),
  node: process.version,
  machine,
  loadAverageAtStart: Number(load.toFixed(2)),
  runs: RUNS,
  hierarchical: { tasks: TASKS, trials: TRIALS, iterations: ITERATIONS, ...hier },
  compare: { agents: 2, tasks: TASKS, trials: TRIALS, iterations: ITERATIONS, ...compare },
  compareLarge: { agents: 2, sessionsPerAgent: LARGE.tasks * LARGE.trials, ...LARGE, ...compareLarge },
  ...(browser
    ? {
        browser:
          'version' in browser
            ? {
                chromium: browser.version,
                hierarchicalInWorkerMs: round(median(browser.hierarchicalMs)),
                compareThroughWorkerMs: round(median(browser.compareMs)),
                compareLargeThroughWorkerMs: round(median(browser.compareLargeMs)),
                runsMs: { hierarchical: browser.hierarchicalMs.map(round), compare: browser.compareMs.map(round), compareLarge: browser.compareLargeMs.map(round) },
                target: { hierarchicalMs: TARGET_MS, met: median(browser.hierarchicalMs) < TARGET_MS },
              }
            : browser,
      }
    : {}),
};
writeFileSync('bench-results.json', JSON.stringify(results, null, 2) + '\n');
console.log('\nSaved to bench-results.json (stats)');
