/**
 * Measures a pack's floor (src/core/metrics/floor.ts) off the page's thread: a 114-task pack
 * over a 2.8 MB database takes tens of seconds of scoring, each session a few hundred
 * milliseconds at a stretch, which on the page would stall it again and again. Code tools run
 * in the page's sandbox through `codeRunner` (a comlink proxy), as they do in a run.
 */
import * as Comlink from 'comlink';
import { computeFloor, type PackFloor } from '../src/core/metrics/floor.ts';
import type { Persona, Scenario } from '../src/core/model/types.ts';
import type { CodeToolRunner } from '../src/core/scenarios/environment.ts';

const api = {
  measure(
    scenarios: Scenario[],
    personas: Persona[],
    codeRunner: CodeToolRunner,
    onProgress: (done: number, total: number) => void,
  ): Promise<PackFloor> {
    // Progress is not awaited: a round trip to the page per session would only slow the work.
    return computeFloor(scenarios, personas, { codeRunner, onProgress: (done, total) => void onProgress(done, total) });
  },
};

/** What the page calls, through `Comlink.wrap<FloorWorkerApi>`. */
export type FloorWorkerApi = typeof api;

Comlink.expose(api);
