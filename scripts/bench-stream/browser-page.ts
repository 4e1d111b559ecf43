/**
 * The benchmark page in Chromium: the real WebLlmClient over a real module worker, streaming
 * into UI-like state and storing turns with Storage.appendTurn over the browser's IndexedDB.
 * scripts/bench-stream/browser.ts builds this with esbuild and calls window.runBench.
 */
import * as Comlink from 'comlink';
import { WebLlmClient } from '../../src/engine/webllm/client.ts';
import { Storage } from '../../src/storage/repo.ts';
import { runStream, type StreamFigures } from './consumer.ts';
import type { EngineTurnStats } from './engine.ts';

async function runBench(rate: number, tokens: number, tokensPerTurn: number): Promise<StreamFigures> {
  let worker: Worker | undefined;
  const client = new WebLlmClient({
    createWorker: () => (worker = new Worker(new URL(`./bench-worker.js?rate=${rate}`, import.meta.url), { type: 'module', name: 'bench-llm' })),
  });
  const storage = Storage.open(`bench-stream-${rate}-${Date.now()}`);
  try {
    return await runStream({
      rate,
      tokens,
      tokensPerTurn,
      client,
      storage,
      engineStats: () => Comlink.wrap<{ benchStats(): EngineTurnStats[] }>(worker!).benchStats(),
    });
  } finally {
    client.dispose();
    storage.close();
    await storage.db.delete();
  }
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
document.body.dataset.ready = 'true';
