/**
 * The benchmark page in Chromium. `hierarchical` asks the timing worker to time the bootstrap
 * inside itself; `compare` does what the comparison page does through compareInWorker: a fresh
 * module worker (the real workers/stats.worker.ts, bundled), sessions cloned in, compareAgents,
 * the result cloned back, the worker ended; timed from the page, start to answer.
 */
import * as Comlink from 'comlink';
import type { StatsWorkerApi } from '../../workers/stats.worker.ts';
import { syntheticAgents } from './data.ts';

async function hierarchical(tasks: number, trials: number, iterations: number, runs: number): Promise<number[]> {
  const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module', name: 'bench-stats' });
  try {
    const api = Comlink.wrap<{ hierarchical(a: number, b: number, c: number, d: number): number[] }>(worker);
    return await api.hierarchical(tasks, trials, iterations, runs);
  } finally {
    worker.terminate();
  }
}

async function compare(tasks: number, trials: number, iterations: number, runs: number): Promise<number[]> {
  const agents = syntheticAgents(tasks, trials);
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const worker = new Worker(new URL('./stats-worker.js', import.meta.url), { type: 'module', name: 'understudy-stats' });
    try {
      await Comlink.wrap<StatsWorkerApi>(worker).compareAgents(agents, { seed: r, iterations });
    } finally {
      worker.terminate();
    }
    ms.push(performance.now() - t0);
  }
  return ms;
}

Object.assign(window, { hierarchical, compare });
document.body.dataset.ready = 'true';
