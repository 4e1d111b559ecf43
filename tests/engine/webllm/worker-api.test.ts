import { MLCEngine } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../src/engine/types.ts';
import { DEFAULT_CUSTOM_CONTEXT_TOKENS, type CatalogModel, type LoadProgress } from '../../../src/engine/webllm/protocol.ts';
import { createLlmWorkerApi, toWebLlmRequest, type LlmWorkerDeps } from '../../../src/engine/webllm/worker-api.ts';
import { TOOL_RESULT_AS_USER_PREFIX } from '../../../src/engine/tool-support.ts';
import { APP_CONFIG, FakeMLCEngine, fakeChatConfig, namedError, rejection } from './fake-engine.ts';
import { FakeWebLlmCache } from './fake-cache.ts';

const QWEN = 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC';

function setup(over: Partial<LlmWorkerDeps> = {}) {
  const engine = new FakeMLCEngine();
  let clock = 0;
  const cache = new FakeWebLlmCache(APP_CONFIG);
  const api = createLlmWorkerApi({
    createEngine: () => engine,
    prebuiltAppConfig: APP_CONFIG,
    ...cache.deps(),
    gatherDeviceReport: async () => ({ webgpu: false, reason: 'none here', features: [], shaderF16: false }),
    now: () => clock,
    ...over,
  });
  // deleted: every delete helper called, "name id".
  return { api, engine, cache, deleted: cache.calls, tick: (ms: number) => (clock += ms) };
}

const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  model: QWEN,
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Say hello.' },
  ],
  sampling: { temperature: 0.7, top_p: 0.9, max_tokens: 64, seed: 42, frequency_penalty: 0.1, presence_penalty: 0.2, repetition_penalty: 1.05 },
  ...over,
});


