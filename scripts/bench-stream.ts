/**
 * npm run bench, second part: the harness's cost per generated token. Not a test: nothing
 * here asserts.
 *
 * A fake MLCEngine emits tokens at a fixed rate (drift-free schedule on performance.now())
 * inside a real worker thread, behind the real worker API (createLlmWorkerApi with
 * releasingCallbacks, as workers/llm.worker.ts wires it) exposed with comlink. The page side is
 * the real WebLlmClient (its createWorker option) streaming each turn into UI-like state and
 * storing it with Storage.appendTurn over fake-indexeddb. Throughput lost = 1 − delivered rate
 * (tokens received and stored per wall-clock second) / raw rate (tokens per second of the
 * engine's own generation time). Target: under 2% at 200 tokens per second.
 *
 * Per-token CPU: "worker API µs/tok" is timed exactly (yield → next pull in the engine);
 * "page busy" is the page thread's event-loop utilisation, which on Node also counts a fixed
 * ~0.1 ms per loop wake-up, so it overstates the cost per token at low rates.
 *
 * The Chromium variant runs the same page code against a real module worker and real
 * IndexedDB (scripts/bench-stream/browser.ts); it has no event-loop utilisation to read.
 *
 * BENCH_STREAM_SECONDS scales the Node run (default 10 s per rate; 1000 tok/s runs half as
 * long), BENCH_STREAM_BROWSER_SECONDS the Chromium one (default half of that);
 * BENCH_STREAM_BROWSER=0 skips Chromium. Figures are merged into bench-results.json under
 * "stream"; run after scripts/bench.ts, which rewrites the file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance as nodePerformance } from 'node:perf_hooks';
import { Worker as NodeWorker, MessageChannel as NodeMessageChannel, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { WebLlmClient } from '../src/engine/webllm/client.ts';
import { Storage } from '../src/storage/repo.ts';
import { runStream, type StreamFigures } from './bench-stream/consumer.ts';
import type { EngineTurnStats } from './bench-stream/engine.ts';
import { runBrowserStream } from './bench-stream/browser.ts';

const TARGET_RATE = 200;
const TARGET_LOSS = 2;
const seconds = Number(process.env.BENCH_STREAM_SECONDS ?? 10);
const TOKENS_PER_TURN = 100;
const RATES: { rate: number; seconds: number }[] = [
  { rate: 50, seconds },
  { rate: 200, seconds },
  { rate: 1000, seconds: seconds / 2 },
];

/**
 * What WebLlmClient needs of a Worker, over a worker_threads thread: comlink talks on a
 * dedicated MessageChannel port (Node ports are EventTargets, like a Worker); errors and
 * terminate go to the thread.
 */
class ThreadWorker extends EventTarget {
  constructor(
    readonly thread: NodeWorker,
    private readonly port: NodeMessagePort,
  ) {
    super();
    thread.on('error', (err: Error) => {
      const ev = new Event('error');
      Object.assign(ev, { message: err.message });
      this.dispatchEvent(ev);
    });
  }
  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer as never);
  }
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    if (type === 'message') (this.port as unknown as EventTarget).addEventListener(type, listener, options);
    else super.addEventListener(type, listener, options);
  }
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') (this.port as unknown as EventTarget).removeEventListener(type, listener);
    else super.removeEventListener(type, listener);
  }
  start(): void {
    this.port.start();
  }
  terminate(): void {
    this.port.close();
    void this.thread.terminate();
  }
  /** The engine's per-turn figures, over the thread's own port. */
  stats(): Promise<EngineTurnStats[]> {
    return new Promise((resolve) => {
      this.thread.once('message', (m: EngineTurnStats[]) => resolve(m));
      this.thread.postMessage('stats');
    });
  }
}

