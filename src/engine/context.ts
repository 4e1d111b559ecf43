/**
 * Context windows per model: what a model is set to, what it allows, and what the window costs
 * in GPU memory (the KV cache is allocated at the window's full size when the model loads).
 *
 * - web-llm: the catalog record's `overrides.context_window_size` (4,096 for most small models,
 *   1,024 for the `-1k` variants) unless the Models page sets another, sent as `chatOpts` at load.
 *   Custom records carry no override, so without a setting the model's own config would decide
 *   (often 32k–128k, allocated up front): they get DEFAULT_CONTEXT_TOKENS instead.
 * - llama.cpp (GGUF): `n_ctx` at load; the runtime keeps it within the window the model was
 *   trained for (`<arch>.context_length` in the header), so that is the most it allows.
 *
 * The KV cache's size per token needs the model's layers and KV heads. GGUF headers have them;
 * web-llm's catalog does not (they are in each model's config, downloaded only at load), so the
 * families in the catalog are listed here from their published configs. Pure: no engine imports.
 */
import { kvBytesPerToken, type GgufShape } from './wllama/gguf.ts';
import { DEFAULT_CUSTOM_CONTEXT_TOKENS } from './webllm/protocol.ts';

/** The window a web-llm model gets when neither its record nor the person sets one (the worker applies the same). */
export const DEFAULT_CONTEXT_TOKENS = DEFAULT_CUSTOM_CONTEXT_TOKENS;

/** GGUF models default to this, or less when the model was trained for less. */
export const DEFAULT_GGUF_CONTEXT_TOKENS = 8192;

/** The smallest window the page accepts: below it not even a judge's request fits. */
export const MIN_CONTEXT_TOKENS = 256;

/** Windows below this are too small for the agent and user seats (the `-1k` variants). */
export const MIN_SEAT_CONTEXT_TOKENS = 2048;

/** A model family's attention shape, from its published config. */
interface FamilyShape {
  layers: number;
  kvHeads: number;
  headDim: number;
  /** The longest window the model was trained (or extended) for. */
  maxContext: number;
}

/**
 * Families of web-llm's catalog, matched on the model id (first match wins). From each model's
 * Hugging Face config.json: num_hidden_layers, num_key_value_heads, head_dim (or hidden size /
 * attention heads) and max_position_embeddings.
 */
const FAMILIES: readonly [RegExp, FamilyShape][] = [
  [/^Qwen3-0\.6B/i, { layers: 28, kvHeads: 8, headDim: 128, maxContext: 40960 }],
  [/^Qwen3-1\.7B/i, { layers: 28, kvHeads: 8, headDim: 128, maxContext: 40960 }],
  [/^Qwen3-(4B|8B)/i, { layers: 36, kvHeads: 8, headDim: 128, maxContext: 40960 }],
  [/^Qwen2(\.5)?-(Coder-|Math-)?0\.5B/i, { layers: 24, kvHeads: 2, headDim: 64, maxContext: 32768 }],
  [/^(Qwen2(\.5)?-(Coder-|Math-)?1\.5B|DeepSeek-R1-Distill-Qwen-1\.5B)/i, { layers: 28, kvHeads: 2, headDim: 128, maxContext: 32768 }],
  [/^Qwen2(\.5)?-(Coder-)?3B/i, { layers: 36, kvHeads: 2, headDim: 128, maxContext: 32768 }],
  [/^(Qwen2(\.5)?-(Coder-|Math-)?7B|DeepSeek-R1-Distill-Qwen-7B)/i, { layers: 28, kvHeads: 4, headDim: 128, maxContext: 32768 }],
  [/^Llama-3\.2-1B/i, { layers: 16, kvHeads: 8, headDim: 64, maxContext: 131072 }],
  [/^Llama-3\.2-3B/i, { layers: 28, kvHeads: 8, headDim: 128, maxContext: 131072 }],
  [/^(Llama-3\.1-8B|Hermes-3-Llama-3\.1-8B|DeepSeek-R1-Distill-Llama-8B)/i, { layers: 32, kvHeads: 8, headDim: 128, maxContext: 131072 }],
  [/^(Llama-3-8B|Hermes-2-(Pro|Theta)-Llama-3-8B)/i, { layers: 32, kvHeads: 8, headDim: 128, maxContext: 8192 }],
  [/^(Mistral-7B|Hermes-2-Pro-Mistral-7B)/i, { layers: 32, kvHeads: 8, headDim: 128, maxContext: 32768 }],
  [/^SmolLM2-135M/i, { layers: 30, kvHeads: 3, headDim: 64, maxContext: 8192 }],
  [/^SmolLM2-360M/i, { layers: 32, kvHeads: 5, headDim: 64, maxContext: 8192 }],
  [/^SmolLM2-1\.7B/i, { layers: 24, kvHeads: 32, headDim: 64, maxContext: 8192 }],
  [/^gemma3-1b/i, { layers: 26, kvHeads: 1, headDim: 256, maxContext: 32768 }],
  [/^gemma-2-2b/i, { layers: 26, kvHeads: 4, headDim: 256, maxContext: 8192 }],
  [/^gemma-2-9b/i, { layers: 42, kvHeads: 8, headDim: 256, maxContext: 8192 }],
  [/^Phi-3\.5-mini/i, { layers: 32, kvHeads: 32, headDim: 96, maxContext: 131072 }],
  [/^Phi-3-mini-4k/i, { layers: 32, kvHeads: 32, headDim: 96, maxContext: 4096 }],
  [/^TinyLlama-1\.1B/i, { layers: 22, kvHeads: 4, headDim: 64, maxContext: 2048 }],
  [/^stablelm-2-zephyr-1_6b/i, { layers: 24, kvHeads: 32, headDim: 64, maxContext: 4096 }],
];

