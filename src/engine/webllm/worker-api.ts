/**
 * The LlmWorkerApi around one MLCEngine. Everything web-llm-specific comes in through deps, so
 * this runs (and is tested) in Node with a fake engine; workers/llm.worker.ts wires the real one.
 * Every error leaves as an EngineError with a name the page can act on.
 */
import type {
  AppConfig,
  ChatCompletionChunk,
  ChatOptions,
  ChatCompletionMessageParam,
  ChatCompletionRequestStreaming,
  InitProgressCallback,
  ModelRecord,
  ResponseFormat as WebLlmResponseFormat,
} from '@mlc-ai/web-llm';
import { applyToolRole, webLlmToolRoleFromRoles } from '../tool-support.ts';
import {
  EngineError,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type ChatToolCall,
  type ChatUsage,
  type FinishReason,
  type ResponseFormat,
} from '../types.ts';
import { modelBaseUrl, webLlmCachesLibrary, type WebLlmCacheScope } from './cache-files.ts';
import { buildAppConfig, catalogOf, f32VariantOf, validateCustomModel } from './catalog.ts';
import { lostAfterLoad, toEngineError, type ErrorContext } from './errors.ts';
import { parseInitProgress } from './progress.ts';
import {
  DEFAULT_CUSTOM_CONTEXT_TOKENS,
  type CatalogModel,
  type DeletedFiles,
  type DeviceReport,
  type LlmWorkerApi,
  type LoadedModelInfo,
  type LoadOptions,
  type LoadPhase,
  type LoadProgress,
  type ModelCacheStatus,
} from './protocol.ts';

/** The part of MLCEngine this API uses. */
export interface MlcEngineLike {
  setAppConfig(appConfig: AppConfig): void;
  setInitProgressCallback(cb?: InitProgressCallback): void;
  reload(modelId: string, chatOpts?: ChatOptions): Promise<void>;
  unload(): Promise<void>;
  interruptGenerate(): Promise<void> | void;
  resetChat(keepStats?: boolean, modelId?: string): Promise<void>;
  chat: {
    completions: {
      create(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
    };
  };
}

export interface LlmWorkerDeps {
  /** Called once, on first need. */
  createEngine: () => MlcEngineLike;
  prebuiltAppConfig: AppConfig;
  /** web-llm's hasModelInCache: every weight shard of the model's `model` URL is cached. */
  hasModelInCache: (modelId: string, appConfig?: AppConfig) => Promise<boolean>;
  /**
   * web-llm's deleteModelInCache (weight shards and tokenizer files), deleteChatConfigInCache
   * (mlc-chat-config.json, a package manifest) and deleteModelWasmInCache (the model library):
   * the pieces of deleteModelAllInfoInCache, which deleteModel calls one by one because a
   * library or weights may serve other cached models.
   */
  deleteModelInCache: (modelId: string, appConfig?: AppConfig) => Promise<void>;
  deleteChatConfigInCache: (modelId: string, appConfig?: AppConfig) => Promise<void>;
  deleteModelWasmInCache: (modelId: string, appConfig?: AppConfig) => Promise<void>;
  /** Whether one file is in one of web-llm's cache scopes (cache-files.ts: hasInWebLlmCache). */
  hasInCache: (scope: WebLlmCacheScope, url: string, appConfig: AppConfig) => Promise<boolean>;
  gatherDeviceReport: () => Promise<DeviceReport>;
  /** Clock for delta batching (ms); performance.now by default. */
  now?: () => number;
  /** Flush streamed text at least this often (ms) … */
  flushIntervalMs?: number;
  /** … or once this many characters are waiting. */
  flushChars?: number;
}

const EMPTY_USAGE: ChatUsage = { promptTokens: 0, completionTokens: 0 };

/**
 * With native `tools`, web-llm writes its own Hermes system prompt (listing the tools) and
 * refuses any other system message, so ours opens the first user message instead. The same
 * rewrite every request keeps a prefix-extending stream prefix-extending.
 */
function withoutSystem(messages: ChatMessage[]): ChatMessage[] {
  if (messages[0]?.role !== 'system') return messages;
  const [system, ...rest] = messages;
  const i = rest.findIndex((m) => m.role === 'user');
  if (i < 0) return [{ role: 'user', content: system!.content }, ...rest];
  const first = rest[i] as { role: 'user'; content: string };
  return [...rest.slice(0, i), { role: 'user', content: `${system!.content}\n\n${first.content}` }, ...rest.slice(i + 1)];
}

function toMessages(req: ChatRequest): ChatCompletionMessageParam[] {
  // Templates without a tool role get tool results as user messages (tool-support.ts).
  const mapped = applyToolRole(req.messages, req.toolRole);
  const messages = req.tools?.length ? withoutSystem(mapped) : mapped;
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return { role: 'user', content: m.content };
      case 'assistant':
        return { role: 'assistant', content: m.content };
      case 'tool':
        return { role: 'tool', content: m.content, tool_call_id: m.tool_call_id };
    }
  });
}

