/**
 * A fake MLCEngine for the worker API tests: the methods the API uses, with web-llm's progress
 * texts and streaming chunk shapes, and switches to make each step fail or wait.
 */
import { functionCallingModelIds, type AppConfig, type ChatCompletionChunk, type ChatCompletionRequestStreaming, type ChatOptions, type InitProgressCallback } from '@mlc-ai/web-llm';
import type { MlcEngineLike } from '../../../src/engine/webllm/worker-api.ts';
import { EngineError } from '../../../src/engine/types.ts';
import { expect } from 'vitest';

export const HF = 'https://huggingface.co/mlc-ai/';
export const LIBS = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/';

/** A few real catalog records (0.2.86), plus an embedding and a VLM model to leave out. */
export const APP_CONFIG: AppConfig = {
  cacheBackend: 'cache',
  model_list: [
    { model: `${HF}Qwen2.5-0.5B-Instruct-q4f32_1-MLC`, model_id: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', model_lib: `${LIBS}Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm`, vram_required_MB: 1060.2, low_resource_required: true, overrides: { context_window_size: 4096 } },
    { model: `${HF}SmolLM2-360M-Instruct-q4f16_1-MLC`, model_id: 'SmolLM2-360M-Instruct-q4f16_1-MLC', model_lib: `${LIBS}SmolLM2-360M-Instruct-q4f16_1_cs1k-webgpu.wasm`, vram_required_MB: 376.06, low_resource_required: true, required_features: ['shader-f16'] },
    { model: `${HF}SmolLM2-360M-Instruct-q4f32_1-MLC`, model_id: 'SmolLM2-360M-Instruct-q4f32_1-MLC', model_lib: `${LIBS}SmolLM2-360M-Instruct-q4f32_1_cs1k-webgpu.wasm`, vram_required_MB: 579.61, low_resource_required: true },
    { model: `${HF}Phi-3.5-mini-instruct-q4f16_1-MLC`, model_id: 'Phi-3.5-mini-instruct-q4f16_1-MLC', model_lib: `${LIBS}Phi-3.5-mini-instruct-q4f16_1_cs1k-webgpu.wasm`, vram_required_MB: 3672.07, low_resource_required: false },
    { model: `${HF}Llama-3.2-1B-Instruct-q4f32_1-MLC`, model_id: 'Llama-3.2-1B-Instruct-q4f32_1-MLC', model_lib: `${LIBS}Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm`, vram_required_MB: 1128.82, low_resource_required: true },
    { model: `${HF}Hermes-2-Pro-Llama-3-8B-q4f16_1-MLC`, model_id: 'Hermes-2-Pro-Llama-3-8B-q4f16_1-MLC', model_lib: `${LIBS}Llama-3-8B-Instruct-q4f16_1_cs1k-webgpu.wasm`, vram_required_MB: 4976.13, low_resource_required: false, required_features: ['shader-f16'] },
    // ModelType: 1 embedding, 2 VLM.
    { model: `${HF}snowflake-arctic-embed-s-q0f32-MLC-b4`, model_id: 'snowflake-arctic-embed-s-q0f32-MLC-b4', model_lib: `${LIBS}snowflake.wasm`, vram_required_MB: 238.71, model_type: 1 },
    { model: `${HF}Phi-3.5-vision-instruct-q4f16_1-MLC`, model_id: 'Phi-3.5-vision-instruct-q4f16_1-MLC', model_lib: `${LIBS}phi-vision.wasm`, vram_required_MB: 4521.54, model_type: 2 },
  ],
};

/** The progress reports web-llm 0.2.86 sends while downloading a 3-shard model. */
export const DOWNLOAD_REPORTS = [
  { progress: 0, timeElapsed: 0, text: 'Start to fetch params' },
  { progress: 0.3333, timeElapsed: 1, text: 'Fetching param cache[1/3]: 100MB fetched. 33% completed, 1 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.' },
  { progress: 1, timeElapsed: 3, text: 'Fetching param cache[3/3]: 300MB fetched. 100% completed, 3 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.' },
  { progress: 0.5, timeElapsed: 4, text: 'Loading model from cache[2/3]: 200MB loaded. 66% completed, 4 secs elapsed.' },
  { progress: 0.4, timeElapsed: 5, text: 'Loading GPU shader modules[40/100]: 40% completed, 5 secs elapsed.' },
  { progress: 1, timeElapsed: 6, text: 'Loading GPU shader modules[100/100]: 100% completed, 6 secs elapsed.' },
  { progress: 1, timeElapsed: 6.2, text: 'Finish loading on WebGPU - google swiftshader' },
];

export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** The part of an mlc-chat-config.json the fake builds (real ones have many more fields). */
export interface FakeChatConfig {
  conv_template: { name?: string; roles: Record<string, string>; [k: string]: unknown };
  conv_config?: { roles?: Record<string, string>; [k: string]: unknown };
  context_window_size: number;
  sliding_window_size: number;
  [k: string]: unknown;
}

/** A Qwen-style ChatML config (no tool role) or a Llama-3.1-style one (tool role "ipython"). */
export function fakeChatConfig(toolRole: boolean, over: Partial<FakeChatConfig> = {}): FakeChatConfig {
  return {
    conv_template: toolRole
      ? { name: 'llama-3_1', roles: { user: '<|start_header_id|>user', assistant: '<|start_header_id|>assistant', tool: '<|start_header_id|>ipython' } }
      : { name: 'qwen2', roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant' }, role_templates: { user: '{user_message}', assistant: '{assistant_message}', tool: '{tool_message}' } },
    context_window_size: 40960,
    sliding_window_size: -1,
    ...over,
  };
}

const chunk = (content: string | null, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'fake',
  choices: [{ index: 0, delta: content === null ? {} : { content, role: 'assistant' }, finish_reason: finish, logprobs: null }],
});

export class FakeMLCEngine implements MlcEngineLike {
  appConfig: AppConfig | undefined;
  progress: InitProgressCallback | undefined;
  readonly calls: string[] = [];
  readonly requests: ChatCompletionRequestStreaming[] = [];
  /** What reload() does; default: send DOWNLOAD_REPORTS and succeed. */
  onReload: (modelId: string, engine: FakeMLCEngine) => Promise<void> = async () => {
    for (const r of DOWNLOAD_REPORTS) this.progress?.(r);
  };
  /** Tokens the next completion streams. */
  tokens: string[] = ['Hello', ',', ' wor', 'ld', '!'];
  /** Called before each token is produced (advance a clock, wait on a gate, throw…). */
  beforeToken: (index: number) => void | Promise<void> = () => undefined;
  /** Called once the generator starts, as web-llm's prefill. */
  prefill: () => void | Promise<void> = () => undefined;
  usage = {
    prompt_tokens: 12,
    completion_tokens: 5,
    total_tokens: 17,
    extra: { e2e_latency_s: 1.5, prefill_tokens_per_s: 300, decode_tokens_per_s: 40, time_to_first_token_s: 0.25, time_per_output_token_s: 0.025 },
  };
  /**
   * Whether the loaded model's chat template has a tool role. Without one, web-llm 0.2.86
   * throws `Role is not supported: tool` for a tool message (Conversation.appendMessage).
   */
  templateHasToolRole = false;
  /** The model's mlc-chat-config.json; default: fakeChatConfig(templateHasToolRole). */
  chatConfigFor: (modelId: string) => FakeChatConfig = () => fakeChatConfig(this.templateHasToolRole);
  /** The chat options each reload() got. */
  readonly reloadOptions: Array<ChatOptions | undefined> = [];
  /**
   * As MLCEngine: the merged chat config of each loaded model (config, then the record's
   * overrides, then chatOpts), in a private-by-typing Map. Set to undefined to play a web-llm
   * that no longer keeps it there.
   */
  loadedModelIdToChatConfig: Map<string, FakeChatConfig> | undefined = new Map();
  private interrupted = false;
  private loadedId: string | null = null;

  chat = {
    completions: {
      create: async (req: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>> => {
        this.calls.push('create');
        this.requests.push(structuredClone(req));
        this.check(req);
        return this.generate(req.tools != null);
      },
    },
  };

  /** The checks web-llm makes before generating (postInitAndCheckFields and the conversation). */
  private check(req: ChatCompletionRequestStreaming): void {
    // getLLMStates: nothing loaded (never, or unloaded after a lost device).
    if (this.loadedId === null) {
      throw namedError('ModelNotLoadedError', 'Model not loaded before trying to complete ChatCompletionRequest. Please ensure you have called MLCEngine.reload(model) to load the model before initiating APIs, or initialize your engine using CreateMLCEngine() with a valid model configuration.');
    }
    if (req.tools != null) {
      const id = req.model ?? this.loadedId ?? '';
      if (!functionCallingModelIds.includes(id)) throw namedError('UnsupportedModelIdError', `${id} is not supported for ChatCompletionRequest.tools.`);
      if (req.response_format != null) throw namedError('CustomResponseFormatError', 'When using Hermes-2-Pro function calling, the response_format cannot be customized.');
      if (req.messages.some((m) => m.role === 'system')) throw namedError('CustomSystemPromptError', 'When using Hermes-2-Pro function calling, you cannot customize the system prompt.');
    }
    // Conversation.appendMessage: `role in roles`, conv_config merged over conv_template.
    const config = this.loadedModelIdToChatConfig?.get(this.loadedId);
    const roles = config ? (config.conv_config?.roles ?? config.conv_template.roles) : undefined;
    const hasTool = roles ? 'tool' in roles : this.templateHasToolRole;
    if (!hasTool && req.messages.some((m) => m.role === 'tool')) throw new Error('Role is not supported: tool');
  }

  setAppConfig(appConfig: AppConfig): void {
    this.calls.push('setAppConfig');
    this.appConfig = appConfig;
  }
  setInitProgressCallback(cb?: InitProgressCallback): void {
    this.progress = cb;
  }
  async reload(modelId: string, chatOpts?: ChatOptions): Promise<void> {
    this.calls.push(`reload:${modelId}`);
    this.reloadOptions.push(chatOpts === undefined ? undefined : structuredClone(chatOpts));
    await this.onReload(modelId, this);
    const overrides = this.appConfig?.model_list.find((r) => r.model_id === modelId)?.overrides;
    this.loadedModelIdToChatConfig?.set(modelId, { ...this.chatConfigFor(modelId), ...overrides, ...chatOpts } as FakeChatConfig);
    this.loadedId = modelId;
  }
  async unload(): Promise<void> {
    this.calls.push('unload');
    this.loadedId = null;
    this.loadedModelIdToChatConfig?.clear();
  }
  /** What web-llm does when the device is lost after a load: logs it and unloads everything. */
  loseDevice(): void {
    this.calls.push('device-lost');
    this.loadedId = null;
    this.loadedModelIdToChatConfig?.clear();
  }
  async interruptGenerate(): Promise<void> {
    this.calls.push('interrupt');
    this.interrupted = true;
  }
  async resetChat(): Promise<void> {
    this.calls.push('resetChat');
    await Promise.resolve();
  }

  private async *generate(functionCalling: boolean): AsyncGenerator<ChatCompletionChunk> {
    // As web-llm: the interrupt flag is cleared when the generator starts.
    this.interrupted = false;
    await this.prefill();
    let finish: 'stop' | 'abort' = 'stop';
    let produced = 0;
    for (let i = 0; i < this.tokens.length; i++) {
      if (i > 0 && this.interrupted) {
        finish = 'abort';
        break;
      }
      await this.beforeToken(i);
      produced++;
      yield chunk(this.tokens[i]!);
    }
    if (functionCalling && finish === 'stop') {
      // As web-llm's makeStreamFinalChunk: the whole output is parsed as a list of calls.
      const text = this.tokens.join('');
      let list: unknown;
      try {
        list = JSON.parse(text);
      } catch (err) {
        throw namedError('ToolCallOutputParseError', `Internal error: error encountered when parsing outputMessage for function calling. Got outputMessage: ${text}\nGot error: ${String(err)}`);
      }
      if (!Array.isArray(list)) throw namedError('ToolCallOutputInvalidTypeError', 'Internal error: expect output of function calling to be an array');
      const tool_calls = list.map((c: { name: string; arguments: unknown }, index) => ({
        index,
        function: { name: c.name, arguments: JSON.stringify(c.arguments) },
        type: 'function' as const,
      }));
      yield { ...chunk(null, 'tool_calls'), choices: [{ index: 0, delta: { role: 'assistant', tool_calls }, finish_reason: 'tool_calls', logprobs: null }] };
    } else {
      yield chunk(null, finish);
    }
    yield { ...chunk(null), choices: [], usage: { ...this.usage, completion_tokens: produced } };
  }
}

/** Awaits a promise that must reject with an EngineError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected a rejection');
}
