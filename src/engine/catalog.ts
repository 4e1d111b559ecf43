/**
 * Pure helpers over the model catalog for the Models page: sizes, fit on this device, the
 * shader-f16 fallback, custom-model validation, download ETA and error wording. No web-llm
 * import, so the page can use these without loading the worker's chunk.
 */
import type { CatalogModel, DeviceReport, LoadPhase, LoadProgress } from './webllm/protocol.ts';
import { compareCatalog, parseParamsB, parseQuantization } from './webllm/catalog.ts';

const MB = 1024 * 1024;

/** Effective bits per weight of a quantisation tag, scales included; undefined when unknown. */
export function bitsPerWeight(quantization: string | undefined): number | undefined {
  const m = /^q(\d)f(16|32)/.exec(quantization ?? '');
  if (!m) return undefined;
  const q = Number(m[1]);
  if (q === 0) return Number(m[2]);
  // Group quantisation adds a scale per 32 weights: about half a bit each.
  return q + 0.5;
}

/**
 * Approximate download size in MB, from the parameter count and the quantisation. The
 * catalog does not list file sizes, so the page marks this as approximate.
 */
export function approxDownloadMB(m: Pick<CatalogModel, 'paramsB' | 'quantization'>): number | undefined {
  const bits = bitsPerWeight(m.quantization);
  if (!m.paramsB || !bits) return undefined;
  return Math.round((m.paramsB * 1e9 * bits) / 8 / MB);
}

/** Smallest first (parameters, then GPU memory need), as the worker's catalog orders them. */
export function sortSmallestFirst(list: readonly CatalogModel[]): CatalogModel[] {
  return [...list].sort(compareCatalog);
}

export type Fit = 'fits' | 'may-not-fit' | 'unknown';

/** Whether the model's stated GPU memory need is within this device's estimate. */
export function fitOf(m: Pick<CatalogModel, 'vramRequiredMB'>, device: DeviceReport | null): Fit {
  if (!device?.webgpu || device.estimatedMemoryMB === undefined || m.vramRequiredMB === undefined) return 'unknown';
  return m.vramRequiredMB <= device.estimatedMemoryMB ? 'fits' : 'may-not-fit';
}

/** Why a model cannot run here, if it cannot, and the variant to use instead. */
export interface Availability {
  ok: boolean;
  reason?: string;
  /** A few words for a table cell, e.g. "needs shader-f16". */
  short?: string;
  /** The q4f32 (or other f32) variant of an f16 model, when the catalog has one. */
  alternative?: string;
}

export function availabilityOf(m: CatalogModel, device: DeviceReport | null, catalogIds: ReadonlySet<string>): Availability {
  if (device && !device.webgpu) return { ok: false, reason: 'WebGPU is not available in this browser.', short: 'no WebGPU' };
  const missing = requiredFeaturesOf(m).filter((f) => !device?.features.includes(f));
  if (device && missing.length) {
    const alt = f32Variant(m.modelId);
    const out: Availability = { ok: false, reason: `Needs ${missing.join(', ')}, which this GPU lacks.`, short: `needs ${missing.join(', ')}` };
    if (alt && catalogIds.has(alt)) out.alternative = alt;
    return out;
  }
  return { ok: true };
}

/**
 * The adapter features a model needs. The catalog lists shader-f16 for only some f16 models,
 * but every f16-quantised model library uses f16 in its shaders, so the tag implies it.
 */
export function requiredFeaturesOf(m: Pick<CatalogModel, 'requiredFeatures' | 'quantization' | 'modelId'>): string[] {
  const out = new Set(m.requiredFeatures);
  if (/^q\d+f16/.test(m.quantization ?? '') || /-q\d+f16_\d/.test(m.modelId)) out.add('shader-f16');
  return [...out];
}

/** "Qwen2.5-0.5B-Instruct-q4f16_1-MLC" → "Qwen2.5-0.5B-Instruct-q4f32_1-MLC". */
export function f32Variant(modelId: string): string | undefined {
  const alt = modelId.replace(/q(\d)f16/, 'q$1f32');
  return alt === modelId ? undefined : alt;
}