describe('worker API: load', () => {
  it('reports progress in phases, in order, with bytes and shard counts', async () => {
    const { api } = setup();
    const seen: LoadProgress[] = [];
    await api.load(QWEN, null, (p) => seen.push(p));
    const phases = seen.map((p) => p.phase).filter((p, i, a) => a[i - 1] !== p);
    expect(phases).toEqual(['fetching', 'cache', 'shaders', 'ready']);
    const fetch = seen.find((p) => p.text.startsWith('Fetching param cache[1/3]'))!;
    expect(fetch).toMatchObject({ phase: 'fetching', step: 1, steps: 3, loadedBytes: 100 * 1024 * 1024 });
    expect(fetch.totalBytes).toBeCloseTo((100 * 1024 * 1024) / 0.3333, -3);
    expect(seen.at(-1)).toMatchObject({ phase: 'ready', fraction: 1 });
    expect(await api.loaded()).toBe(QWEN);
  });

  it('sends a ready report even when web-llm sent none', async () => {
    const { api, engine } = setup();
    engine.onReload = async () => undefined;
    const seen: LoadProgress[] = [];
    await api.load(QWEN, null, (p) => seen.push(p));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.phase).toBe('ready');
  });

  it('merges custom records into the app config', async () => {
    const { api, engine } = setup();
    const custom: CatalogModel = {
      modelId: 'Mirror-Qwen-0.5B-q4f32_1-MLC',
      modelUrl: 'https://models.example.org/qwen/',
      modelLibUrl: 'https://libs.example.org/qwen.wasm',
      requiredFeatures: [],
      vramRequiredMB: 1000,
      custom: true,
    };
    await api.load(custom.modelId, [custom], undefined);
    const record = engine.appConfig!.model_list.find((r) => r.model_id === custom.modelId);
    expect(record).toMatchObject({ model: custom.modelUrl, model_lib: custom.modelLibUrl, vram_required_MB: 1000 });
    expect(engine.appConfig!.model_list.length).toBe(APP_CONFIG.model_list.length + 1);
    expect(engine.calls).toContain(`reload:${custom.modelId}`);
  });

  it('rejects a custom model whose URL is not absolute http(s)', async () => {
    const { api } = setup();
    const bad: CatalogModel = { modelId: 'x', modelUrl: 'models/qwen', modelLibUrl: 'https://l/x.wasm', requiredFeatures: [], custom: true };
    const e = await rejection(api.load('x', [bad]));
    expect(e.name).toBe('InvalidCustomModelError');
    expect(e.message).toMatch(/absolute http\(s\) URL/);
    const ftp = await rejection(api.catalog([{ ...bad, modelUrl: 'ftp://host/x/' }]));
    expect(ftp.message).toMatch(/http or https/);
  });

  it('names the host when the model host cannot be reached', async () => {
    const { api, engine } = setup();
    engine.onReload = async () => {
      throw new TypeError('Failed to fetch');
    };
    const e = await rejection(api.load(QWEN, null));
    expect(e.name).toBe('NetworkError');
    expect(e.message).toContain('huggingface.co');
    expect(e.message).toContain(QWEN);
    expect(e.message).toMatch(/self-hosted mirror/);
    expect(await api.loaded()).toBeNull();
  });

  it('maps device loss, quota, shader-f16 and HTML answers to named errors', async () => {
    const { api, engine } = setup();
    engine.onReload = async () => {
      throw namedError('DeviceLostError', 'The WebGPU device was lost while loading the model.');
    };
    expect((await rejection(api.load(QWEN, null))).name).toBe('EngineLostError');

    engine.onReload = async () => {
      throw new DOMException('Quota exceeded.', 'QuotaExceededError');
    };
    const quota = await rejection(api.load(QWEN, null));
    expect(quota.name).toBe('QuotaExceededError');
    expect(quota.message).toMatch(/Delete cached models/);

    engine.onReload = async () => {
      throw namedError('ShaderF16SupportError', 'This model requires WebGPU extension shader-f16, which is not enabled in this browser.');
    };
    const f16 = await rejection(api.load('SmolLM2-360M-Instruct-q4f16_1-MLC', null));
    expect(f16.name).toBe('ShaderF16MissingError');
    expect(f16.message).toContain('SmolLM2-360M-Instruct-q4f32_1-MLC');

    engine.onReload = async () => {
      throw new SyntaxError(`Unexpected token '<', "<!DOCTYPE "... is not valid JSON`);
    };
    const html = await rejection(api.load(QWEN, null));
    expect(html.name).toBe('ModelLoadError');
    expect(html.message).toMatch(/HTML page/);

    expect((await rejection(api.load('No-Such-Model', null))).name).toBe('ModelLoadError');
  });

  it('ends a load overtaken by unload() with AbortError', async () => {
    const { api, engine } = setup();
    let release!: () => void;
    engine.onReload = () => new Promise<void>((r) => (release = r));
    const loading = api.load(QWEN, null);
    await Promise.resolve();
    await api.unload();
    release();
    expect((await rejection(loading)).name).toBe('AbortError');
    expect(await api.loaded()).toBeNull();
  });
});