function familyOf(modelId: string): FamilyShape | undefined {
  return FAMILIES.find(([re]) => re.test(modelId))?.[1];
}

/** KV cache bytes per token of a web-llm model: f32 caches for q*f32 models, f16 otherwise. */
export function webLlmKvBytesPerToken(modelId: string): number | undefined {
  const f = familyOf(modelId);
  if (!f) return undefined;
  const bytes = /q\d+f32/i.test(modelId) ? 4 : 2;
  return 2 * f.layers * f.kvHeads * f.headDim * bytes;
}

/** The longest window a web-llm model allows, when its family is known. */
export function webLlmMaxContext(modelId: string): number | undefined {
  return familyOf(modelId)?.maxContext;
}

/** A model's context window as a run will load it, and what is known about it. */
export interface ContextChoice {
  /** The window the model will be loaded with. */
  tokens: number;
  /** 'setting': chosen on the Models page; 'model': the model's record or file decides. */
  source: 'setting' | 'model';
  /** What it would be without a setting. */
  defaultTokens: number;
  /** The most the model allows, when known. */
  maxTokens?: number;
  /** KV cache bytes per token, when the model's shape is known. */
  kvBytesPerToken?: number;
}

/** A setting, kept only when it is a whole number within [MIN_CONTEXT_TOKENS, max]. */
function validSetting(setting: number | undefined, max: number | undefined): number | undefined {
  if (setting === undefined || !Number.isInteger(setting) || setting < MIN_CONTEXT_TOKENS) return undefined;
  return max !== undefined ? Math.min(setting, max) : setting;
}

/** The window of a web-llm model: the setting, else its record's, else DEFAULT_CONTEXT_TOKENS. */
export function webLlmContext(model: { modelId: string; contextWindowSize?: number }, setting?: number): ContextChoice {
  const maxTokens = webLlmMaxContext(model.modelId);
  const defaultTokens = model.contextWindowSize && model.contextWindowSize > 0 ? model.contextWindowSize : DEFAULT_CONTEXT_TOKENS;
  const chosen = validSetting(setting, maxTokens);
  const kv = webLlmKvBytesPerToken(model.modelId);
  return {
    tokens: chosen ?? defaultTokens,
    source: chosen !== undefined ? 'setting' : 'model',
    defaultTokens,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(kv !== undefined ? { kvBytesPerToken: kv } : {}),
  };
}

/** The window of a GGUF model: the setting, else DEFAULT_GGUF_CONTEXT_TOKENS, never more than it was trained for. */
export function ggufContext(shape: GgufShape, setting?: number): ContextChoice {
  const maxTokens = shape.contextLength;
  const defaultTokens = maxTokens !== undefined ? Math.min(DEFAULT_GGUF_CONTEXT_TOKENS, maxTokens) : DEFAULT_GGUF_CONTEXT_TOKENS;
  const chosen = validSetting(setting, maxTokens);
  const kv = kvBytesPerToken(shape);
  return {
    tokens: chosen ?? defaultTokens,
    source: chosen !== undefined ? 'setting' : 'model',
    defaultTokens,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(kv !== undefined ? { kvBytesPerToken: kv } : {}),
  };
}

/** The KV cache of a window, in MB (undefined when the shape is unknown). */
export function kvCacheMB(choice: Pick<ContextChoice, 'tokens' | 'kvBytesPerToken'>): number | undefined {
  return choice.kvBytesPerToken === undefined ? undefined : (choice.kvBytesPerToken * choice.tokens) / (1024 * 1024);
}

/**
 * GPU memory a web-llm model needs at a window, in MB: the catalog's figure (measured at the
 * record's own window) plus or minus the KV cache of the difference. Undefined when the catalog
 * has no figure.
 */
export function webLlmMemoryMB(vramRequiredMB: number | undefined, choice: ContextChoice): number | undefined {
  if (vramRequiredMB === undefined) return undefined;
  if (choice.kvBytesPerToken === undefined) return vramRequiredMB;
  return Math.max(0, vramRequiredMB + ((choice.tokens - choice.defaultTokens) * choice.kvBytesPerToken) / (1024 * 1024));
}

/** Whether a window is too small for the agent and user seats (a `-1k` variant, or set that low). */
export function tooSmallForSeats(tokens: number): boolean {
  return tokens < MIN_SEAT_CONTEXT_TOKENS;
}
