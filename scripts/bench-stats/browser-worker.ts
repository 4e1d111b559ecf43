/**
 * The benchmark's timing worker in Chromium: times the hierarchical bootstrap inside a module
 * worker, where the page runs its statistics, so the figure is the computation alone.
 */
import * as Comlink from 'comlink';
import { hierarchicalBootstrap, mulberry32 } from '../../src/core/index.ts';
import { syntheticGroups } from './data.ts';

Comlink.expose({
  hierarchical(tasks: number, trials: number, iterations: number, runs: number): number[] {
    const groups = syntheticGroups(tasks, trials);
    const ms: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      hierarchicalBootstrap(groups, { rng: mulberry32(r), iterations });
      ms.push(performance.now() - t0);
    }
    return ms;
  },
});