describe('worker API: complete', () => {
  it('refuses before a model is loaded', async () => {
    const { api } = setup();
    expect((await rejection(api.complete(request()))).name).toBe('ModelNotLoadedError');
  });

  it('sends every sampling field explicitly and asks for usage', async () => {
    const { api, engine } = setup();
    await api.load(QWEN, null);
    await api.complete(request({ responseFormat: { type: 'json_object', schema: '{"type":"object"}' } }));
    const sent = engine.requests[0]!;
    expect(sent).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 64,
      seed: 42,
      frequency_penalty: 0.1,
      presence_penalty: 0.2,
      repetition_penalty: 1.05,
      response_format: { type: 'json_object', schema: '{"type":"object"}' },
      model: QWEN,
    });
    expect(sent.messages).toEqual(request().messages);
    await api.complete(request({ responseFormat: { type: 'grammar', grammar: 'main ::= "yes" | "no"' } }));
    expect(engine.requests[1]!.response_format).toEqual({ type: 'grammar', grammar: 'main ::= "yes" | "no"' });
    await api.complete(request({ responseFormat: { type: 'text' } }));
    expect(engine.requests[2]!.response_format).toBeUndefined();
  });

  it('returns content, finish reason and usage in ms', async () => {
    const { api } = setup();
    await api.load(QWEN, null);
    const r = await api.complete(request());
    expect(r.content).toBe('Hello, world!');
    expect(r.finishReason).toBe('stop');
    expect(r.usage).toEqual({
      promptTokens: 12,
      completionTokens: 5,
      prefillTokensPerSecond: 300,
      decodeTokensPerSecond: 40,
      timeToFirstTokenMs: 250,
      e2eLatencyMs: 1500,
    });
  });

  it('streams in batches: fewer callbacks than tokens, nothing lost or reordered', async () => {
    const { api, engine, tick } = setup({ flushIntervalMs: 30, flushChars: 1000 });
    engine.tokens = Array.from({ length: 40 }, (_, i) => `t${i} `);
    engine.beforeToken = () => void tick(10);
    await api.load(QWEN, null);
    const deltas: string[] = [];
    const r = await api.complete(request(), (t) => void deltas.push(t));
    expect(deltas.join('')).toBe(engine.tokens.join(''));
    expect(r.content).toBe(engine.tokens.join(''));
    expect(deltas.length).toBeLessThan(engine.tokens.length / 2);
    expect(deltas.length).toBeGreaterThan(5);
  });

  it('also flushes on size when tokens come fast', async () => {
    const { api, engine } = setup({ flushIntervalMs: 1e9, flushChars: 8 });
    engine.tokens = 'abcdefghijklmnopqrstuvwxyz'.split('');
    await api.load(QWEN, null);
    const deltas: string[] = [];
    await api.complete(request(), (t) => void deltas.push(t));
    expect(deltas).toEqual(['abcdefgh', 'ijklmnop', 'qrstuvwx', 'yz']);
  });

  it('waits for the page to take the last deltas before resolving', async () => {
    const { api } = setup();
    await api.load(QWEN, null);
    let taken = '';
    const r = await api.complete(request(), async (t) => {
      await new Promise((res) => setTimeout(res, 5));
      taken += t;
    });
    expect(taken).toBe(r.content);
  });

  it('abort stops generation with finishReason abort and the text so far', async () => {
    const { api, engine } = setup({ flushChars: 1 });
    engine.tokens = ['a', 'b', 'c', 'd', 'e', 'f'];
    await api.load(QWEN, null);
    const deltas: string[] = [];
    const r = await api.complete(request(), (t) => {
      deltas.push(t);
      if (deltas.length === 2) void api.abort();
    });
    expect(engine.calls).toContain('interrupt');
    expect(r.finishReason).toBe('abort');
    expect(r.content.length).toBeLessThan(6);
    expect(deltas.join('')).toBe(r.content);
  });

  it('an abort during prefill still stops the request', async () => {
    const { api, engine } = setup();
    engine.tokens = ['a', 'b', 'c', 'd'];
    let startPrefill!: () => void;
    const prefillStarted = new Promise<void>((r) => (startPrefill = r));
    let endPrefill!: () => void;
    engine.prefill = () => {
      startPrefill();
      return new Promise<void>((r) => (endPrefill = r));
    };
    await api.load(QWEN, null);
    const done = api.complete(request());
    await prefillStarted;
    await api.abort();
    endPrefill();
    const r = await done;
    expect(r.finishReason).toBe('abort');
    expect(r.content).toBe('a');
  });

  it('calls resetChat first only when the request asks', async () => {
    const { api, engine } = setup();
    await api.load(QWEN, null);
    await api.complete(request());
    expect(engine.calls).not.toContain('resetChat');
    await api.complete(request({ resetChat: true }));
    const i = engine.calls.indexOf('resetChat');
    expect(i).toBeGreaterThan(-1);
    expect(engine.calls[i + 1]).toBe('create');
  });

  it('turns a device lost mid-stream into EngineLostError, keeping delivered text', async () => {
    const { api, engine } = setup({ flushChars: 1 });
    engine.beforeToken = (i) => {
      if (i === 2) throw namedError('Error', 'GPU device was lost: reason unknown');
    };
    await api.load(QWEN, null);
    const deltas: string[] = [];
    const e = await rejection(api.complete(request(), (t) => void deltas.push(t)));
    expect(e.name).toBe('EngineLostError');
    expect(deltas.join('')).toBe('Hello,');
  });

  it('keeps web-llm error names that say what went wrong', async () => {
    const { api, engine } = setup();
    engine.prefill = () => {
      throw namedError('ContextWindowSizeExceededError', 'Prompt tokens exceed context window size.');
    };
    await api.load(QWEN, null);
    expect((await rejection(api.complete(request()))).name).toBe('ContextWindowSizeExceededError');
  });

  it('says a prompt did not fit the window, how large it is, and where it is set', async () => {
    const { api, engine } = setup();
    engine.prefill = () => {
      // web-llm 0.2.86's own text (ContextWindowSizeExceededError).
      throw namedError(
        'ContextWindowSizeExceededError',
        'Prompt tokens exceed context window size: number of prompt tokens: 5012; context window size: 4096\nConsider shortening the prompt, or increase `context_window_size`, or using sliding window via `sliding_window_size`.',
      );
    };
    await api.load(QWEN, null);
    const e = await rejection(api.complete(request()));
    expect(e.name).toBe('ContextWindowSizeExceededError');
    expect(e.message).toMatch(/did not fit the 4096-token context window of Qwen2\.5-0\.5B/);
    expect(e.message).toContain('5012');
    expect(e.message).toMatch(/context size .* Models page/);
    // The model stays loaded: the next, shorter request may go on.
    expect(await api.loaded()).toBe(QWEN);
  });

  it('refuses a request for another model than the loaded one', async () => {
    const { api } = setup();
    await api.load(QWEN, null);
    expect((await rejection(api.complete(request({ model: 'Llama-3.2-1B-Instruct-q4f32_1-MLC' })))).name).toBe('ModelNotLoadedError');
  });
});

