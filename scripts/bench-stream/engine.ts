/**
 * A fake MLCEngine that emits tokens at a fixed rate, for the streaming benchmark
 * (scripts/bench-stream.ts). Runs in whatever thread hosts the worker API: a Node worker
 * thread or a browser module worker.
 *
 * Each completion starts its own schedule when the request reaches the engine (as a real
 * engine starts decoding when asked): token i is due at start + (i + 1) / rate, measured with
 * performance.now(), so timer lateness never accumulates. It emits `max_tokens` tokens and
 * finishes with 'length'.
 *
 * It also times the harness on its side of the boundary: the time between handing a chunk to
 * the worker API (yield) and the API asking for the next one is the API's own work on that
 * token (buffering, flushing a batch through comlink).
 */
import type { AppConfig, ChatCompletionChunk, ChatCompletionRequestStreaming, InitProgressCallback } from '@mlc-ai/web-llm';
import type { LlmWorkerDeps, MlcEngineLike } from '../../src/engine/webllm/worker-api.ts';

export const BENCH_MODEL = 'Bench-FixedRate-q4f32_1-MLC';

export const BENCH_APP_CONFIG: AppConfig = {
  cacheBackend: 'cache',
  model_list: [
    {
      model: 'https://example.invalid/mlc-ai/Bench-FixedRate-q4f32_1-MLC',
      model_id: BENCH_MODEL,
      model_lib: 'https://example.invalid/libs/Bench-FixedRate-q4f32_1-webgpu.wasm',
      vram_required_MB: 1,
      low_resource_required: true,
    },
  ],
};

/** Word-piece-like tokens, about 4 characters each, as a small model's output. */
const VOCAB = [' the', ' order', ' has', ' been', ' shipped', ',', ' and', ' you', ' should', ' receive', ' it', ' within', ' three', ' working', ' days', '.', ' If', ' not', ' please', ' contact', ' us', ' again', ' with', ' your', ' reference', ' number', ':', ' AB', '12', '34', '!', ' Thanks'];

/** The token a given completion (turn) emits at position i: deterministic, so the page can check it. */
export function tokenAt(turn: number, i: number): string {
  return VOCAB[(turn * 7 + i * 13) % VOCAB.length]!;
}

/** What one completion looked like from the engine's side. Times are epoch ms (timeOrigin + now). */
export interface EngineTurnStats {
  turn: number;
  tokens: number;
  /** When the request reached the engine: the schedule's origin. */
  scheduleStart: number;
  /** When the last token was handed over. */
  lastEmit: number;
  /** Sum of the per-token lateness behind the schedule (ms): timer granularity, a busy thread. */
  latenessMs: number;
  /** Sum over tokens of the worker API's time between yield and the next pull (ms). */
  apiMs: number;
  /** The largest single yield→pull gap (ms). */
  apiMaxMs: number;
}

const epoch = (): number => performance.timeOrigin + performance.now();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const chunk = (content: string | null, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created: 0,
  model: BENCH_MODEL,
  choices: [{ index: 0, delta: content === null ? {} : { content, role: 'assistant' }, finish_reason: finish, logprobs: null }],
});

export class FixedRateEngine implements MlcEngineLike {
  readonly turns: EngineTurnStats[] = [];
  private interrupted = false;
  private completions = 0;

  constructor(readonly rate: number) {}

  chat = {
    completions: {
      create: async (req: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>> => {
        const n = req.max_tokens ?? 100;
        return this.generate(this.completions++, n, req.messages.length);
      },
    },
  };

  setAppConfig(_appConfig: AppConfig): void {}
  setInitProgressCallback(_cb?: InitProgressCallback): void {}
  async reload(_modelId: string): Promise<void> {}
  async unload(): Promise<void> {}
  async interruptGenerate(): Promise<void> {
    this.interrupted = true;
  }
  async resetChat(): Promise<void> {}

  private async *generate(turn: number, n: number, promptMessages: number): AsyncGenerator<ChatCompletionChunk> {
    this.interrupted = false;
    const period = 1000 / this.rate;
    const start = performance.now();
    const stats: EngineTurnStats = { turn, tokens: 0, scheduleStart: performance.timeOrigin + start, lastEmit: 0, latenessMs: 0, apiMs: 0, apiMaxMs: 0 };
    this.turns.push(stats);
    let finish: 'length' | 'abort' = 'length';
    for (let i = 0; i < n; i++) {
      if (this.interrupted) {
        finish = 'abort';
        break;
      }
      const due = start + (i + 1) * period;
      // Timers may wake a little early (a coarse loop clock) or late; never emit before due.
      for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) await sleep(wait);
      const emitted = performance.now();
      stats.latenessMs += Math.max(0, emitted - due);
      stats.tokens++;
      stats.lastEmit = performance.timeOrigin + emitted;
      yield chunk(tokenAt(turn, i));
      const gap = performance.now() - emitted;
      stats.apiMs += gap;
      if (gap > stats.apiMaxMs) stats.apiMaxMs = gap;
    }
    const seconds = (stats.lastEmit - stats.scheduleStart) / 1000;
    yield chunk(null, finish);
    yield {
      ...chunk(null),
      choices: [],
      usage: {
        prompt_tokens: promptMessages * 20,
        completion_tokens: stats.tokens,
        total_tokens: promptMessages * 20 + stats.tokens,
        extra: {
          e2e_latency_s: seconds,
          prefill_tokens_per_s: 1000,
          decode_tokens_per_s: stats.tokens / seconds,
          time_to_first_token_s: period / 1000,
          time_per_output_token_s: seconds / Math.max(1, stats.tokens),
        },
      },
    };
  }
}

/** The worker API's dependencies around a fixed-rate engine (no web-llm at run time). */
export function benchDeps(engine: FixedRateEngine): LlmWorkerDeps {
  return {
    createEngine: () => engine,
    prebuiltAppConfig: BENCH_APP_CONFIG,
    hasModelInCache: async () => true,
    deleteModelInCache: async () => undefined,
    deleteChatConfigInCache: async () => undefined,
    deleteModelWasmInCache: async () => undefined,
    hasInCache: async () => true,
    gatherDeviceReport: async () => ({ webgpu: false, reason: 'benchmark', features: [], shaderF16: false }),
  };
}

export { epoch };