function toResponseFormat(f: ResponseFormat | undefined): WebLlmResponseFormat | undefined {
  if (!f) return undefined;
  switch (f.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return f.schema !== undefined ? { type: 'json_object', schema: f.schema } : { type: 'json_object' };
    case 'grammar':
      return { type: 'grammar', grammar: f.grammar };
    case 'tool_call_tags':
      // web-llm takes the structural tag as a JSON string or an object; the string is what
      // it caches its compiled grammar under, so the same tools reuse the same matcher.
      return { type: 'structural_tag', structural_tag: f.structuralTag };
  }
}

/**
 * The chat options of one load. A context size given, or the default a custom record gets,
 * also turns the sliding window off: web-llm refuses a config where both are positive
 * (WindowSizeConfigurationError), and a custom model's own config may set one (the catalog's
 * Mistral records override it to -1 for the same reason). Catalog models with no size given
 * get no options, so their record's `overrides` decide.
 */
export function chatOptionsFor(modelId: string, custom: CatalogModel[] | null, opts: LoadOptions | undefined): ChatOptions | undefined {
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;
  let size = opts?.contextWindowSize;
  if (size !== undefined && !valid(size)) {
    throw new EngineError('ModelLoadError', `The context size of ${modelId} must be a positive whole number of tokens (got ${String(size)}).`);
  }
  if (size === undefined) {
    const record = custom?.find((m) => m.modelId === modelId);
    if (record) size = valid(record.contextWindowSize) ? record.contextWindowSize : DEFAULT_CUSTOM_CONTEXT_TOKENS;
  }
  return size === undefined ? undefined : { context_window_size: size, sliding_window_size: -1 };
}

/**
 * The chat config web-llm built for `modelId` in reload(): mlc-chat-config.json, then the
 * record's `overrides`, then the chat options, exactly what the pipeline runs with. MLCEngine
 * keeps it in `loadedModelIdToChatConfig` (private in the typings, a plain Map at run time) and
 * offers no getter. Reading it there is the robust choice: it needs no second fetch (which could
 * fail offline or, with the IndexedDB or OPFS cache backends, miss web-llm's cache) and no copy
 * of web-llm's merge. tests/engine/webllm/worker-api.test.ts checks that the installed web-llm
 * still has the Map; if a later version moves it, this returns undefined and the page falls
 * back to the id-based table in tool-support.ts.
 */
function loadedChatConfig(engine: MlcEngineLike, modelId: string): Record<string, unknown> | undefined {
  const map = (engine as { loadedModelIdToChatConfig?: unknown }).loadedModelIdToChatConfig;
  if (!(map instanceof Map)) return undefined;
  const config: unknown = map.get(modelId);
  return typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : undefined;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const positive = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : undefined);

/** LoadedModelInfo from a chat config; null when it has no conversation template to read. */
export function modelInfoFromChatConfig(modelId: string, config: Record<string, unknown>): LoadedModelInfo | null {
  const template = config.conv_template;
  if (!isRecord(template)) return null;
  // web-llm's getConversation merges conv_config over conv_template shallowly, roles included.
  const convConfig = isRecord(config.conv_config) ? config.conv_config : {};
  const roles = 'roles' in convConfig ? convConfig.roles : template.roles;
  const info: LoadedModelInfo = { modelId, toolRole: webLlmToolRoleFromRoles(roles) };
  const ctx = positive(config.context_window_size);
  if (ctx !== undefined) info.contextWindowSize = ctx;
  const sliding = positive(config.sliding_window_size);
  if (sliding !== undefined) info.slidingWindowSize = sliding;
  const name = typeof convConfig.name === 'string' ? convConfig.name : template.name;
  if (typeof name === 'string' && name) info.convTemplate = name;
  return info;
}