describe('worker API: catalog, cache, device', () => {
  it('lists chat models only, smallest first, with size and quantisation', async () => {
    const { api } = setup();
    const list = await api.catalog(null);
    expect(list.map((m) => m.modelId)).toEqual([
      'SmolLM2-360M-Instruct-q4f16_1-MLC',
      'SmolLM2-360M-Instruct-q4f32_1-MLC',
      QWEN,
      'Llama-3.2-1B-Instruct-q4f32_1-MLC',
      'Phi-3.5-mini-instruct-q4f16_1-MLC',
      'Hermes-2-Pro-Llama-3-8B-q4f16_1-MLC',
    ]);
    expect(list[0]).toMatchObject({ paramsB: 0.36, quantization: 'q4f16_1', requiredFeatures: ['shader-f16'], custom: false });
    expect(list.at(-1)!.paramsB).toBe(8);
  });

  it('reports and deletes cached models, unloading a deleted loaded one', async () => {
    const { api, cache, engine } = setup();
    cache.download(QWEN);
    const status = await api.cacheStatus([QWEN, 'Llama-3.2-1B-Instruct-q4f32_1-MLC'], null);
    expect(status[QWEN]).toMatchObject({ cached: true, weights: true, library: true, config: true });
    expect(status['Llama-3.2-1B-Instruct-q4f32_1-MLC']).toMatchObject({ cached: false, weights: false });
    await api.load(QWEN, null);
    await api.deleteModel(QWEN, null);
    expect(cache.calls).toEqual([`deleteModelInCache ${QWEN}`, `deleteChatConfigInCache ${QWEN}`, `deleteModelWasmInCache ${QWEN}`]);
    expect(engine.calls).toContain('unload');
    expect(await api.loaded()).toBeNull();
    expect((await api.cacheStatus([QWEN], null))[QWEN]).toMatchObject({ cached: false, weights: false, library: false, config: false });
  });

  it('passes the device report through', async () => {
    const { api } = setup();
    expect(await api.deviceReport()).toMatchObject({ webgpu: false, shaderF16: false });
  });
});

