import type { Run } from '../core/index.ts';
import { exportRunJsonl } from '../storage/export.ts';
import { app } from './app.svelte.ts';

/** Saves a file the person asked for. Nothing leaves the machine except by this explicit act. */
export function saveFile(name: string, text: string, type = 'application/x-ndjson'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function downloadRunJsonl(run: Run): Promise<void> {
  const text = await exportRunJsonl(app.storage, run.id);
  const slug = run.spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
  saveFile(`understudy-${slug}-${run.id}.jsonl`, text);
}
