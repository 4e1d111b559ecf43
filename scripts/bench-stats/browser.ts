/**
 * The Chromium part of the statistics benchmark: bundles the page, the timing worker and the
 * real stats worker with esbuild into a temporary folder (as scripts/bench-stream/browser.ts
 * does), serves it with scripts/serve.mjs and drives Debian's Chromium with playwright-core.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startServe } from '../lib/browser.ts';

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
  const dir = mkdtempSync(join(tmpdir(), 'understudy-bench-stats-'));
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  let stop: (() => void) | undefined;
  try {
    await build({
      entryPoints: {
        'bench-page': here('./browser-page.ts'),
        'bench-worker': here('./browser-worker.ts'),
        'stats-worker': here('../../workers/stats.worker.ts'),
      },
      outdir: dir,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bench</title><body><script type="module" src="./bench-page.js"></script></body>');
    const served = await startServe({ port: process.env.BENCH_STATS_PORT ?? '4320', dist: dir });
    stop = served.stop;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(served.url);
      await page.waitForFunction(() => document.body?.dataset.ready === 'true', undefined, { timeout: 10_000 }).catch(() => {
        throw new Error(`bench page did not start${errors.length ? `: ${errors.join('; ')}` : ''}`);
      });
      type Fn = (tasks: number, trials: number, iterations: number, runs: number) => Promise<number[]>;
      const call = (name: 'hierarchical' | 'compare', args: [number, number, number, number]) =>
        page.evaluate(([n, a]) => (window as unknown as Record<string, Fn>)[n as string]!(...(a as [number, number, number, number])), [name, args] as const);
      const hierarchicalMs = await call('hierarchical', [plan.tasks, plan.trials, plan.iterations, plan.runs]);
      const compareMs = await call('compare', [plan.tasks, plan.trials, plan.iterations, plan.runs]);
      const compareLargeMs = await call('compare', [plan.large.tasks, plan.large.trials, plan.large.iterations, plan.runs]);
      return { version: browser.version(), hierarchicalMs, compareMs, compareLargeMs };
    } finally {
      await browser.close();
    }
  } finally {
    stop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