describe('worker API: tool messages, native tools and constrained calls', () => {
  const HERMES = 'Hermes-2-Pro-Llama-3-8B-q4f16_1-MLC';
  const LLAMA = 'Llama-3.2-1B-Instruct-q4f32_1-MLC';
  const withTool: ChatRequest['messages'] = [
    { role: 'system', content: 'You are an agent.' },
    { role: 'user', content: 'A1?' },
    { role: 'assistant', content: '<tool_call>{"name": "get_account", "arguments": {"account_id": "A1"}}</tool_call>' },
    { role: 'tool', content: '<tool_result name="get_account">\n{"plan":"basic"}\n</tool_result>', tool_call_id: 't1-0' },
  ];

  it('sends tool messages as tool messages where the template has a tool role', async () => {
    const { api, engine } = setup();
    engine.templateHasToolRole = true;
    await api.load(LLAMA, null);
    await api.complete(request({ model: LLAMA, messages: withTool, toolRole: 'native' }));
    expect(engine.requests[0]!.messages.at(-1)).toEqual({ role: 'tool', content: withTool[3]!.content, tool_call_id: 't1-0' });
  });

  it('maps them to user messages for a template without one, which web-llm would refuse', async () => {
    const { api, engine } = setup();
    await api.load(QWEN, null);
    // What happens without the mapping: web-llm's own error.
    expect((await rejection(api.complete(request({ messages: withTool, toolRole: 'native' })))).message).toContain('Role is not supported: tool');
    const r = await api.complete(request({ messages: withTool, toolRole: 'user' }));
    expect(r.content).toBe('Hello, world!');
    const sent = engine.requests.at(-1)!.messages;
    expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(sent[3]!.content).toBe(`${TOOL_RESULT_AS_USER_PREFIX}\n${withTool[3]!.content}`);
  });

  it('constrains calls with a structural tag', async () => {
    const { api, engine } = setup();
    await api.load(QWEN, null);
    const format = { type: 'tool_call_tags' as const, trigger: '<tool_call>', grammar: 'root ::= "<tool_call>"', structuralTag: '{"type":"structural_tag","format":{"type":"triggered_tags","triggers":["<tool_call>"],"tags":[]}}' };
    await api.complete(request({ responseFormat: format }));
    expect(engine.requests[0]!.response_format).toEqual({ type: 'structural_tag', structural_tag: format.structuralTag });
  });

  it('with native tools: sends them in OpenAI form, moves the system prompt, and returns the calls web-llm read', async () => {
    const { api, engine } = setup();
    engine.templateHasToolRole = true;
    engine.tokens = ['[{"name": "get_account", ', '"arguments": {"account_id": "A1"}}]'];
    await api.load(HERMES, null);
    const tools = [{ name: 'get_account', description: 'Look up an account.', parameters: { type: 'object', properties: { account_id: { type: 'string' } } } }];
    const deltas: string[] = [];
    const r = await api.complete(request({ model: HERMES, tools, toolRole: 'native' }), (d) => void deltas.push(d));
    expect(r.finishReason).toBe('tool_calls');
    expect(r.toolCalls).toEqual([{ name: 'get_account', arguments: '{"account_id":"A1"}' }]);
    expect(r.content).toBe(engine.tokens.join(''));
    expect(deltas.join('')).toBe(r.content);
    const sent = engine.requests[0]!;
    expect(sent.tools).toEqual([{ type: 'function', function: tools[0] }]);
    // web-llm forbids a custom system prompt with tools: ours opens the first user message.
    expect(sent.messages).toEqual([{ role: 'user', content: 'You are terse.\n\nSay hello.' }]);
  });

  it('hands back the text when web-llm cannot read the output as calls', async () => {
    const { api, engine } = setup();
    engine.tokens = ['I will look that up.'];
    await api.load(HERMES, null);
    const r = await api.complete(request({ model: HERMES, tools: [{ name: 'x', description: 'x', parameters: { type: 'object' } }] }));
    expect(r).toMatchObject({ content: 'I will look that up.', finishReason: 'stop' });
    expect(r.toolCalls).toBeUndefined();
  });

  it('native tools on a model without them fail with web-llm\'s error name', async () => {
    const { api } = setup();
    await api.load(QWEN, null);
    const e = await rejection(api.complete(request({ tools: [{ name: 'x', description: 'x', parameters: { type: 'object' } }] })));
    expect(e.name).toBe('UnsupportedModelIdError');
  });
});