/** What the custom-model form collects. */
export interface CustomModelInput {
  modelId: string;
  modelUrl: string;
  modelLibUrl: string;
  vramRequiredMB?: number | undefined;
}

export interface FieldIssue {
  field: keyof CustomModelInput;
  message: string;
}

function httpUrlIssue(value: string, field: keyof CustomModelInput, what: string): FieldIssue | undefined {
  const v = value.trim();
  if (!v) return { field, message: `${what} is required.` };
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return { field, message: `${what} must be an absolute URL, such as https://models.example.org/…` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { field, message: `${what} must start with https:// or http:// (not ${url.protocol}).` };
  }
  return undefined;
}

/**
 * Checks a custom model record before it is stored: an id not taken, and absolute http(s)
 * URLs. Returns the record, or every problem found.
 */
export function validateCustomModel(
  input: CustomModelInput,
  takenIds: ReadonlySet<string>,
): { ok: true; model: CatalogModel } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const id = input.modelId.trim();
  if (!id) issues.push({ field: 'modelId', message: 'Model id is required.' });
  else if (!/^[\w.\-]+$/.test(id)) issues.push({ field: 'modelId', message: 'Model id may hold letters, digits, ".", "-" and "_" only.' });
  else if (takenIds.has(id)) issues.push({ field: 'modelId', message: `"${id}" is already in the list; choose another id.` });
  const u = httpUrlIssue(input.modelUrl, 'modelUrl', 'Model base URL');
  if (u) issues.push(u);
  const l = httpUrlIssue(input.modelLibUrl, 'modelLibUrl', 'Model library URL');
  if (l) issues.push(l);
  else if (!/\.wasm$/i.test(new URL(input.modelLibUrl.trim()).pathname)) {
    issues.push({ field: 'modelLibUrl', message: 'Model library URL must point at a .wasm file.' });
  }
  if (input.vramRequiredMB !== undefined && !(Number.isFinite(input.vramRequiredMB) && input.vramRequiredMB > 0)) {
    issues.push({ field: 'vramRequiredMB', message: 'GPU memory need must be a positive number of MB.' });
  }
  if (issues.length) return { ok: false, issues };
  const quantization = parseQuantization(id);
  const paramsB = parseParamsB(id);
  const model: CatalogModel = {
    modelId: id,
    modelUrl: input.modelUrl.trim(),
    modelLibUrl: input.modelLibUrl.trim(),
    requiredFeatures: quantization && /f16/.test(quantization) ? ['shader-f16'] : [],
    custom: true,
  };
  if (input.vramRequiredMB !== undefined) model.vramRequiredMB = input.vramRequiredMB;
  if (quantization) model.quantization = quantization;
  if (paramsB !== undefined) model.paramsB = paramsB;
  return { ok: true, model };
}

