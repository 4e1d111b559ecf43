/**
 * What this browser offers for running models on the GPU, gathered in the page without loading
 * web-llm: whether WebGPU works and, if not, why and what to do; the adapter's identity,
 * features and limits; and a rough estimate of the GPU memory a model may use.
 */
import type { DeviceReport } from './webllm/protocol.ts';

/** What the report needs from its surroundings besides the GPU; tests pass their own. */
export interface DeviceEnv {
  /** `navigator.deviceMemory` in GB (Chromium only; rounded and capped by the browser). */
  deviceMemoryGB?: number;
  /** `isSecureContext`: WebGPU exists only on https pages and on localhost. */
  secureContext?: boolean;
  /** `location.hostname`, to name an insecure host in the explanation. */
  hostname?: string;
}

const CPU_MEANWHILE = 'Meanwhile GGUF models run on the CPU through llama.cpp (GGUF models, below), more slowly.';
const MB = 1024 * 1024;

/** Vendors whose GPUs share the computer's main memory rather than having their own. */
const UNIFIED_MEMORY_VENDORS = ['intel', 'apple', 'qualcomm', 'arm', 'imagination', 'samsung', 'mesa'];

function currentEnv(): DeviceEnv {
  const nav = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { deviceMemory?: number });
  const env: DeviceEnv = {};
  if (typeof nav?.deviceMemory === 'number') env.deviceMemoryGB = nav.deviceMemory;
  if (typeof isSecureContext === 'boolean') env.secureContext = isSecureContext;
  if (typeof location !== 'undefined') env.hostname = location.hostname;
  return env;
}

/**
 * Asks the browser about WebGPU. Never throws: every failure becomes a report with
 * `webgpu: false`, a reason and advice.
 */
export async function gatherDeviceReport(gpu: GPU | undefined | null, env: DeviceEnv = currentEnv()): Promise<DeviceReport> {
  if (!gpu) {
    const insecure = env.secureContext === false;
    return {
      webgpu: false,
      features: [],
      shaderF16: false,
      reason: insecure
        ? `This page is not a secure context (it was opened over http from ${env.hostname || 'another host'}), and browsers offer WebGPU only to https pages and to localhost.`
        : 'This browser does not offer WebGPU (navigator.gpu is missing): it is too old, does not support WebGPU yet (Firefox and Safari before their WebGPU releases), or WebGPU is turned off.',
      advice: insecure
        ? `Open the page over https, or serve it on localhost. ${CPU_MEANWHILE}`
        : `Use a recent Chrome or Edge (113 or newer), or turn WebGPU on in this browser's settings or flags. ${CPU_MEANWHILE}`,
    };
  }

  let adapter: GPUAdapter | null = null;
  let failure: string | undefined;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  if (!adapter) {
    return {
      webgpu: false,
      features: [],
      shaderF16: false,
      reason:
        'The browser supports WebGPU but found no usable GPU: requestAdapter() ' +
        (failure ? `failed (${failure})` : 'returned nothing') +
        '. There may be no GPU, its driver may be on the browser\u2019s blocklist, or hardware acceleration may be off.',
      advice:
        'Update the graphics driver, turn on "Use graphics acceleration when available" in the browser settings, ' +
        `and check chrome://gpu for WebGPU's status (on Linux, Chrome may need --enable-unsafe-webgpu). ${CPU_MEANWHILE}`,
    };
  }

  const info = adapterInfo(adapter);
  const features = [...adapter.features].map(String).sort();
  const maxStorageBufferBindingSize = adapter.limits.maxStorageBufferBindingSize;
  const maxBufferSize = adapter.limits.maxBufferSize;
  const report: DeviceReport = {
    webgpu: true,
    features,
    shaderF16: adapter.features.has('shader-f16'),
    maxStorageBufferBindingSize,
    maxBufferSize,
  };
  if (info.vendor) report.vendor = info.vendor;
  if (info.architecture) report.architecture = info.architecture;
  if (info.device) report.device = info.device;
  if (info.description) report.description = info.description;
  if (info.isFallbackAdapter !== undefined) report.isFallbackAdapter = info.isFallbackAdapter;
  const estimate = estimateMemory(report, env);
  report.estimatedMemoryMB = estimate.mb;
  report.estimateBasis = estimate.basis;
  return report;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** `adapter.info` (Chrome 127+), else the older `requestAdapterInfo()`, else nothing. */
function adapterInfo(adapter: GPUAdapter): AdapterInfoLike {
  const a = adapter as GPUAdapter & { info?: AdapterInfoLike; isFallbackAdapter?: boolean };
  // GPUAdapterInfo's fields are prototype getters, which spreading would not copy.
  const src = a.info;
  const info: AdapterInfoLike = {};
  if (src) {
    if (src.vendor !== undefined) info.vendor = src.vendor;
    if (src.architecture !== undefined) info.architecture = src.architecture;
    if (src.device !== undefined) info.device = src.device;
    if (src.description !== undefined) info.description = src.description;
    if (typeof src.isFallbackAdapter === 'boolean') info.isFallbackAdapter = src.isFallbackAdapter;
  }
  // Older browsers put the fallback flag on the adapter itself.
  if (info.isFallbackAdapter === undefined && typeof a.isFallbackAdapter === 'boolean') info.isFallbackAdapter = a.isFallbackAdapter;
  return info;
}

/**
 * No browser API reports GPU memory, so this is an estimate. The largest buffer the adapter
 * allows is a floor (the GPU can hold at least that). A GPU that shares the computer's memory
 * (integrated, Apple silicon, or a software adapter) can use about half of it, which
 * `navigator.deviceMemory` tells where the browser has it. A discrete GPU's own memory is not
 * reported at all, so it gets the floor, which is usually well below what it has.
 */
export function estimateMemory(r: Pick<DeviceReport, 'vendor' | 'architecture' | 'description' | 'isFallbackAdapter' | 'maxBufferSize' | 'maxStorageBufferBindingSize'>, env: DeviceEnv): { mb: number; basis: string } {
  const floorBytes = Math.max(r.maxBufferSize ?? 0, r.maxStorageBufferBindingSize ?? 0);
  const floorMB = Math.round(floorBytes / MB);
  const who = `${r.vendor ?? ''} ${r.architecture ?? ''} ${r.description ?? ''}`.toLowerCase();
  const unified = r.isFallbackAdapter === true || who.includes('swiftshader') || UNIFIED_MEMORY_VENDORS.some((v) => who.includes(v));
  const floorText = `the largest buffer this adapter allows (${formatMB(floorMB)})`;
  if (unified && env.deviceMemoryGB) {
    const shareMB = Math.round((env.deviceMemoryGB * 1024) / 2);
    if (shareMB > floorMB) {
      return {
        mb: shareMB,
        basis:
          `Estimate: half of the ${env.deviceMemoryGB} GB of memory the browser reports, since this ` +
          `${r.isFallbackAdapter ? 'software adapter' : 'GPU'} shares the computer's memory. Browsers do not report GPU memory directly.`,
      };
    }
  }
  return {
    mb: floorMB,
    basis: unified
      ? `Estimate: ${floorText}; the browser does not report how much memory is shared with this GPU.`
      : `Estimate, a lower bound: ${floorText}. Browsers do not report a discrete GPU's own memory, which is usually larger, so models marked "may not fit" may still fit.`,
  };
}

/** "512 MB", "1.5 GB". */
export function formatMB(mb: number): string {
  if (mb >= 1024) return `${(mb / 1024).toFixed(mb >= 10 * 1024 ? 0 : 1)} GB`;
  return `${Math.round(mb)} MB`;
}