describe('worker API: context size at load', () => {
  const LLAMA = 'Llama-3.2-1B-Instruct-q4f32_1-MLC';
  const custom: CatalogModel = {
    modelId: 'Mirror-Qwen3-0.6B-q4f16_1-MLC',
    modelUrl: 'https://models.example.org/qwen3/',
    modelLibUrl: 'https://libs.example.org/qwen3.wasm',
    requiredFeatures: [],
    custom: true,
  };

  it('a catalog model with no size keeps its record\'s overrides: no chat options', async () => {
    const { api, engine } = setup();
    await api.load(QWEN, null);
    expect(engine.reloadOptions).toEqual([undefined]);
    expect((await api.modelInfo())!.contextWindowSize).toBe(4096);
  });

  it('a size given goes to reload() as chat options, with the sliding window off', async () => {
    const { api, engine } = setup();
    await api.load(QWEN, null, undefined, { contextWindowSize: 8192 });
    expect(engine.reloadOptions).toEqual([{ context_window_size: 8192, sliding_window_size: -1 }]);
    expect((await api.modelInfo())!.contextWindowSize).toBe(8192);
  });

  it('a custom record gets the default, or its own size, rather than its config\'s 40960', async () => {
    const { api, engine } = setup();
    await api.load(custom.modelId, [custom]);
    expect(DEFAULT_CUSTOM_CONTEXT_TOKENS).toBe(4096);
    expect(engine.reloadOptions[0]).toEqual({ context_window_size: DEFAULT_CUSTOM_CONTEXT_TOKENS, sliding_window_size: -1 });
    expect((await api.modelInfo())!.contextWindowSize).toBe(4096);
    await api.load(custom.modelId, [{ ...custom, contextWindowSize: 2048 }]);
    expect(engine.reloadOptions[1]).toEqual({ context_window_size: 2048, sliding_window_size: -1 });
    await api.load(custom.modelId, [{ ...custom, contextWindowSize: 2048 }], undefined, { contextWindowSize: 16384 });
    expect(engine.reloadOptions[2]).toEqual({ context_window_size: 16384, sliding_window_size: -1 });
  });

  it('refuses a size that is not a positive whole number, before loading anything', async () => {
    const { api, engine } = setup();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      const e = await rejection(api.load(QWEN, null, undefined, { contextWindowSize: bad }));
      expect(e.name).toBe('ModelLoadError');
      expect(e.message).toMatch(/positive whole number/);
    }
    expect(engine.calls.filter((c) => c.startsWith('reload'))).toEqual([]);
  });

  it('a sliding-window model reports its window when no size is forced', async () => {
    const { api, engine } = setup();
    engine.chatConfigFor = () => fakeChatConfig(true, { context_window_size: -1, sliding_window_size: 4096 });
    await api.load(LLAMA, null);
    expect(await api.modelInfo()).toEqual({ modelId: LLAMA, slidingWindowSize: 4096, convTemplate: 'llama-3_1', toolRole: 'native' });
  });

  it('a failed or cancelled load deletes nothing from the cache, so a retry resumes', async () => {
    const { api, engine, deleted } = setup();
    engine.onReload = async () => {
      throw new TypeError('Failed to fetch');
    };
    await rejection(api.load(QWEN, null));
    let release!: () => void;
    engine.onReload = () => new Promise<void>((r) => (release = r));
    const loading = api.load(QWEN, null);
    await Promise.resolve();
    await api.unload();
    release();
    await rejection(loading);
    expect(deleted).toEqual([]);
  });
});

