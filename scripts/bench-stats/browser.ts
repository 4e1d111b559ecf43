/**
 * The Chromium part of the statistics benchmark: bundles the page, the timing worker and the
 * real stats worker and runs them in Debian's Chromium (scripts/lib/bench-page.ts).
 */
import { fileURLToPath } from 'node:url';
import { withBenchPage } from '../lib/bench-page.ts';

export interface BrowserStatsFigures {
  version: string;
  /** Milliseconds per run, measured inside the worker. */
  hierarchicalMs: number[];
  /** Milliseconds per run, page to answer through a fresh worker. */
  compareMs: number[];
  compareLargeMs: number[];
}

export interface BrowserStatsPlan {
  tasks: number;
  trials: number;
  iterations: number;
  runs: number;
  large: { tasks: number; trials: number; iterations: number };
}

export async function runBrowserStats(plan: BrowserStatsPlan): Promise<BrowserStatsFigures> {
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  const entryPoints = {
    'bench-page': here('./browser-page.ts'),
    'bench-worker': here('./browser-worker.ts'),
    'stats-worker': here('../../workers/stats.worker.ts'),
  };
  return withBenchPage({ name: 'bench-stats', entryPoints, port: process.env.BENCH_STATS_PORT ?? '4320' }, async (page, version) => {
    type Fn = (tasks: number, trials: number, iterations: number, runs: number) => Promise<number[]>;
    const call = (name: 'hierarchical' | 'compare', args: [number, number, number, number]) =>
      page.evaluate(([n, a]) => (window as unknown as Record<string, Fn>)[n as string]!(...(a as [number, number, number, number])), [name, args] as const);
    const hierarchicalMs = await call('hierarchical', [plan.tasks, plan.trials, plan.iterations, plan.runs]);
    const compareMs = await call('compare', [plan.tasks, plan.trials, plan.iterations, plan.runs]);
    const compareLargeMs = await call('compare', [plan.large.tasks, plan.large.trials, plan.large.iterations, plan.runs]);
    return { version, hierarchicalMs, compareMs, compareLargeMs };
  });
}
