/**
 * The page's part of the streaming benchmark, shared by the Node and browser variants: a
 * WebLlmClient streams turns from a fixed-rate engine in a worker; each delta batch lands in
 * UI-like state (a $state.raw-style replacement plus a render callback), and each finished turn
 * is written with Storage.appendTurn. Figures only, no assertions.
 */
import type { Turn } from '../../src/core/model/types.ts';
import type { ChatMessage } from '../../src/engine/types.ts';
import type { WebLlmClient } from '../../src/engine/webllm/client.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { BENCH_MODEL, epoch, tokenAt, type EngineTurnStats } from './engine.ts';

export interface StreamRunOptions {
  rate: number;
  tokens: number;
  tokensPerTurn: number;
  client: WebLlmClient;
  storage: Storage;
  /** The engine's per-turn figures, read from the worker after the run. */
  engineStats: () => Promise<EngineTurnStats[]>;
  /** Active (non-idle) ms of the page's and the worker's threads so far, where measurable. */
  busyMs?: () => { main: number; worker: number };
  /** Unmeasured turns first (JIT, opening the database); default 2. */
  warmupTurns?: number;
}

export interface StreamFigures {
  nominalRate: number;
  tokens: number;
  turns: number;
  tokensPerTurn: number;
  seconds: number;
  /** Tokens per second of the engine's own schedule (its generation time only). */
  rawRate: number;
  /** Tokens received and stored per wall-clock second, first request to last turn stored. */
  deliveredRate: number;
  lostPercent: number;
  /** Wall time per turn outside generation, and its parts (ms). */
  overheadMsPerTurn: number;
  requestTransitMs: number;
  resultTailMs: number;
  storageMsPerTurn: number;
  storageMsMax: number;
  /** From the last token's emission to its delta reaching the page (ms, mean per turn). */
  lastTokenLatencyMs: number;
  /** Worker API time per token: yield → next pull, including batch flushes (µs). */
  workerApiUsPerToken: number;
  /** Active time per token of the page thread and of the worker thread (µs), where measured. */
  mainBusyUsPerToken?: number;
  workerBusyUsPerToken?: number;
  /** Share of the wall time each thread was busy (event-loop utilisation, %). */
  mainBusyPercent?: number;
  workerBusyPercent?: number;
  /** Harness CPU per token: the worker API's part plus the whole page thread's (µs). */
  harnessUsPerToken?: number;
  /** UI state update + render callback, per delta batch (µs). */
  uiUsPerBatch: number;
  batchesPerSecond: number;
  tokensPerBatch: number;
  /** Mean timer lateness behind the drift-free schedule, per token (µs). */
  engineLatenessUsPerToken: number;
  /** Turns whose streamed text differed from the result or the expected text (should be 0). */
  mismatchedTurns: number;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

export async function runStream(o: StreamRunOptions): Promise<StreamFigures> {
  const { client, storage, rate, tokensPerTurn } = o;
  const turns = Math.max(1, Math.round(o.tokens / tokensPerTurn));
  const sessionId = `bench-stream-${rate}-${Date.now()}`;
  await client.load(BENCH_MODEL, null);

  const messages: ChatMessage[] = [{ role: 'system', content: 'You are the agent of a small online bookshop. Be brief.' }];
  // The page's streaming state, replaced (never mutated) on each batch as with $state.raw.
  let view: { text: string; batches: number } = { text: '', batches: 0 };
  let rendered = 0;
  const render = (s: { text: string; batches: number }) => {
    rendered += s.text.length > 4000 ? 4000 : s.text.length;
  };

  let batches = 0;
  let uiMs = 0;
  let mismatched = 0;
  const sent: number[] = [];
  const resolved: number[] = [];
  const lastDelta: number[] = [];
  const storageMs: number[] = [];
  let tokens = 0;

  const warmup = o.warmupTurns ?? 2;
  let busy0: { main: number; worker: number } | undefined;
  let t0 = 0;
  for (let turn = -warmup; turn < turns; turn++) {
    if (turn === 0) {
      batches = 0;
      uiMs = 0;
      busy0 = o.busyMs?.();
      t0 = epoch();
    }
    const k = turn + warmup;
    messages.push({ role: 'user', content: `Where is order ${1000 + turn}?` });
    view = { text: '', batches: 0 };
    const startedAt = Date.now();
    sent[k] = epoch();
    const result = await client.complete(
      {
        model: BENCH_MODEL,
        messages: messages.slice(),
        sampling: { temperature: 0.7, top_p: 0.95, max_tokens: tokensPerTurn, seed: 7 + turn, frequency_penalty: 0, presence_penalty: 0 },
      },
      {
        onDelta: (delta) => {
          const a = performance.now();
          view = { text: view.text + delta, batches: view.batches + 1 };
          render(view);
          batches++;
          uiMs += performance.now() - a;
          lastDelta[k] = epoch();
        },
      },
    );
    resolved[k] = epoch();
    if (turn >= 0) tokens += result.usage.completionTokens;
    let expected = '';
    for (let i = 0; i < tokensPerTurn; i++) expected += tokenAt(k, i);
    if (view.text !== result.content || result.content !== expected) mismatched++;
    messages.push({ role: 'assistant', content: result.content });
    const row: Turn = {
      sessionId,
      index: k,
      role: 'agent',
      author: BENCH_MODEL,
      content: view.text,
      toolCalls: [],
      flags: [],
      startedAt,
      durationMs: Date.now() - startedAt,
      usage: { ...result.usage, requestMessages: messages.length - 1, prefixExtending: true, seed: 7 + turn, finishReason: result.finishReason },
    };
    const s = performance.now();
    await storage.appendTurn(row);
    if (turn >= 0) storageMs.push(performance.now() - s);
  }
  const t1 = epoch();
  const busy1 = o.busyMs?.();
  void rendered;

  const eng = (await o.engineStats()).slice(warmup);
  sent.splice(0, warmup);
  resolved.splice(0, warmup);
  lastDelta.splice(0, warmup);
  const genMs = eng.reduce((sum, t) => sum + (t.lastEmit - t.scheduleStart), 0);
  const engTokens = eng.reduce((sum, t) => sum + t.tokens, 0);
  const wallMs = t1 - t0;
  const rawRate = engTokens / (genMs / 1000);
  const deliveredRate = tokens / (wallMs / 1000);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const figures: StreamFigures = {
    nominalRate: rate,
    tokens,
    turns,
    tokensPerTurn,
    seconds: round(wallMs / 1000, 3),
    rawRate: round(rawRate, 1),
    deliveredRate: round(deliveredRate, 1),
    lostPercent: round((1 - deliveredRate / rawRate) * 100, 3),
    overheadMsPerTurn: round((wallMs - genMs) / turns, 3),
    requestTransitMs: round(mean(eng.map((t, i) => t.scheduleStart - sent[i]!)), 3),
    resultTailMs: round(mean(eng.map((t, i) => resolved[i]! - t.lastEmit)), 3),
    storageMsPerTurn: round(mean(storageMs), 3),
    storageMsMax: round(Math.max(...storageMs), 3),
    lastTokenLatencyMs: round(mean(eng.map((t, i) => (lastDelta[i] ?? NaN) - t.lastEmit)), 3),
    workerApiUsPerToken: round((eng.reduce((sum, t) => sum + t.apiMs, 0) * 1000) / engTokens, 2),
    uiUsPerBatch: round((uiMs * 1000) / Math.max(1, batches), 2),
    batchesPerSecond: round(batches / (wallMs / 1000), 1),
    tokensPerBatch: round(tokens / Math.max(1, batches), 2),
    engineLatenessUsPerToken: round((eng.reduce((sum, t) => sum + t.latenessMs, 0) * 1000) / engTokens, 1),
    mismatchedTurns: mismatched,
  };
  if (busy0 && busy1) {
    figures.mainBusyUsPerToken = round(((busy1.main - busy0.main) * 1000) / tokens, 2);
    figures.workerBusyUsPerToken = round(((busy1.worker - busy0.worker) * 1000) / tokens, 2);
    figures.mainBusyPercent = round(((busy1.main - busy0.main) / wallMs) * 100, 2);
    figures.workerBusyPercent = round(((busy1.worker - busy0.worker) / wallMs) * 100, 2);
    figures.harnessUsPerToken = round(figures.workerApiUsPerToken + figures.mainBusyUsPerToken, 1);
  }
  return figures;
}