/** Where web-llm reads a model's config: the base URL, with "resolve/main/" added as it does. */
export function configUrlOf(modelUrl: string): string {
  let base = modelUrl.endsWith('/') ? modelUrl : `${modelUrl}/`;
  if (!/.+\/resolve\/.+\//.test(base)) base += 'resolve/main/';
  return new URL('mlc-chat-config.json', base).href;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Reads the answer for a custom model's mlc-chat-config.json: a missing file, or an HTML page
 * (a login wall, a single-page app answering every path), throws a message that says so.
 */
export async function checkConfigResponse(res: Response, url: string): Promise<void> {
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}: no mlc-chat-config.json there. Check the model base URL.`);
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  const text = await res.text();
  if (type.includes('text/html') || /^\s*<(!doctype|html)/i.test(text)) {
    throw new Error(
      `${hostOf(url)} answered with an HTML page instead of mlc-chat-config.json (${url}). ` +
        'The host may be showing a login or error page, or rewriting every path to its index.html. ' +
        'Point the model base URL at the folder that holds the model files.',
    );
  }
  try {
    JSON.parse(text);
  } catch {
    throw new Error(`${url} is not valid JSON (Content-Type ${type || 'missing'}); expected mlc-chat-config.json.`);
  }
}

/** Transfer rate and time left within the current phase. */
export interface Eta {
  /** Bytes per second, when byte counts are known. */
  bytesPerSecond?: number;
  /** Seconds left, when enough has happened to tell. */
  secondsLeft?: number;
}

/**
 * Time left in a phase, from its rate so far: by bytes when the progress has them, else by
 * fraction. `phaseElapsed` is seconds since the phase began.
 */
export function etaOf(p: Pick<LoadProgress, 'fraction' | 'loadedBytes' | 'totalBytes'>, phaseElapsed: number): Eta {
  if (phaseElapsed <= 0.5) return {};
  if (p.loadedBytes !== undefined && p.totalBytes && p.loadedBytes > 0) {
    const rate = p.loadedBytes / phaseElapsed;
    return { bytesPerSecond: rate, secondsLeft: Math.max(0, (p.totalBytes - p.loadedBytes) / rate) };
  }
  if (p.fraction > 0.01 && p.fraction < 1) return { secondsLeft: (phaseElapsed * (1 - p.fraction)) / p.fraction };
  return {};
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(bytes >= 100 * MB ? 0 : 1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} B`;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export const PHASE_LABELS: Record<Exclude<LoadPhase, 'ready'>, string> = {
  fetching: 'Downloading',
  cache: 'Reading from cache',
  shaders: 'Compiling GPU shaders',
};

/** What the page says about a failed load, and what it offers. */
export interface LoadFailure {
  name: string;
  title: string;
  message: string;
  /** Offer to delete cached models (storage full). */
  offerDelete?: boolean;
  /** Offer the f32 variant (shader-f16 missing). */
  alternative?: string;
}

/**
 * Turns a load error into words for the page. Errors arrive by name (they crossed a worker
 * boundary); a raw fetch failure still names the host the model comes from.
 */
export function describeLoadFailure(err: unknown, model: Pick<CatalogModel, 'modelId' | 'modelUrl'> | undefined, alternative?: string): LoadFailure {
  const name = err instanceof Error ? err.name : typeof err === 'object' && err && 'name' in err ? String((err as { name: unknown }).name) : 'Error';
  const message = err instanceof Error ? err.message : typeof err === 'object' && err && 'message' in err ? String((err as { message: unknown }).message) : String(err);
  const host = model ? hostOf(model.modelUrl) : 'the model host';
  const fetchFailed = /failed to fetch|networkerror|load failed|network/i.test(message);
  switch (name) {
    case 'NetworkError':
      // The worker's message usually opens with the same words; then it serves as the title.
      if (/^could not reach/i.test(message)) return { name, title: 'Download failed', message };
      return { name, title: `Could not reach ${host}`, message: message.includes(host) ? message : `${message} (model host: ${host})` };
    case 'LoadTimeoutError':
      return { name, title: 'The load stalled', message };
    case 'QuotaExceededError':
      return { name, title: 'Not enough storage for this model', message: `${message} Delete cached models you no longer need, or allow more storage, then retry.`, offerDelete: true };
    case 'ShaderF16MissingError': {
      const out: LoadFailure = { name, title: 'This GPU lacks shader-f16', message };
      if (alternative) out.alternative = alternative;
      return out;
    }
    case 'EngineLostError':
      return { name, title: 'The GPU engine stopped', message: `${message} This usually means the GPU ran out of memory; try a smaller model.` };
    case 'WebGPUUnavailableError':
      return { name, title: 'WebGPU is not available', message };
    default:
      if (name === 'TypeError' && fetchFailed) {
        return { name: 'NetworkError', title: `Could not reach ${host}`, message: `${message} while fetching ${model?.modelId ?? 'the model'} from ${host}.` };
      }
      return { name, title: 'The model could not be loaded', message };
  }
}
