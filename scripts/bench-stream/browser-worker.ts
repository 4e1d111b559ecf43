/**
 * The benchmark's model worker in Chromium: a module worker wired as workers/llm.worker.ts is
 * (createLlmWorkerApi + releasingCallbacks, comlink on the worker's own port), around the
 * fixed-rate fake engine instead of MLCEngine. The rate comes in the worker's URL (?rate=).
 * benchStats is an extra method, read through a second comlink wrap of the same worker.
 */
import * as Comlink from 'comlink';
import { releasingCallbacks } from '../../src/engine/webllm/expose.ts';
import { createLlmWorkerApi } from '../../src/engine/webllm/worker-api.ts';
import { FixedRateEngine, benchDeps } from './engine.ts';

const rate = Number(new URL(self.location.href).searchParams.get('rate') ?? 200);
const engine = new FixedRateEngine(rate);
Comlink.expose({ ...releasingCallbacks(createLlmWorkerApi(benchDeps(engine))), benchStats: () => engine.turns });
