import { describe, expect, it } from 'vitest';
import {
  approxDownloadMB,
  availabilityOf,
  checkConfigResponse,
  configUrlOf,
  describeLoadFailure,
  etaOf,
  f32Variant,
  fitOf,
  requiredFeaturesOf,
  validateCustomModel,
} from '../../src/engine/catalog.ts';
import type { CatalogModel, DeviceReport } from '../../src/engine/webllm/protocol.ts';

const model = (id: string, extra: Partial<CatalogModel> = {}): CatalogModel => ({
  modelId: id,
  modelUrl: `https://huggingface.co/mlc-ai/${id}`,
  modelLibUrl: `https://raw.githubusercontent.com/x/${id}.wasm`,
  requiredFeatures: [],
  custom: false,
  ...extra,
});
const swiftshader: DeviceReport = { webgpu: true, features: ['subgroups'], shaderF16: false, estimatedMemoryMB: 8192 };

describe('availability and fit', () => {
  it('marks f16 models unavailable without shader-f16 and offers the f32 variant that exists', () => {
    const f16 = model('Qwen2.5-0.5B-Instruct-q4f16_1-MLC', { quantization: 'q4f16_1' });
    const ids = new Set([f16.modelId, 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC']);
    expect(requiredFeaturesOf(f16)).toEqual(['shader-f16']);
    expect(availabilityOf(f16, swiftshader, ids)).toMatchObject({ ok: false, short: 'needs shader-f16', alternative: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' });
    expect(availabilityOf(f16, swiftshader, new Set([f16.modelId])).alternative).toBeUndefined();
    expect(availabilityOf(f16, { ...swiftshader, features: ['shader-f16'], shaderF16: true }, ids).ok).toBe(true);
    expect(availabilityOf(model('x-q4f32_1-MLC', { quantization: 'q4f32_1' }), swiftshader, ids).ok).toBe(true);
    expect(availabilityOf(f16, { webgpu: false, features: [], shaderF16: false }, ids).short).toBe('no WebGPU');
    expect(f32Variant('SmolLM2-135M-Instruct-q0f16-MLC')).toBe('SmolLM2-135M-Instruct-q0f32-MLC');
    expect(f32Variant('x-q4f32_1-MLC')).toBeUndefined();
  });
  it('compares the memory need with the estimate', () => {
    expect(fitOf({ vramRequiredMB: 945 }, swiftshader)).toBe('fits');
    expect(fitOf({ vramRequiredMB: 9000 }, swiftshader)).toBe('may-not-fit');
    expect(fitOf({}, swiftshader)).toBe('unknown');
    expect(fitOf({ vramRequiredMB: 1 }, null)).toBe('unknown');
  });
  it('approximates download sizes from parameters and quantisation', () => {
    expect(approxDownloadMB({ paramsB: 0.5, quantization: 'q4f16_1' })).toBe(268);
    expect(approxDownloadMB({ paramsB: 0.135, quantization: 'q0f32' })).toBe(515);
    expect(approxDownloadMB({ quantization: 'q4f16_1' })).toBeUndefined();
  });
});

describe('custom models', () => {
  it('accepts absolute http(s) URLs and derives the quantisation and size from the id', () => {
    const v = validateCustomModel(
      { modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', modelUrl: 'https://m.example.org/q/', modelLibUrl: 'http://m.example.org/lib.wasm', vramRequiredMB: 950 },
      new Set(),
    );
    expect(v).toEqual({
      ok: true,
      model: {
        modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
        modelUrl: 'https://m.example.org/q/',
        modelLibUrl: 'http://m.example.org/lib.wasm',
        requiredFeatures: ['shader-f16'],
        custom: true,
        vramRequiredMB: 950,
        quantization: 'q4f16_1',
        paramsB: 0.5,
      },
    });
  });
  it('names every bad field', () => {
    const v = validateCustomModel({ modelId: 'taken', modelUrl: 'models/x', modelLibUrl: 'file:///x.wasm', vramRequiredMB: -1 }, new Set(['taken']));
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.issues.map((i) => i.field)).toEqual(['modelId', 'modelUrl', 'modelLibUrl', 'vramRequiredMB']);
    expect(v.issues[1]!.message).toMatch(/absolute URL/);
    expect(v.issues[2]!.message).toMatch(/https:\/\/ or http:\/\//);
    const lib = validateCustomModel({ modelId: 'a', modelUrl: 'https://x.org/', modelLibUrl: 'https://x.org/lib.js' }, new Set());
    expect(!lib.ok && lib.issues[0]!.message).toMatch(/\.wasm/);
  });
  it('finds the config where web-llm looks for it', () => {
    expect(configUrlOf('https://huggingface.co/mlc-ai/M')).toBe('https://huggingface.co/mlc-ai/M/resolve/main/mlc-chat-config.json');
    expect(configUrlOf('https://m.org/x/resolve/v1/')).toBe('https://m.org/x/resolve/v1/mlc-chat-config.json');
  });
  it('refuses an HTML page, a missing file and bad JSON with clear words', async () => {
    const url = 'https://m.org/x/resolve/main/mlc-chat-config.json';
    const html = new Response('<!doctype html><title>Login</title>', { headers: { 'content-type': 'text/html; charset=utf-8' } });
    await expect(checkConfigResponse(html, url)).rejects.toThrow(/m\.org answered with an HTML page instead of mlc-chat-config\.json/);
    const sniffed = new Response('<html><body>spa</body></html>', { headers: { 'content-type': 'application/octet-stream' } });
    await expect(checkConfigResponse(sniffed, url)).rejects.toThrow(/HTML page/);
    await expect(checkConfigResponse(new Response('nope', { status: 404 }), url)).rejects.toThrow(/HTTP 404/);
    await expect(checkConfigResponse(new Response('{bad', { headers: { 'content-type': 'application/json' } }), url)).rejects.toThrow(/not valid JSON/);
    await expect(checkConfigResponse(new Response('{"model_type":"qwen2"}', { headers: { 'content-type': 'application/json' } }), url)).resolves.toBeUndefined();
  });
});

describe('progress and failures', () => {
  it('estimates time left from bytes, else from the fraction', () => {
    expect(etaOf({ fraction: 0.25, loadedBytes: 100, totalBytes: 400 }, 10)).toEqual({ bytesPerSecond: 10, secondsLeft: 30 });
    expect(etaOf({ fraction: 0.5 }, 20)).toEqual({ secondsLeft: 20 });
    expect(etaOf({ fraction: 0.5 }, 0.1)).toEqual({});
  });
  it('words each failure by its name and names the host of a raw fetch failure', () => {
    const m = model('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    const err = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(describeLoadFailure(new TypeError('Failed to fetch'), m)).toMatchObject({ name: 'NetworkError', title: 'Could not reach huggingface.co' });
    expect(describeLoadFailure(err('NetworkError', 'fetch failed'), m).message).toContain('huggingface.co');
    expect(describeLoadFailure(err('QuotaExceededError', 'full'), m).offerDelete).toBe(true);
    expect(describeLoadFailure(err('LoadTimeoutError', 'stalled'), m).title).toBe('The load stalled');
    expect(describeLoadFailure(err('ShaderF16MissingError', 'no f16'), m, 'alt').alternative).toBe('alt');
    expect(describeLoadFailure({ name: 'EngineLostError', message: 'lost' }, m).title).toBe('The GPU engine stopped');
  });
});