/**
 * tsx's loader does not follow into worker threads on Node 20 (neither by inheritance nor with
 * --import in execArgv), so the thread boots with tsx's API and imports the TypeScript file.
 */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./bench-stream/node-worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`;

async function runNode(rate: number, tokens: number): Promise<StreamFigures> {
  let worker: ThreadWorker | undefined;
  const client = new WebLlmClient({
    createWorker: () => {
      const { port1, port2 } = new NodeMessageChannel();
      const thread = new NodeWorker(WORKER_BOOT, {
        eval: true,
        workerData: { port: port2, rate },
        transferList: [port2],
      });
      worker = new ThreadWorker(thread, port1);
      return worker as unknown as Worker;
    },
  });
  const storage = Storage.open(`bench-stream-${rate}`, { indexedDB, IDBKeyRange });
  try {
    return await runStream({
      rate,
      tokens,
      tokensPerTurn: TOKENS_PER_TURN,
      client,
      storage,
      engineStats: () => worker!.stats(),
      busyMs: () => ({
        main: nodePerformance.eventLoopUtilization().active,
        worker: worker ? worker.thread.performance.eventLoopUtilization().active : 0,
      }),
    });
  } finally {
    client.dispose();
    storage.close();
    await storage.db.delete();
  }
}

function table(title: string, rows: StreamFigures[]): void {
  console.log(title);
  console.table(
    rows.map((f) => ({
      'tok/s nominal': f.nominalRate,
      tokens: f.tokens,
      'raw tok/s': f.rawRate,
      'delivered tok/s': f.deliveredRate,
      'lost %': f.lostPercent,
      'overhead ms/turn': f.overheadMsPerTurn,
      'storage ms/turn': f.storageMsPerTurn,
      'worker API µs/tok': f.workerApiUsPerToken,
      'page busy µs/tok': f.mainBusyUsPerToken ?? '–',
      'harness µs/tok': f.harnessUsPerToken ?? '–',
      'page busy %': f.mainBusyPercent ?? '–',
      'worker busy %': f.workerBusyPercent ?? '–',
      'batches/s': f.batchesPerSecond,
      'UI µs/batch': f.uiUsPerBatch,
      'last-token latency ms': f.lastTokenLatencyMs,
    })),
  );
  const at = rows.find((f) => f.nominalRate === TARGET_RATE);
  if (at) {
    const ok = at.lostPercent < TARGET_LOSS;
    console.log(`  ${ok ? 'PASS' : 'MISS'}: ${at.lostPercent}% lost at ${TARGET_RATE} tok/s (target < ${TARGET_LOSS}%)`);
  }
  const bad = rows.filter((f) => f.mismatchedTurns > 0);
  if (bad.length) console.log(`  note: streamed text differed from the result in ${bad.map((f) => `${f.mismatchedTurns} turns at ${f.nominalRate} tok/s`).join(', ')}`);
}

const node: StreamFigures[] = [];
for (const { rate, seconds: s } of RATES) node.push(await runNode(rate, Math.round(rate * s)));
console.log();
table(`Streaming harness, Node: fixed-rate engine in a worker thread → comlink → WebLlmClient → UI state → Storage.appendTurn (fake-indexeddb), ${TOKENS_PER_TURN} tokens per turn`, node);

let browser: { version: string; figures: StreamFigures[] } | { skipped: string } | undefined;
if (process.env.BENCH_STREAM_BROWSER !== '0') {
  try {
    const scale = Number(process.env.BENCH_STREAM_BROWSER_SECONDS ?? seconds / 2) / seconds;
    browser = await runBrowserStream(RATES.map(({ rate, seconds: s }) => ({ rate, tokens: Math.round(rate * s * scale), tokensPerTurn: TOKENS_PER_TURN })));
    console.log();
    table(`Streaming harness, Chromium ${browser.version}: fixed-rate engine in a module worker → comlink → WebLlmClient → UI state → Storage.appendTurn (IndexedDB), ${TOKENS_PER_TURN} tokens per turn`, browser.figures);
  } catch (err) {
    browser = { skipped: err instanceof Error ? err.message : String(err) };
    console.log(`\nBrowser variant skipped: ${browser.skipped}`);
  }
}

const results: Record<string, unknown> = existsSync('bench-results.json') ? (JSON.parse(readFileSync('bench-results.json', 'utf8')) as Record<string, unknown>) : {};
results.stream = {
  date: new Date().toISOString(),
  node: process.version,
  target: { rate: TARGET_RATE, maxLostPercent: TARGET_LOSS, met: node.find((f) => f.nominalRate === TARGET_RATE)!.lostPercent < TARGET_LOSS },
  boundary: 'worker_threads Worker, comlink over a MessageChannel port, real WebLlmClient',
  storage: 'Storage.appendTurn over fake-indexeddb',
  tokensPerTurn: TOKENS_PER_TURN,
  rates: node,
  ...(browser
    ? {
        browser: 'figures' in browser
          ? { chromium: browser.version, boundary: 'module Worker (esbuild bundle served by scripts/serve.mjs), comlink, real WebLlmClient', storage: 'Storage.appendTurn over IndexedDB', rates: browser.figures }
          : browser,
      }
    : {}),
};
writeFileSync('bench-results.json', JSON.stringify(results, null, 2) + '\n');
console.log('\nSaved to bench-results.json (stream)');
