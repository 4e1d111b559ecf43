/**
 * Turns what wllama and llama.cpp report on failure (an exception plus native log lines) into an
 * EngineError whose name the page can act on and whose message says what to do.
 */
import { EngineError } from '../types.ts';

/** The largest single GGUF file wllama reads (one ArrayBuffer); larger models must be split. */
export const MAX_SINGLE_FILE_BYTES = 2 * 1024 ** 3;

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(n < 10 * 1024 ** 2 ? 1 : 0)} MiB`;

/** A file too big to load as one piece. */
export function tooLargeError(label: string, size: number): EngineError {
  return new EngineError(
    'ModelLoadError',
    `${label} is too large to load in the browser (${mib(size)}; at most ${mib(MAX_SINGLE_FILE_BYTES)} per file). Split it with llama-gguf-split --split-max-size 512M, or pick a smaller quantisation.`,
  );
}

/**
 * Maps a load failure. `logs` are the native log lines seen during the load (llama.cpp says
 * there what went wrong; the exception itself is often generic).
 */
export function mapLoadError(err: unknown, label: string, logs: readonly string[] = []): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  const all = [message, ...logs].join('\n');
  if (name === 'AbortError' || name === 'WllamaAbortError') return new EngineError('AbortError', `Loading ${label} was cancelled.`);
  const arch = /unknown model architecture:? '?([\w.-]+)'?/i.exec(all);
  if (arch) {
    return new EngineError(
      'ModelLoadError',
      `${label} uses the model architecture "${arch[1]}", which this build of llama.cpp does not support. Try a model of a common family (Llama, Qwen, Gemma, Phi, Mistral).`,
    );
  }
  if (/out of memory|failed to allocate|cannot allocate|Aborted\(OOM\)|Out of bounds memory|memory access out of bounds|Array buffer allocation failed|could not allocate/i.test(all)) {
    return new EngineError(
      'ModelLoadError',
      `${label} does not fit in the memory this tab may use (out of memory). Close other tabs, or pick a smaller model or quantisation.`,
    );
  }
  if (/not within the file bounds|tensor data is not|truncated|unexpected end|failed to read|corrupt|invalid magic|failed to load model|gguf_init|error loading model/i.test(all)) {
    const detail = firstUseful(logs) ?? message;
    return new EngineError(
      'ModelLoadError',
      `${label} could not be read by llama.cpp; it is probably truncated or corrupt (download it again)${detail ? `. llama.cpp said: ${detail}` : '.'}`,
    );
  }
  return new EngineError('ModelLoadError', `${label} could not be loaded: ${message || 'unknown error'}`);
}

/** The most telling native log line: one that mentions an error or a failure. */
function firstUseful(logs: readonly string[]): string | null {
  const line = logs.find((l) => /error|fail|invalid|bounds|corrupt/i.test(l));
  return line ? line.trim().slice(0, 300) : null;
}

/** Maps a failure during generation. */
export function mapCompleteError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  if (name === 'WllamaRuntimeError' || /RuntimeError|worker.*(terminated|died)|unreachable/i.test(`${name} ${message}`)) {
    return new EngineError('EngineLostError', `The llama.cpp runtime failed (${message}). Load the model again.`);
  }
  if (/model_not_loaded|not loaded|not yet called/i.test(`${message} ${(err as { type?: string } | null)?.type ?? ""}`)) return new EngineError('ModelNotLoadedError', 'No GGUF model is loaded in this engine.');
  if (/context|kv cache|n_ctx/i.test(message)) {
    return new EngineError('ContextOverflowError', `The conversation no longer fits in the model's context window (${message}).`);
  }
  return new EngineError('GenerationError', `llama.cpp failed to generate: ${message}`);
}
