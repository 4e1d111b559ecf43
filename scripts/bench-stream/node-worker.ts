/**
 * The benchmark's model worker in Node: a worker_threads thread hosting the real worker API
 * (createLlmWorkerApi + releasingCallbacks, as workers/llm.worker.ts wires them) around a
 * fixed-rate fake MLCEngine, exposed with comlink on the port it was given.
 */
import { parentPort, workerData, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { releasingCallbacks } from '../../src/engine/webllm/expose.ts';
import { createLlmWorkerApi } from '../../src/engine/webllm/worker-api.ts';
import { FixedRateEngine, benchDeps } from './engine.ts';

const { port, rate } = workerData as { port: NodeMessagePort; rate: number };
const engine = new FixedRateEngine(rate);
Comlink.expose(releasingCallbacks(createLlmWorkerApi(benchDeps(engine))), port as unknown as Comlink.Endpoint);

// Side channel for the engine's own figures (the API has no place for them).
parentPort?.on('message', (m: unknown) => {
  if (m === 'stats') parentPort?.postMessage(engine.turns);
});
