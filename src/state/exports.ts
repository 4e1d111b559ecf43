import type { Run } from '../core/index.ts';
import { importRunBundle, type ImportedRun, type ImportProgress } from '../storage/bundle-import.ts';
import { exportRunJsonl } from '../storage/export.ts';
import { app, RUN_LOCK_PREFIX } from './app.svelte.ts';

export type { ImportedRun, ImportProgress } from '../storage/bundle-import.ts';

/** Saves a file the person asked for. Nothing leaves the machine except by this explicit act. */
export function saveFile(name: string, content: string | Blob, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(content instanceof Blob ? content : new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Saves a run as a JSONL bundle (docs/run-bundle.md); with `gzip`, compressed by the browser's
 * own `CompressionStream('gzip')` (a bundle compresses about tenfold; the import reads either).
 */
export async function downloadRunJsonl(run: Run, opts: { gzip?: boolean } = {}): Promise<void> {
  const text = await exportRunJsonl(app.storage, run.id);
  const slug = run.spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
  const name = `understudy-${slug}-${run.id}.jsonl`;
  if (!opts.gzip) return saveFile(name, text);
  const gz = await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).blob();
  saveFile(`${name}.gz`, new Blob([gz], { type: 'application/gzip' }));
}

/**
 * Imports a run bundle file (JSONL, or gzip-compressed JSONL) of any size as a new run: read as
 * a stream, validated line by line, stored all or nothing (see storage/bundle-import.ts). The
 * import holds the run's Web Lock, so another tab opening meanwhile leaves its staged sessions
 * alone. Rejects with a RunBundleError naming the line and field at fault, or the signal's
 * reason when cancelled; either way nothing is stored.
 */
export async function importRunFile(
  file: Blob,
  opts: { onProgress?: (p: ImportProgress) => void; signal?: AbortSignal } = {},
): Promise<ImportedRun> {
  try {
    return await importRunBundle(app.storage, file, { ...opts, hold: holdRunLock });
  } finally {
    await app.refreshRuns();
  }
}

async function holdRunLock<T>(runId: string, body: () => Promise<T>): Promise<T> {
  if (typeof navigator === 'undefined' || !navigator.locks) return body();
  let result: T | undefined;
  // ifAvailable: a held lock means this run is being executed or imported in a tab now.
  await navigator.locks.request(RUN_LOCK_PREFIX + runId, { ifAvailable: true }, async (lock) => {
    if (!lock) throw new Error(`The run "${runId}" is being run or imported in this or another tab; nothing was imported.`);
    result = await body();
  });
  return result as T;
}
