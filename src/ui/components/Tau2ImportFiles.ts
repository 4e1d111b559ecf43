/**
 * Gathering a τ²-bench domain's files from what the person picked or dropped: a folder (with
 * `webkitRelativePath`), loose files, or a drop of either. Browser-only helpers for
 * Tau2Import.svelte; nothing here reads the files' contents.
 */

/** The files an import reads, by their name in a τ²-bench domain folder. */
export const TAU2_REQUIRED = ['db.json', 'policy.md', 'tasks.json'] as const;
/** Read when present: τ²-bench's train / test / base task lists. */
export const TAU2_OPTIONAL = ['split_tasks.json'] as const;

export type Tau2FileName = (typeof TAU2_REQUIRED)[number] | (typeof TAU2_OPTIONAL)[number];

/** A picked file with the folder path it came from ('' for loose files). */
export interface PickedFile {
  file: File;
  /** Folder part of the path, e.g. "tau2-bench/retail"; '' when none. */
  dir: string;
}

/** One domain's files, or why they cannot be one domain. */
export type Tau2Selection =
  | { ok: true; files: Partial<Record<Tau2FileName, File>>; dir: string; ignored: string[] }
  | { ok: false; message: string };

const WANTED = new Set<string>([...TAU2_REQUIRED, ...TAU2_OPTIONAL]);

/** Files from an `<input type="file">`, keeping each one's folder when a folder was picked. */
export function fromFileList(list: FileList | File[]): PickedFile[] {
  return [...list].map((file) => {
    const rel = (file as File & { webkitRelativePath?: string }).webkitRelativePath ?? '';
    return { file, dir: rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '' };
  });
}

/**
 * Files from a drop: loose files as they are, folders walked (the entries API is the only way
 * a drop reveals a folder's contents).
 */
export async function fromDrop(data: DataTransfer): Promise<PickedFile[]> {
  const entries = [...data.items]
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) return fromFileList(data.files);
  const out: PickedFile[] = [];
  for (const entry of entries as FileSystemEntry[]) await walk(entry, '', out);
  return out;
}

async function walk(entry: FileSystemEntry, dir: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ file, dir });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const here = dir ? `${dir}/${entry.name}` : entry.name;
  // readEntries hands out a folder in batches until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (batch.length === 0) break;
    for (const e of batch) await walk(e, here, out);
  }
}

/**
 * Picks one domain's files out of what was chosen. A folder holding several domains (the
 * whole tau2-bench data folder) is refused with their names, so the person picks one.
 */
export function selectTau2Files(picked: readonly PickedFile[]): Tau2Selection {
  const relevant = picked.filter((p) => WANTED.has(p.file.name));
  const dirs = [...new Set(relevant.map((p) => p.dir))];
  if (dirs.length > 1) {
    const names = dirs.map((d) => d.split('/').pop() || '(top)').sort();
    return {
      ok: false,
      message: `The folder holds several τ²-bench domains (${names.join(', ')}). Choose one domain's folder, e.g. ${names[names.length - 1]}.`,
    };
  }
  const files: Partial<Record<Tau2FileName, File>> = {};
  for (const p of relevant) {
    const name = p.file.name as Tau2FileName;
    if (files[name]) return { ok: false, message: `${name} was chosen twice; choose one copy.` };
    files[name] = p.file;
  }
  if (relevant.length === 0) {
    return {
      ok: false,
      message: `No τ²-bench files found. A domain folder holds ${TAU2_REQUIRED.join(', ')}${picked.length ? ` (got ${picked.map((p) => p.file.name).slice(0, 5).join(', ')}${picked.length > 5 ? ', …' : ''})` : ''}.`,
    };
  }
  const ignored = picked.filter((p) => !WANTED.has(p.file.name)).map((p) => p.file.name);
  return { ok: true, files, dir: dirs[0] ?? '', ignored };
}

/** "2.8 MB", "346 KB", "281 B". */
export function formatBytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${n} B`;
}
