/**
 * Turns whatever web-llm, tvmjs or the browser throws into an EngineError whose name the page
 * can act on. web-llm's errors are plain Errors told apart by `name`; browser failures
 * (fetch, Cache API, WebGPU) are told apart by name and message.
 */
import { ENGINE_ERROR_NAMES, EngineError } from '../types.ts';

/** What was going on when the error came, so the message can say what to do. */
export interface ErrorContext {
  op: 'load' | 'complete' | 'unload' | 'cache' | 'delete' | 'device';
  modelId?: string;
  modelUrl?: string;
  modelLibUrl?: string;
  /** Ids known to the catalog, to offer an f32 variant. */
  f32Variant?: string;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

function nameAndMessage(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  if (typeof err === 'object' && err !== null) {
    const o = err as { name?: unknown; message?: unknown };
    return {
      name: typeof o.name === 'string' ? o.name : 'Error',
      message: typeof o.message === 'string' ? o.message : String(err),
    };
  }
  return { name: 'Error', message: String(err) };
}

const KNOWN = new Set<string>(ENGINE_ERROR_NAMES);
const DOM_NAMES = new Set(['NetworkError', 'QuotaExceededError', 'AbortError']);

/** Whether an error (from any side of a boundary) means the engine must be recreated. */
export function isEngineLost(err: unknown): boolean {
  const { name, message } = nameAndMessage(err);
  return (
    name === 'EngineLostError' ||
    name === 'DeviceLostError' ||
    name === 'GPUDeviceLostError' ||
    /device (was |is |has been )?lost|lost the (gpu )?device/i.test(message)
  );
}

/**
 * A device lost after a successful load is only logged by web-llm, which then unloads the
 * model itself; the next request fails with ModelNotLoadedError. When we know the model had
 * loaded, that error means the engine is gone: this is the EngineLostError it becomes, so the
 * page ends the worker and loads the model again in a fresh one.
 */
export function lostAfterLoad(modelId: string | null | undefined, detail?: string): EngineError {
  return new EngineError(
    'EngineLostError',
    `The GPU device was lost after ${modelId ?? 'the model'} had loaded (web-llm unloaded it), most often because the GPU ran out of memory or was reset. ` +
      'The engine will be restarted and the model loaded again.' +
      (detail ? ` (${detail})` : ''),
  );
}

/**
 * The message for web-llm's ContextWindowSizeExceededError, whose own text reads
 * "number of prompt tokens: P; context window size: W": the name is kept (the page matches on
 * it), the words say where the size is set.
 */
function contextWindowExceeded(message: string, model: string): EngineError {
  const m = /prompt tokens:\s*(\d+)\s*;\s*context window size:\s*(-?\d+)/i.exec(message);
  const window = m ? `the ${m[2]}-token context window` : 'the context window';
  const counted = m ? ` (web-llm counted ${m[1]} prompt tokens to add)` : '';
  return new EngineError(
    'ContextWindowSizeExceededError',
    `The prompt did not fit ${window} of ${model}${counted}. Shorten the conversation, or set a larger context size for the model on the Models page (a larger window takes more GPU memory).`,
  );
}

export function toEngineError(err: unknown, ctx: ErrorContext): EngineError {
  const { name, message } = nameAndMessage(err);
  const model = ctx.modelId ?? 'the model';

  // Ours already (from a nested call): keep as is.
  if (err instanceof EngineError && KNOWN.has(err.name)) return err;
  // Names the browser also uses (DOMException) get our own message below instead.
  if (KNOWN.has(name) && !DOM_NAMES.has(name)) return new EngineError(name, message);

  if (isEngineLost(err)) {
    return new EngineError(
      'EngineLostError',
      `The GPU device was lost${ctx.op === 'load' ? ` while loading ${model}` : ''}, most often because it ran out of memory. ` +
        'The engine will be restarted; try a smaller model or close other GPU-heavy tabs.' +
        (message ? ` (${message})` : ''),
    );
  }

  if (name === 'ShaderF16SupportError' || (name === 'FeatureSupportError' && /shader-f16/.test(message)) || /shader-f16/.test(message)) {
    const offer = ctx.f32Variant
      ? ` Use the q4f32 variant ${ctx.f32Variant} instead.`
      : ' Choose a q4f32 (or q0f32) variant of the model instead.';
    return new EngineError(
      'ShaderF16MissingError',
      `${model} needs the WebGPU feature shader-f16, which this browser or GPU does not offer.${offer}`,
    );
  }

  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return new EngineError(
      'QuotaExceededError',
      `Not enough browser storage to ${ctx.op === 'load' ? `download ${model}` : 'finish'}: the storage quota is exceeded. ` +
        'Delete cached models you no longer need (Models page), or allow persistent storage, then retry.',
    );
  }

  if (name === 'AbortError') return new EngineError('AbortError', message || 'Aborted.');

  if (
    name === 'WebGPUNotAvailableError' ||
    name === 'WebGPUNotFoundError' ||
    /webgpu is not supported|cannot find webgpu|unable to find a compatible gpu|no (webgpu )?adapter/i.test(message)
  ) {
    return new EngineError(
      'WebGPUUnavailableError',
      'WebGPU is not available here, so models cannot run on this device\'s GPU. ' +
        'Use a browser with WebGPU enabled (a recent Chrome or Edge, or Chromium with --enable-unsafe-webgpu).' +
        (message ? ` (${message})` : ''),
    );
  }

  if (name === 'ContextWindowSizeExceededError') {
    if (err instanceof EngineError) return err;
    return contextWindowExceeded(message, model);
  }

  if (name === 'ModelNotLoadedError') {
    return new EngineError('ModelNotLoadedError', 'No model is loaded in this engine: load one before asking it to complete.');
  }

  if (ctx.op === 'load') {
    const isFetch =
      name === 'NetworkError' ||
      (name === 'TypeError' && /failed to fetch|networkerror|load failed|fetch failed|network/i.test(message)) ||
      /failed to fetch|err_(name_not_resolved|connection|internet|address)/i.test(message);
    if (isFetch) {
      const modelHost = hostOf(ctx.modelUrl);
      const libHost = hostOf(ctx.modelLibUrl);
      const hosts = [modelHost, libHost].filter((h, i, a): h is string => !!h && a.indexOf(h) === i);
      const where = hosts.length > 0 ? hosts.join(' or ') : 'the model host';
      const which =
        hosts.length > 1 ? ` (weights from ${modelHost}, model library from ${libHost})` : '';
      return new EngineError(
        'NetworkError',
        `Could not reach ${where} to download ${model}${which}: check the network, or use a self-hosted mirror (custom model URLs on the Models page).`,
      );
    }
    if (name === 'SyntaxError' || /unexpected token\s*'?<|<!doctype|not valid json/i.test(message)) {
      return new EngineError(
        'ModelLoadError',
        `The model host for ${model} answered with something that is not a model file (an HTML page?). ` +
          `Check the model URL${ctx.modelUrl ? ` ${ctx.modelUrl}` : ''}: it must point at the folder holding mlc-chat-config.json. (${message})`,
      );
    }
    if (name === 'ModelNotFoundError') {
      return new EngineError('ModelLoadError', `Unknown model id ${model}: it is neither in web-llm's catalog nor a custom model.`);
    }
    return new EngineError('ModelLoadError', `Could not load ${model}: ${message || name}`);
  }

  // Keep web-llm's own names (ContextWindowSizeExceededError, …): they say what went wrong.
  const keep = name && name !== 'Error' && name !== 'TypeError' ? name : ctx.op === 'complete' ? 'GenerationError' : 'EngineError';
  return new EngineError(keep, message || name);
}
