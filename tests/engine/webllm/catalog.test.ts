import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { catalogOf, f32VariantOf, parseParamsB, parseQuantization, validateCustomModel } from '../../../src/engine/webllm/catalog.ts';

describe('catalog helpers', () => {
  it('parses parameter counts and quantisation from ids', () => {
    expect(parseParamsB('Qwen2.5-0.5B-Instruct-q4f16_1-MLC')).toBe(0.5);
    expect(parseParamsB('SmolLM2-360M-Instruct-q4f32_1-MLC')).toBe(0.36);
    expect(parseParamsB('stablelm-2-zephyr-1_6b-q4f16_1-MLC')).toBe(1.6);
    expect(parseParamsB('gemma-4-E2B-it-q4f16_1-MLC')).toBe(2);
    expect(parseParamsB('Llama-3.1-8B-Instruct-q4f32_1-MLC-1k')).toBe(8);
    expect(parseParamsB('Phi-3.5-mini-instruct-q4f16_1-MLC')).toBe(3.8);
    expect(parseParamsB('mystery-model')).toBeUndefined();
    expect(parseQuantization('Llama-3.1-70B-Instruct-q3f16_1-MLC')).toBe('q3f16_1');
    expect(parseQuantization('SmolLM2-135M-Instruct-q0f32-MLC')).toBe('q0f32');
  });

  it('offers the f32 variant only when the catalog has it', () => {
    const ids = ['SmolLM2-360M-Instruct-q4f32_1-MLC', 'SmolLM2-135M-Instruct-q0f32-MLC'];
    expect(f32VariantOf('SmolLM2-360M-Instruct-q4f16_1-MLC', ids)).toBe('SmolLM2-360M-Instruct-q4f32_1-MLC');
    expect(f32VariantOf('SmolLM2-135M-Instruct-q0f16-MLC', ids)).toBe('SmolLM2-135M-Instruct-q0f32-MLC');
    expect(f32VariantOf('gemma-2-2b-it-q4f16_1-MLC', ids)).toBeUndefined();
  });

  it('validates custom model URLs', () => {
    const ok = { modelId: 'm', modelUrl: 'http://192.168.1.5:8000/m/', modelLibUrl: 'https://h/m.wasm', requiredFeatures: [], custom: true };
    expect(validateCustomModel(ok)).toBeNull();
    expect(validateCustomModel({ ...ok, modelLibUrl: '/m.wasm' })).toMatch(/model library URL.*absolute/);
    expect(validateCustomModel({ ...ok, modelId: ' ' })).toMatch(/needs a model id/);
  });

  it("lists web-llm 0.2.86's real catalog: chat models only, smallest first", () => {
    const list = catalogOf(prebuiltAppConfig, null);
    expect(list.length).toBeGreaterThan(100);
    expect(list.some((m) => /embed|vision/i.test(m.modelId))).toBe(false);
    expect(list[0]!.modelId).toMatch(/^SmolLM2-135M/);
    const sizes = list.map((m) => m.paramsB ?? Number.POSITIVE_INFINITY);
    expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
    expect(list.every((m) => m.paramsB !== undefined)).toBe(true);
    expect(list.every((m) => m.quantization !== undefined)).toBe(true);
    const smol = list.find((m) => m.modelId === 'SmolLM2-360M-Instruct-q4f16_1-MLC')!;
    expect(smol.requiredFeatures).toContain('shader-f16');
  });
});
