import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTEXT_TOKENS,
  ggufContext,
  kvCacheMB,
  tooSmallForSeats,
  webLlmContext,
  webLlmKvBytesPerToken,
  webLlmMemoryMB,
} from '../../src/engine/context.ts';

describe('context windows', () => {
  it("keeps a catalog model's own window unless a setting says otherwise, within what the model allows", () => {
    const qwen = { modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', contextWindowSize: 4096 };
    expect(webLlmContext(qwen)).toEqual({ tokens: 4096, source: 'model', defaultTokens: 4096, maxTokens: 32768, kvBytesPerToken: 12288 });
    expect(webLlmContext(qwen, 8192)).toMatchObject({ tokens: 8192, source: 'setting', defaultTokens: 4096 });
    // Beyond what the model was trained for: held to it.
    expect(webLlmContext(qwen, 100_000).tokens).toBe(32768);
    // Nonsense settings are ignored rather than sent.
    for (const bad of [0, 100, 4096.5, -1]) expect(webLlmContext(qwen, bad)).toMatchObject({ tokens: 4096, source: 'model' });
  });

  it('gives custom records (no override) the default window, not their config’s 32k–128k', () => {
    const custom = { modelId: 'My-Mirror-Model-q4f32_1-MLC' };
    expect(webLlmContext(custom)).toEqual({ tokens: DEFAULT_CONTEXT_TOKENS, source: 'model', defaultTokens: DEFAULT_CONTEXT_TOKENS });
    expect(DEFAULT_CONTEXT_TOKENS).toBe(4096);
  });

  it('sizes the KV cache from the family’s shape, f32 caches for f32 models', () => {
    // Llama-3.2-1B: 16 layers × 8 KV heads × 64 × (K and V) × 2 bytes.
    expect(webLlmKvBytesPerToken('Llama-3.2-1B-Instruct-q4f16_1-MLC')).toBe(32768);
    expect(webLlmKvBytesPerToken('Llama-3.2-1B-Instruct-q4f32_1-MLC')).toBe(65536);
    expect(webLlmKvBytesPerToken('Unknown-7B-MLC')).toBeUndefined();
    const choice = webLlmContext({ modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC', contextWindowSize: 4096 }, 8192);
    expect(kvCacheMB(choice)).toBe(256);
    // The catalog's figure is at 4,096 tokens: 4,096 more cost 128 MB more.
    expect(webLlmMemoryMB(879, choice)).toBe(879 + 128);
    expect(webLlmMemoryMB(undefined, choice)).toBeUndefined();
  });

  it('gives GGUF models 8,192 tokens or what they were trained for, and never more', () => {
    const stories = { contextLength: 2048, blockCount: 5, embeddingLength: 64, headCount: 8, headCountKv: 4 };
    expect(ggufContext(stories)).toEqual({ tokens: 2048, source: 'model', defaultTokens: 2048, maxTokens: 2048, kvBytesPerToken: 640 });
    expect(ggufContext(stories, 256)).toMatchObject({ tokens: 256, source: 'setting' });
    expect(ggufContext(stories, 4096).tokens).toBe(2048);
    expect(ggufContext({ contextLength: 32768 }).tokens).toBe(8192);
    expect(ggufContext({})).toEqual({ tokens: 8192, source: 'model', defaultTokens: 8192 });
  });

  it('marks windows below 2,048 tokens as too small for the agent and user seats', () => {
    expect(tooSmallForSeats(1024)).toBe(true);
    expect(tooSmallForSeats(2048)).toBe(false);
  });
});