describe('worker API: what was loaded (chat config)', () => {
  const LLAMA = 'Llama-3.2-1B-Instruct-q4f32_1-MLC';

  it('reads the template, the window and the tool role from the config web-llm built', async () => {
    const { api } = setup();
    expect(await api.modelInfo()).toBeNull();
    await api.load(QWEN, null);
    expect(await api.modelInfo()).toEqual({ modelId: QWEN, contextWindowSize: 4096, convTemplate: 'qwen2', toolRole: 'user' });
    await api.unload();
    expect(await api.modelInfo()).toBeNull();
  });

  it('the template decides the tool role, not the id, both ways', async () => {
    const { api, engine } = setup();
    // Llama 3.2's id suggests a tool role; this build's template has none.
    engine.chatConfigFor = () => fakeChatConfig(false);
    await api.load(LLAMA, null);
    expect((await api.modelInfo())!.toolRole).toBe('user');
    // Qwen's id suggests none; this build's template has one.
    engine.chatConfigFor = () => fakeChatConfig(true);
    await api.load(QWEN, null);
    expect((await api.modelInfo())!.toolRole).toBe('native');
  });

  it('reads roles as web-llm does: conv_config over conv_template', async () => {
    const { api, engine } = setup();
    engine.chatConfigFor = () => ({
      ...fakeChatConfig(false),
      conv_config: { roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant', tool: '<|im_start|>user' } },
    });
    await api.load(QWEN, null);
    expect((await api.modelInfo())!.toolRole).toBe('native');
  });

  it('is null when the engine keeps no chat config where we look', async () => {
    const { api, engine } = setup();
    engine.loadedModelIdToChatConfig = undefined;
    await api.load(QWEN, null);
    expect(await api.loaded()).toBe(QWEN);
    expect(await api.modelInfo()).toBeNull();
  });

  it("the installed web-llm's MLCEngine still keeps its chat configs in loadedModelIdToChatConfig", () => {
    // worker-api.ts reads the loaded model's config there (MLCEngine has no getter); if a later
    // web-llm moves it, this fails here rather than silently falling back to the id table.
    const engine = new MLCEngine() as unknown as { loadedModelIdToChatConfig?: unknown };
    expect(engine.loadedModelIdToChatConfig).toBeInstanceOf(Map);
  });
});

describe('worker API: thinking switch', () => {
  it('sends extra_body.enable_thinking only when the request decides', async () => {
    expect(toWebLlmRequest(request({ enableThinking: false }), QWEN).extra_body).toEqual({ enable_thinking: false });
    expect(toWebLlmRequest(request({ enableThinking: true }), QWEN).extra_body).toEqual({ enable_thinking: true });
    expect(toWebLlmRequest(request(), QWEN).extra_body).toBeUndefined();
    expect('extra_body' in toWebLlmRequest(request(), QWEN)).toBe(false);
    const { api, engine } = setup();
    await api.load(QWEN, null);
    await api.complete(request({ enableThinking: false }));
    expect(engine.requests[0]!.extra_body).toEqual({ enable_thinking: false });
  });
});

describe('worker API: a device lost after loading', () => {
  it("turns web-llm's ModelNotLoadedError after a successful load into EngineLostError", async () => {
    const { api, engine } = setup();
    await api.load(QWEN, null);
    await api.complete(request());
    engine.loseDevice();
    const e = await rejection(api.complete(request()));
    expect(e.name).toBe('EngineLostError');
    expect(e.message).toMatch(/device was lost after Qwen2\.5-0\.5B-Instruct-q4f32_1-MLC had loaded/);
    expect(await api.loaded()).toBeNull();
    expect(await api.modelInfo()).toBeNull();
    // Nothing loaded now, as far as we know: a further request is refused plainly.
    expect((await rejection(api.complete(request()))).name).toBe('ModelNotLoadedError');
  });
});
