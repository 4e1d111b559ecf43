/**
 * How the page measures a pack's floor (core/metrics/floor.ts): in a worker of its own
 * (workers/floor.worker.ts), so the page stays responsive while a large pack is measured, and
 * on this thread, a session at a time with a pause between them, where there are no workers
 * (Node tests).
 */
import * as Comlink from 'comlink';
import { computeFloor, type PackFloor, type Persona, type Scenario } from '../core/index.ts';
import type { FloorWorkerApi } from '../../workers/floor.worker.ts';
import { codeToolRunner } from './tool-sandbox.ts';

/** Measures the floor of `scenarios`, reporting tasks done as it goes. */
export type FloorRunner = (
  scenarios: readonly Scenario[],
  personas: readonly Persona[],
  onProgress: (done: number, total: number) => void,
) => Promise<PackFloor>;

/** On this thread, yielding to the event loop after each session. */
export const inlineFloorRunner: FloorRunner = (scenarios, personas, onProgress) =>
  computeFloor(scenarios, personas, {
    codeRunner: codeToolRunner,
    onProgress: async (done, total) => {
      onProgress(done, total);
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  });

/** In a fresh worker, ended when the floor is measured or fails; inline where there are no workers. */
export const workerFloorRunner: FloorRunner = async (scenarios, personas, onProgress) => {
  if (typeof Worker === 'undefined') return inlineFloorRunner(scenarios, personas, onProgress);
  const worker = new Worker(new URL('../../workers/floor.worker.ts', import.meta.url), { type: 'module', name: 'understudy-floor' });
  try {
    const api = Comlink.wrap<FloorWorkerApi>(worker);
    // A worker that fails to load or dies never answers the call: its error event ends it.
    const died = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => reject(new Error(`The floor worker stopped: ${e.message || 'worker error'}`)));
    });
    return await Promise.race([
      api.measure([...scenarios], [...personas], Comlink.proxy(codeToolRunner), Comlink.proxy(onProgress)),
      died,
    ]);
  } finally {
    worker.terminate();
  }
};
