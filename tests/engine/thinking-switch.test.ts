import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { defaultEnableThinking, takesThinkingSwitch } from '../../src/engine/thinking-switch.ts';

describe('which models take the thinking switch', () => {
  it("in web-llm 0.2.86's catalog: the Qwen3 and Qwen3.5 models, and no others", () => {
    const ids = prebuiltAppConfig.model_list.map((m) => m.model_id);
    const taking = ids.filter(takesThinkingSwitch);
    expect(taking).toContain('Qwen3-0.6B-q4f16_1-MLC');
    expect(taking).toContain('Qwen3-8B-q4f32_1-MLC');
    expect(taking).toContain('Qwen3.5-0.8B-q4f16_1-MLC');
    expect(taking.length).toBeGreaterThanOrEqual(10);
    for (const id of taking) expect(id, id).toMatch(/^Qwen3(\.5)?-/);
    for (const id of ids.filter((i) => /^Qwen3(\.5)?-/.test(i))) expect(takesThinkingSwitch(id), id).toBe(true);
  });

  it('leaves out thinking-always and non-thinking families', () => {
    for (const id of [
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
      'Qwen2-1.5B-Instruct-q4f16_1-MLC',
      'DeepSeek-R1-Distill-Qwen-1.5B-q4f16_1-MLC',
      'Llama-3.2-1B-Instruct-q4f32_1-MLC',
      'SmolLM2-360M-Instruct-q4f16_1-MLC',
      'Qwen3-4B-Instruct-2507-q4f16_1-MLC',
      'Qwen3-4B-Thinking-2507-q4f16_1-MLC',
      'Qwen3-Coder-30B-A3B-Instruct-q4f16_1-MLC',
      'Qwen3-VL-2B-Instruct-q4f16_1-MLC',
    ]) {
      expect(takesThinkingSwitch(id), id).toBe(false);
      expect(defaultEnableThinking(id), id).toBeUndefined();
    }
  });

  it('knows custom builds of the families by their id', () => {
    expect(takesThinkingSwitch('Mirror-Qwen3-0.6B-q4f16_1-MLC')).toBe(true);
    expect(takesThinkingSwitch('qwen3-1.7B-q4f32_1')).toBe(true);
  });

  it('defaults thinking off where the switch exists', () => {
    expect(defaultEnableThinking('Qwen3-0.6B-q4f16_1-MLC')).toBe(false);
    expect(defaultEnableThinking('Qwen3.5-2B-q4f16_1-MLC')).toBe(false);
  });
});