/** web-llm's errors when its Hermes output cannot be read as calls: the text is read instead. */
const TOOL_OUTPUT_ERRORS = new Set(['ToolCallOutputParseError', 'ToolCallOutputInvalidTypeError', 'JSONFieldError']);

/** The streaming request web-llm gets: every sampling field explicit, usage asked for. */
export function toWebLlmRequest(req: ChatRequest, modelId: string | null): ChatCompletionRequestStreaming {
  const s = req.sampling;
  const out: ChatCompletionRequestStreaming = {
    messages: toMessages(req),
    stream: true,
    stream_options: { include_usage: true },
    temperature: s.temperature,
    top_p: s.top_p,
    max_tokens: s.max_tokens,
    seed: Math.trunc(s.seed),
    frequency_penalty: s.frequency_penalty,
    presence_penalty: s.presence_penalty,
  };
  if (s.repetition_penalty !== undefined) out.repetition_penalty = s.repetition_penalty;
  const rf = toResponseFormat(req.responseFormat);
  if (rf) out.response_format = rf;
  if (req.tools?.length) {
    out.tools = req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  }
  if (modelId) out.model = modelId;
  // web-llm reads the switch from extra_body only (ChatCompletionRequestBase.extra_body); send
  // it only when the request decides, so other models keep their prompt untouched.
  if (typeof req.enableThinking === 'boolean') out.extra_body = { enable_thinking: req.enableThinking };
  return out;
}

function toUsage(u: ChatCompletionChunk['usage'], fallbackCompletion: number): ChatUsage {
  if (!u) return { ...EMPTY_USAGE, completionTokens: fallbackCompletion };
  const usage: ChatUsage = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
  const x = u.extra;
  if (x) {
    if (Number.isFinite(x.prefill_tokens_per_s)) usage.prefillTokensPerSecond = x.prefill_tokens_per_s;
    if (Number.isFinite(x.decode_tokens_per_s)) usage.decodeTokensPerSecond = x.decode_tokens_per_s;
    if (Number.isFinite(x.time_to_first_token_s)) usage.timeToFirstTokenMs = x.time_to_first_token_s * 1000;
    if (Number.isFinite(x.e2e_latency_s)) usage.e2eLatencyMs = x.e2e_latency_s * 1000;
  }
  return usage;
}

