import { describe, expect, it } from 'vitest';
import { estimateMemory, formatMB, gatherDeviceReport } from '../../src/engine/device.ts';

const GiB = 1024 ** 3;

interface FakeAdapterOpts {
  info?: Record<string, unknown>;
  features?: string[];
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
  isFallbackAdapter?: boolean;
}

/** Just enough of GPU and GPUAdapter for the report. */
function fakeGpu(adapter: FakeAdapterOpts | null | Error): GPU {
  return {
    requestAdapter: async () => {
      if (adapter instanceof Error) throw adapter;
      if (!adapter) return null;
      return {
        info: adapter.info,
        isFallbackAdapter: adapter.isFallbackAdapter,
        features: new Set(adapter.features ?? []),
        limits: {
          maxBufferSize: adapter.maxBufferSize ?? 256 * 1024 * 1024,
          maxStorageBufferBindingSize: adapter.maxStorageBufferBindingSize ?? 128 * 1024 * 1024,
        },
      };
    },
  } as unknown as GPU;
}

describe('gatherDeviceReport', () => {
  it('explains a browser without navigator.gpu and what to do', async () => {
    const r = await gatherDeviceReport(undefined, { secureContext: true, hostname: 'localhost' });
    expect(r.webgpu).toBe(false);
    expect(r.shaderF16).toBe(false);
    expect(r.features).toEqual([]);
    expect(r.reason).toMatch(/does not offer WebGPU/);
    expect(r.advice).toMatch(/Chrome or Edge/);
    expect(r.advice).toMatch(/CPU/);
    expect(r.estimatedMemoryMB).toBeUndefined();
  });

  it('names an insecure context as the reason', async () => {
    const r = await gatherDeviceReport(null, { secureContext: false, hostname: '192.168.1.20' });
    expect(r.webgpu).toBe(false);
    expect(r.reason).toMatch(/not a secure context/);
    expect(r.reason).toContain('192.168.1.20');
    expect(r.advice).toMatch(/https/);
    expect(r.advice).toMatch(/localhost/);
  });

  it('explains an adapter request that returns null or throws', async () => {
    const none = await gatherDeviceReport(fakeGpu(null), {});
    expect(none.webgpu).toBe(false);
    expect(none.reason).toMatch(/no usable GPU/);
    expect(none.reason).toMatch(/blocklist/);
    expect(none.advice).toMatch(/driver/);

    const thrown = await gatherDeviceReport(fakeGpu(new Error('boom')), {});
    expect(thrown.webgpu).toBe(false);
    expect(thrown.reason).toContain('boom');
  });

  it('reports a software adapter like SwiftShader: no shader-f16, memory from deviceMemory', async () => {
    const r = await gatherDeviceReport(
      fakeGpu({
        info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true },
        features: ['timestamp-query', 'subgroups'],
        maxBufferSize: GiB,
        maxStorageBufferBindingSize: GiB,
      }),
      { deviceMemoryGB: 16 },
    );
    expect(r).toMatchObject({
      webgpu: true,
      vendor: 'google',
      architecture: 'swiftshader',
      isFallbackAdapter: true,
      shaderF16: false,
      features: ['subgroups', 'timestamp-query'],
      maxBufferSize: GiB,
      maxStorageBufferBindingSize: GiB,
      estimatedMemoryMB: 8192,
    });
    // Empty strings are left out rather than shown as blank fields.
    expect(r.device).toBeUndefined();
    expect(r.description).toBeUndefined();
    expect(r.estimateBasis).toMatch(/^Estimate/);
    expect(r.estimateBasis).toMatch(/16 GB/);
  });

  it('reports shader-f16 and a lower-bound estimate for a discrete GPU', async () => {
    const r = await gatherDeviceReport(
      fakeGpu({
        info: { vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA RTX 3060' },
        features: ['shader-f16'],
        maxBufferSize: 4 * GiB,
        maxStorageBufferBindingSize: 2 * GiB,
      }),
      { deviceMemoryGB: 8 },
    );
    expect(r.shaderF16).toBe(true);
    expect(r.description).toBe('NVIDIA RTX 3060');
    expect(r.estimatedMemoryMB).toBe(4096);
    expect(r.estimateBasis).toMatch(/lower bound/);
  });

  it('reads the fallback flag from the adapter when info lacks it', async () => {
    const r = await gatherDeviceReport(fakeGpu({ info: { vendor: 'intel' }, isFallbackAdapter: false }), {});
    expect(r.isFallbackAdapter).toBe(false);
    expect(r.vendor).toBe('intel');
    expect(r.architecture).toBeUndefined();
  });
});

describe('estimateMemory', () => {
  it('uses half the reported memory for an integrated GPU, never below the buffer floor', () => {
    expect(estimateMemory({ vendor: 'intel', maxBufferSize: 2 * GiB }, { deviceMemoryGB: 8 }).mb).toBe(4096);
    expect(estimateMemory({ vendor: 'intel', maxBufferSize: 2 * GiB }, { deviceMemoryGB: 2 }).mb).toBe(2048);
    const noMem = estimateMemory({ vendor: 'apple', maxBufferSize: GiB }, {});
    expect(noMem.mb).toBe(1024);
    expect(noMem.basis).toMatch(/does not report/);
  });
  it('formats sizes', () => {
    expect(formatMB(512)).toBe('512 MB');
    expect(formatMB(1536)).toBe('1.5 GB');
    expect(formatMB(24 * 1024)).toBe('24 GB');
  });
});

describe('adapter info from a real-looking GPUAdapterInfo', () => {
  it('reads fields that live on the prototype as getters', async () => {
    class Info {
      get vendor() { return 'google'; }
      get architecture() { return 'swiftshader'; }
      get device() { return ''; }
      get description() { return ''; }
      get isFallbackAdapter() { return true; }
    }
    const r = await gatherDeviceReport(fakeGpu({ info: new Info() as unknown as Record<string, unknown> }), {});
    expect(r.vendor).toBe('google');
    expect(r.architecture).toBe('swiftshader');
    expect(r.isFallbackAdapter).toBe(true);
  });
});
