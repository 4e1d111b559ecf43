/**
 * web-llm's model records as Understudy's CatalogModel, and back. Pure: only types come from
 * web-llm, so the page can use these helpers without loading the runtime.
 */
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import type { CatalogModel } from './protocol.ts';

/** Parameter counts of catalog families whose id does not carry one ("Phi-3.5-mini"). */
const KNOWN_SIZES: Array<[RegExp, number]> = [
  [/^phi-(?:3|3\.5|4)-mini/i, 3.8],
  [/^phi-2\b/i, 2.7],
  [/^phi-1_5\b/i, 1.3],
];

/** Billions of parameters from a model id: "Qwen2.5-0.5B-…" → 0.5, "SmolLM2-360M-…" → 0.36. */
export function parseParamsB(modelId: string): number | undefined {
  for (const part of modelId.split('-')) {
    // "1_6b" (stablelm) and "E2B" (gemma-4 effective size) appear too.
    const m = /^E?(\d+(?:[._]\d+)?)([BbMm])$/.exec(part);
    if (m) {
      const n = Number(m[1]!.replace('_', '.'));
      return m[2]!.toLowerCase() === 'm' ? n / 1000 : n;
    }
  }
  for (const [re, size] of KNOWN_SIZES) if (re.test(modelId)) return size;
  return undefined;
}

/** Quantisation tag from a model id: "…-q4f16_1-MLC" → "q4f16_1". */
export function parseQuantization(modelId: string): string | undefined {
  return /(?:^|-)(q\d+f\d+(?:_\d+)?)(?=-|$)/.exec(modelId)?.[1];
}

/** ModelType.LLM is 0; embedding (1) and VLM (2) models are not chat models for us. */
function isChatRecord(r: ModelRecord): boolean {
  return r.model_type === undefined || r.model_type === null || Number(r.model_type) === 0;
}

export function recordToCatalog(r: ModelRecord, custom: boolean): CatalogModel {
  const out: CatalogModel = {
    modelId: r.model_id,
    modelUrl: r.model,
    modelLibUrl: r.model_lib,
    requiredFeatures: [...(r.required_features ?? [])],
    custom,
  };
  if (r.vram_required_MB !== undefined) out.vramRequiredMB = r.vram_required_MB;
  if (r.low_resource_required !== undefined) out.lowResourceRequired = r.low_resource_required;
  const q = parseQuantization(r.model_id);
  if (q !== undefined) out.quantization = q;
  const p = parseParamsB(r.model_id);
  if (p !== undefined) out.paramsB = p;
  const ctx = r.overrides?.context_window_size;
  if (typeof ctx === 'number' && Number.isInteger(ctx) && ctx > 0) out.contextWindowSize = ctx;
  return out;
}

export function catalogToRecord(m: CatalogModel): ModelRecord {
  const r: ModelRecord = { model: m.modelUrl, model_id: m.modelId, model_lib: m.modelLibUrl };
  if (m.vramRequiredMB !== undefined) r.vram_required_MB = m.vramRequiredMB;
  if (m.lowResourceRequired !== undefined) r.low_resource_required = m.lowResourceRequired;
  if (m.requiredFeatures.length > 0) r.required_features = [...m.requiredFeatures];
  return r;
}

/** Smallest first: by parameter count, then GPU memory, then id; unknown sizes last. */
export function compareCatalog(a: CatalogModel, b: CatalogModel): number {
  const pa = a.paramsB ?? Number.POSITIVE_INFINITY;
  const pb = b.paramsB ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa - pb;
  const va = a.vramRequiredMB ?? Number.POSITIVE_INFINITY;
  const vb = b.vramRequiredMB ?? Number.POSITIVE_INFINITY;
  if (va !== vb) return va - vb;
  return a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0;
}

/**
 * Why a custom model record is unusable, in words, or null when it is fine. web-llm needs
 * absolute URLs for both the weights and the model library.
 */
export function validateCustomModel(m: CatalogModel): string | null {
  if (!m.modelId || !m.modelId.trim()) return 'A custom model needs a model id.';
  if (/[\s/\\]/.test(m.modelId)) return `Model id "${m.modelId}" may not contain spaces or slashes.`;
  const check = (what: string, url: string): string | null => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `The ${what} of "${m.modelId}" must be an absolute http(s) URL, such as https://host/path/ (got "${url}").`;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return `The ${what} of "${m.modelId}" must use http or https (got ${u.protocol}).`;
    }
    return null;
  };
  return check('model URL', m.modelUrl) ?? check('model library URL', m.modelLibUrl);
}

/**
 * The app config for web-llm: the prebuilt records plus custom ones (a custom record replaces
 * a prebuilt one with the same id).
 */
export function buildAppConfig(prebuilt: AppConfig, custom: CatalogModel[] | null): AppConfig {
  const extra = (custom ?? []).map(catalogToRecord);
  const ids = new Set(extra.map((r) => r.model_id));
  return { ...prebuilt, model_list: [...prebuilt.model_list.filter((r) => !ids.has(r.model_id)), ...extra] };
}

/** Chat models of an app config as the catalog, smallest first. */
export function catalogOf(prebuilt: AppConfig, custom: CatalogModel[] | null): CatalogModel[] {
  const customIds = new Set((custom ?? []).map((m) => m.modelId));
  return buildAppConfig(prebuilt, custom)
    .model_list.filter(isChatRecord)
    .map((r) => recordToCatalog(r, customIds.has(r.model_id)))
    .sort(compareCatalog);
}

/** The id of the same model with f32 shaders ("…-q4f16_1-MLC" → "…-q4f32_1-MLC"), if any. */
export function f32VariantOf(modelId: string, known: Iterable<string>): string | undefined {
  const candidate = modelId.replace(/(^|-)(q\d+)f16(_\d+)?(?=-|$)/, '$1$2f32$3');
  if (candidate === modelId) return undefined;
  for (const id of known) if (id === candidate) return candidate;
  return undefined;
}