/** Calls a callback that may be a comlink proxy (returns a promise) without letting it throw here. */
function fire<T>(cb: ((arg: T) => unknown) | undefined, arg: T): Promise<unknown> | undefined {
  if (!cb) return undefined;
  try {
    const r = cb(arg);
    return r instanceof Promise ? r.catch(() => undefined) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cache reads of one cacheStatus or deleteModel call, each file read once. A read that
 * fails (an unreadable cache, a backend that cannot be read) counts as missing: not ready to
 * use offline.
 */
function cacheReader(deps: LlmWorkerDeps, appConfig: AppConfig) {
  const memo = new Map<string, Promise<boolean>>();
  const once = (key: string, read: () => Promise<boolean>): Promise<boolean> => {
    let p = memo.get(key);
    if (!p) {
      p = (async () => {
        try {
          return await read();
        } catch {
          return false;
        }
      })();
      memo.set(key, p);
    }
    return p;
  };
  const file = (scope: WebLlmCacheScope, url: string) => once(`${scope} ${url}`, () => deps.hasInCache(scope, url, appConfig));
  return {
    file,
    /** Weights are keyed by their base URL: models sharing it share every shard. */
    weights: (r: ModelRecord) => once(`weights ${modelBaseUrl(r.model)}`, () => deps.hasModelInCache(r.model_id, appConfig)),
    library: (r: ModelRecord) => (webLlmCachesLibrary(r.model_lib) ? file('webllm/wasm', r.model_lib) : Promise.resolve(true)),
    /** reload() reads the package manifest first when the record names one, else the config. */
    config: (r: ModelRecord) => file('webllm/config', new URL(r.model_manifest ?? 'mlc-chat-config.json', modelBaseUrl(r.model)).href),
  };
}

/** Records grouped by a key, in first-seen order. */
function groupBy(records: ModelRecord[], key: (r: ModelRecord) => string): Map<string, ModelRecord[]> {
  const out = new Map<string, ModelRecord[]>();
  for (const r of records) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export function createLlmWorkerApi(deps: LlmWorkerDeps): LlmWorkerApi {
  const now = deps.now ?? (() => performance.now());
  const flushIntervalMs = deps.flushIntervalMs ?? 30;
  const flushChars = deps.flushChars ?? 64;

  let engine: MlcEngineLike | null = null;
  let loadedId: string | null = null;
  /** What the last successful load loaded, from its chat config; null when unknown. */
  let info: LoadedModelInfo | null = null;
  /** Bumped by unload/load, so a load overtaken by another call knows it was cancelled. */
  let loadGeneration = 0;
  /** Set while a completion runs; abort() flips it so a stop requested during prefill sticks. */
  let current: { aborted: boolean } | null = null;

  const getEngine = (): MlcEngineLike => (engine ??= deps.createEngine());

  function contextFor(op: ErrorContext['op'], modelId: string | undefined, appConfig: AppConfig): ErrorContext {
    const ctx: ErrorContext = { op };
    if (!modelId) return ctx;
    ctx.modelId = modelId;
    const record = appConfig.model_list.find((r) => r.model_id === modelId);
    if (record) {
      ctx.modelUrl = record.model;
      ctx.modelLibUrl = record.model_lib;
    }
    const variant = f32VariantOf(modelId, appConfig.model_list.map((r) => r.model_id));
    if (variant) ctx.f32Variant = variant;
    return ctx;
  }

  function configFor(custom: CatalogModel[] | null): AppConfig {
    for (const m of custom ?? []) {
      const problem = validateCustomModel(m);
      if (problem) throw new EngineError('InvalidCustomModelError', problem);
    }
    return buildAppConfig(deps.prebuiltAppConfig, custom);
  }

  const api: LlmWorkerApi = {
    async load(modelId, custom, onProgress, opts) {
      const appConfig = configFor(custom);
      if (!appConfig.model_list.some((r) => r.model_id === modelId)) {
        throw new EngineError('ModelLoadError', `Unknown model id ${modelId}: it is neither in web-llm's catalog nor a custom model.`);
      }
      const chatOpts = chatOptionsFor(modelId, custom, opts);
      const ctx = contextFor('load', modelId, appConfig);
      const generation = ++loadGeneration;
      loadedId = null;
      info = null;
      let phase: LoadPhase | undefined;
      let sawReady = false;
      // As with deltas: progress travels on the callback's own port, so wait for it to land
      // before the load resolves, or the page could see "ready" after the load ended.
      const pending: Promise<unknown>[] = [];
      const report = (p: LoadProgress) => {
        const r = fire(onProgress, p);
        if (r) pending.push(r);
      };
      const eng = getEngine();
      try {
        eng.setAppConfig(appConfig);
        eng.setInitProgressCallback((r) => {
          if (generation !== loadGeneration) return;
          const p = parseInitProgress(r, phase);
          phase = p.phase;
          if (p.phase === 'ready') sawReady = true;
          report(p);
        });
        // A failed or cancelled load deletes nothing: web-llm caches each weight shard whole
        // (Cache.add per file) as it arrives and skips cached ones, so a retry resumes where
        // this one stopped. Only deleteModel (the Models page's Delete) clears the cache.
        await (chatOpts ? eng.reload(modelId, chatOpts) : eng.reload(modelId));
      } catch (err) {
        throw toEngineError(err, ctx);
      } finally {
        eng.setInitProgressCallback(undefined);
      }
      // web-llm's reload() returns quietly when unload() aborted it.
      if (generation !== loadGeneration) throw new EngineError('AbortError', `Loading ${modelId} was cancelled.`);
      loadedId = modelId;
      const config = loadedChatConfig(eng, modelId);
      info = config ? modelInfoFromChatConfig(modelId, config) : null;
      if (!sawReady) {
        const done: LoadProgress = { phase: 'ready', fraction: 1, elapsedSeconds: 0, text: `Loaded ${modelId}` };
        report(done);
      }
      await Promise.all(pending);
    },

    async modelInfo() {
      return info && info.modelId === loadedId ? { ...info } : null;
    },

    async unload() {
      loadGeneration++;
      loadedId = null;
      info = null;
      if (!engine) return;
      try {
        await engine.unload();
      } catch (err) {
        throw toEngineError(err, { op: 'unload' });
      }
    },

    async complete(request, onDelta) {
      if (loadedId === null) {
        throw new EngineError('ModelNotLoadedError', 'No model is loaded in this engine: load one before asking it to complete.');
      }
      if (request.model && request.model !== loadedId) {
        throw new EngineError('ModelNotLoadedError', `${request.model} is not loaded in this engine (${loadedId} is).`);
      }
      const eng = getEngine();
      const run = { aborted: false };
      current = run;
      const pending: Promise<unknown>[] = [];
      let content = '';
      let buffer = '';
      let lastFlush = now();
      let finish: FinishReason | null = null;
      let usage: ChatCompletionChunk['usage'];
      let toolCalls: ChatToolCall[] | undefined;
      let deltas = 0;
      const flush = () => {
        if (!buffer) return;
        const p = fire(onDelta, buffer);
        if (p) pending.push(p);
        buffer = '';
        lastFlush = now();
      };
      try {
        if (request.resetChat) await eng.resetChat();
        if (!run.aborted) {
          const stream = await eng.chat.completions.create(toWebLlmRequest(request, loadedId));
          // web-llm clears its interrupt flag when the generator starts (after create() has
          // returned), so a stop asked for before then is raised again at the first chunk.
          let reraised = false;
          for await (const chunk of stream) {
            if (run.aborted && !reraised) {
              reraised = true;
              await eng.interruptGenerate();
            }
            const choice = chunk.choices[0];
            const text = choice?.delta?.content;
            if (text) {
              content += text;
              buffer += text;
              deltas++;
              if (buffer.length >= flushChars || now() - lastFlush >= flushIntervalMs) flush();
            }
            const calls = choice?.delta?.tool_calls;
            if (calls) {
              toolCalls = calls.map((c) => ({
                ...(c.id !== undefined ? { id: c.id } : {}),
                name: c.function?.name ?? '',
                arguments: c.function?.arguments ?? '',
              }));
            }
            if (choice?.finish_reason) finish = choice.finish_reason;
            if (chunk.usage) usage = chunk.usage;
          }
        }
        flush();
      } catch (err) {
        flush();
        // The Hermes output was not a readable list of calls: hand back the text, which the
        // agent reads with its tolerant parser, rather than failing the turn.
        const name = (err as { name?: unknown } | null)?.name;
        if (request.tools?.length && typeof name === 'string' && TOOL_OUTPUT_ERRORS.has(name)) {
          return { content, finishReason: 'stop', usage: toUsage(usage, deltas) } satisfies ChatResult;
        }
        // web-llm unloads itself when the device is lost after a load and only logs it; our
        // model was loaded, so "not loaded" now means the engine is gone.
        if (name === 'ModelNotLoadedError' && loadedId !== null) {
          const lost = loadedId;
          loadedId = null;
          info = null;
          throw lostAfterLoad(lost, err instanceof Error ? err.message : undefined);
        }
        throw toEngineError(err, { op: 'complete', modelId: loadedId ?? request.model });
      } finally {
        if (current === run) current = null;
        // The result travels on comlink's main port, deltas on the callback's own port: wait
        // until the page has taken every delta, so none arrives after the result.
        await Promise.all(pending);
      }
      return {
        content,
        finishReason: finish ?? (run.aborted ? 'abort' : 'stop'),
        usage: toUsage(usage, deltas),
        ...(toolCalls ? { toolCalls } : {}),
      } satisfies ChatResult;
    },

    async abort() {
      if (current) current.aborted = true;
      if (!engine) return;
      try {
        await engine.interruptGenerate();
      } catch (err) {
        throw toEngineError(err, { op: 'complete' });
      }
    },

    async catalog(custom) {
      for (const m of custom ?? []) {
        const problem = validateCustomModel(m);
        if (problem) throw new EngineError('InvalidCustomModelError', problem);
      }
      return catalogOf(deps.prebuiltAppConfig, custom);
    },

    async cacheStatus(modelIds, custom) {
      const appConfig = configFor(custom);
      const records = appConfig.model_list;
      const read = cacheReader(deps, appConfig);
      const baseOf = new Map(records.map((r) => [r, modelBaseUrl(r.model)]));
      const out: Record<string, ModelCacheStatus> = {};
      for (const id of modelIds) {
        const r = records.find((x) => x.model_id === id);
        if (!r) {
          // An unknown id has nothing cached that it could load.
          out[id] = { cached: false, weights: false, library: false, config: false, weightsSharedWith: [], librarySharedWith: [] };
          continue;
        }
        const [weights, library, config] = await Promise.all([read.weights(r), read.library(r), read.config(r)]);
        const base = baseOf.get(r);
        const others = records.filter((o) => o.model_id !== id);
        const librarySharedWith: string[] = [];
        for (const o of others) if (o.model_lib === r.model_lib && (await read.weights(o))) librarySharedWith.push(o.model_id);
        out[id] = {
          // hasModelInCache alone says nothing of the library or the config, without which
          // the model cannot load offline.
          cached: weights && library && config,
          weights,
          library,
          config,
          weightsSharedWith: weights ? others.filter((o) => baseOf.get(o) === base).map((o) => o.model_id) : [],
          librarySharedWith,
        };
      }
      return out;
    },

    async deleteModel(modelId, custom, opts) {
      const appConfig = configFor(custom);
      const ids = [...new Set([modelId, ...(opts?.alsoDelete ?? [])])];
      const records = ids.map((id) => {
        const r = appConfig.model_list.find((x) => x.model_id === id);
        if (!r) throw new EngineError('ModelNotFoundError', `Unknown model id ${id}: it is neither in web-llm's catalog nor a custom model.`);
        return r;
      });
      const deleting = new Set(ids);
      if (loadedId !== null && deleting.has(loadedId)) await api.unload();
      const read = cacheReader(deps, appConfig);
      /**
       * Cached models outside this deletion that use a file, by their record. Read before
       * anything is deleted: weights are removed only when no such model shares them, so a
       * model counted here keeps its weights.
       */
      const users = async (uses: (o: ModelRecord) => boolean) => {
        const out: string[] = [];
        for (const o of appConfig.model_list) {
          if (!deleting.has(o.model_id) && uses(o) && (await read.weights(o))) out.push(o.model_id);
        }
        return out;
      };
      const files: DeletedFiles[] = [];
      try {
        // Weights, tokenizer and config all lie under the model URL. A model that shares it
        // (a -1k/4k pair) is cached exactly when this one is, so it keeps them all.
        for (const [base, group] of groupBy(records, (r) => modelBaseUrl(r.model))) {
          const first = group[0]!;
          const keptFor = await users((o) => modelBaseUrl(o.model) === base);
          if (!keptFor.length) {
            // web-llm's deleteModelInCache reads tensor-cache.json first, from the network when
            // it is not cached; without it no shard can have been cached either.
            if (await read.file('webllm/model', new URL('tensor-cache.json', base).href)) await deps.deleteModelInCache(first.model_id, appConfig);
            await deps.deleteChatConfigInCache(first.model_id, appConfig);
          }
          files.push({ kind: 'weights', url: base, usedBy: group.map((r) => r.model_id), removed: !keptFor.length, keptFor });
        }
        // The library stays while another cached model's record names the same URL.
        for (const [lib, group] of groupBy(records, (r) => r.model_lib)) {
          if (!webLlmCachesLibrary(lib)) continue;
          const keptFor = await users((o) => o.model_lib === lib);
          if (!keptFor.length) await deps.deleteModelWasmInCache(group[0]!.model_id, appConfig);
          files.push({ kind: 'library', url: lib, usedBy: group.map((r) => r.model_id), removed: !keptFor.length, keptFor });
        }
      } catch (err) {
        throw toEngineError(err, contextFor('delete', modelId, appConfig));
      }
      return { deleted: ids, files };
    },

    async deviceReport() {
      try {
        return await deps.gatherDeviceReport();
      } catch (err) {
        throw toEngineError(err, { op: 'device' });
      }
    },

    async loaded() {
      return loadedId;
    },
  };
  return api;
}
