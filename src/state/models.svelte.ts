/**
 * The Models page's state: the device report, the catalog and what is cached, downloads with
 * phase-aware progress, custom models, storage, and which model fills each role.
 *
 * The device report is gathered in the page; the catalog, cache and loads go through the
 * web-llm worker client, which is imported only when the Models page first needs it, so the
 * app shell never downloads web-llm.
 */
import { gatherDeviceReport } from '../engine/device.ts';
import {
  availabilityOf,
  checkConfigResponse,
  configUrlOf,
  describeLoadFailure,
  etaOf,
  f32Variant,
  fitOf,
  hostOf,
  sortSmallestFirst,
  validateCustomModel,
  type Availability,
  type CustomModelInput,
  type Eta,
  type FieldIssue,
  type Fit,
  type LoadFailure,
} from '../engine/catalog.ts';
import type { CatalogModel, DeviceReport, LoadPhase, LoadProgress } from '../engine/webllm/protocol.ts';
import type { DeleteModelOptions, ModelCacheStatus, ModelDeleteReport } from '../engine/webllm/protocol.ts';
import { webLlmContext, webLlmMemoryMB } from '../engine/context.ts';
import type { Storage } from '../storage/repo.ts';
import { app } from './app.svelte.ts';

/** What this page needs from the web-llm worker client (src/engine/webllm/client.ts). */
export interface ModelsClient {
  load(
    modelId: string,
    custom: CatalogModel[] | null,
    onProgress?: (p: LoadProgress) => void,
    signal?: AbortSignal,
    opts?: { contextWindowSize?: number },
  ): Promise<void>;
  unload(): Promise<void>;
  catalog(custom: CatalogModel[] | null): Promise<CatalogModel[]>;
  cacheStatus(ids: string[], custom: CatalogModel[] | null): Promise<Record<string, ModelCacheStatus>>;
  deleteModel(id: string, custom: CatalogModel[] | null, opts?: DeleteModelOptions): Promise<ModelDeleteReport>;
  dispose(): unknown;
}

/** The seats a model can fill. */
export type Role = 'user' | 'agent' | 'judge';
export const ROLES: readonly Role[] = ['user', 'agent', 'judge'];
export const ROLE_LABELS: Record<Role, string> = { user: 'User simulator', agent: 'Agent', judge: 'Judge' };

/**
 * Which model fills each role, and how engines are shared. Each is a model reference: a web-llm
 * model id, or `gguf:<id>` for a stored GGUF model run by llama.cpp (wllama); read them with
 * resolveModelRef (src/state/gguf.svelte.ts). Empty string: no model chosen.
 * 'per-role': each role gets its own worker and keeps its own KV cache across turns.
 * 'shared': one worker and one model for every role; saves GPU memory, but the roles
 * alternate on one engine, so each turn prefills the whole history again.
 */
export interface RoleSettings {
  mode: 'per-role' | 'shared';
  user: string;
  agent: string;
  judge: string;
  /** The model every role uses in 'shared' mode. */
  shared: string;
  /** Reset each engine's chat before every request: token-exact replays, at the cost of speed. */
  resetChat: boolean;
  /**
   * Constrain the LLM agent's prompted tool calls with the engine's grammar (web-llm: a
   * structural tag; llama.cpp: a lazy grammar): once the model opens a `<tool_call>` block it
   * must write a well-formed call to a declared tool. Text outside calls stays free. Off by
   * default, so runs measure the model as it is; stored with each session's agent seat.
   */
  constrainToolCalls: boolean;
}

export const ROLES_KEY = 'models.roles';

/** The model reference that plays `role` under saved settings ('' when none is chosen). */
export function roleModelRef(saved: Partial<RoleSettings>, role: Role): string {
  return (saved.mode === 'shared' ? saved.shared : saved[role]) ?? '';
}
export const CUSTOM_MODELS_KEY = 'models.custom';

/**
 * Settings of one model, whatever role it plays, kept by model reference (a web-llm id or
 * `gguf:<id>`). Absent fields take the model's defaults (src/engine/context.ts for the window,
 * src/engine/thinking-switch.ts for thinking).
 */
export interface ModelSettings {
  /** Context window in tokens the model is loaded with (web-llm `context_window_size`, llama.cpp `n_ctx`). */
  contextTokens?: number;
  /** Thinking models: let the model think (true) or ask it not to (false). */
  enableThinking?: boolean;
}
export const MODEL_SETTINGS_KEY = 'models.perModel';
const DEFAULT_ROLES: RoleSettings = { mode: 'per-role', user: '', agent: '', judge: '', shared: '', resetChat: false, constrainToolCalls: false };

/** One phase's latest progress, and when it began (for the rate and ETA). */
export interface PhaseProgress {
  fraction: number;
  loadedBytes?: number;
  totalBytes?: number;
  /** Epoch ms when the phase's first report arrived. */
  startedAt: number;
  done: boolean;
}

/** The state of one model's latest load on this page. */
export interface LoadState {
  modelId: string;
  status: 'loading' | 'ready' | 'error' | 'cancelled';
  phase?: LoadPhase;
  phases: Partial<Record<Exclude<LoadPhase, 'ready'>, PhaseProgress>>;
  startedAt: number;
  /** Epoch ms of the last progress report, to show a stall before the client's timeout. */
  lastProgressAt: number;
  failure?: LoadFailure;
}

/** A row of the catalog table, with everything the page shows about it. */
export interface ModelRow {
  model: CatalogModel;
  fit: Fit;
  availability: Availability;
  /** Ready to load offline: weights, library and config cached (undefined until read). */
  cached: boolean | undefined;
  /** What of it is cached, and which models share its files. */
  cache: ModelCacheStatus | undefined;
}

const names = (ids: string[]): string => (ids.length <= 1 ? (ids[0] ?? '') : `${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}`);

/**
 * The Cached column: "cached" only when the model can load offline (weights, library and
 * config); weights without the rest say what is missing, since loading needs the network again.
 */
export function cacheLabel(s: ModelCacheStatus | undefined): { text: string; tone: 'pass' | 'warn' | 'none'; note?: string; title?: string } {
  if (!s?.weights) return { text: '—', tone: 'none' };
  const title = s.librarySharedWith.length ? `Model library shared with ${names(s.librarySharedWith)}` : undefined;
  const note = s.weightsSharedWith.length ? `same download as ${names(s.weightsSharedWith)}` : undefined;
  const withNotes = <T extends object>(l: T) => ({ ...l, ...(note ? { note } : {}), ...(title ? { title } : {}) });
  if (s.cached) return withNotes({ text: 'cached', tone: 'pass' as const });
  const missing = [!s.library && 'library', !s.config && 'config'].filter((x): x is string => !!x);
  return withNotes({ text: `weights cached, ${missing.join(' and ')} missing`, tone: 'warn' as const });
}

/**
 * What the Delete button asks, and which models it deletes with this one. A model that shares
 * its weights (a -1k/4k pair: the same download under two names) cannot free them alone, so
 * the question offers to delete them together; a library another cached model uses is kept.
 */
export function deletePlan(modelId: string, s: ModelCacheStatus | undefined): { message: string; alsoDelete: string[] } {
  const alsoDelete = s?.weightsSharedWith ?? [];
  const group = new Set([modelId, ...alsoDelete]);
  const libraryUsers = (s?.librarySharedWith ?? []).filter((id) => !group.has(id));
  const libraryNote = libraryUsers.length
    ? ` The model library stays: ${names(libraryUsers)} (cached) ${libraryUsers.length === 1 ? 'uses' : 'use'} it too.`
    : '';
  if (alsoDelete.length) {
    const all = [modelId, ...alsoDelete];
    return {
      message:
        `${names(all)} are the same download: they share their weights, tokenizer and config, so deleting ${modelId} alone would free nothing. ` +
        `Delete ${all.length === 2 ? 'both' : `all ${all.length}`}? They will be downloaded again when needed.${libraryNote}`,
      alsoDelete,
    };
  }
  return { message: `Delete the cached files of ${modelId}? It will be downloaded again when needed.${libraryNote}`, alsoDelete: [] };
}

/** What a delete did, in words: what was removed, and what was kept for which cached models. */
export function describeDeletion(r: ModelDeleteReport): string {
  const what = (kind: 'weights' | 'library') => (kind === 'weights' ? 'the weights, tokenizer and config' : 'the model library');
  const removed = r.files.filter((f) => f.removed).map((f) => what(f.kind));
  const kept = r.files
    .filter((f) => !f.removed)
    .map((f) => `${what(f.kind)}, which ${names(f.keptFor)} still ${f.keptFor.length === 1 ? 'uses' : 'use'}`);
  if (!removed.length) {
    const sharers = [...new Set(r.files.filter((f) => f.kind === 'weights' && !f.removed).flatMap((f) => f.keptFor))];
    const offline = sharers.length ? ` ${names(r.deleted)} stays ready offline on the same files; delete it together with ${names(sharers)} to free the space.` : '';
    return `Nothing was deleted: kept ${kept.join(', and ')}.${offline}`;
  }
  return `Deleted ${names(r.deleted)}: removed ${[...new Set(removed)].join(' and ')}${kept.length ? `; kept ${kept.join(', and ')}` : ''}.`;
}

/** Seconds without progress after which the page shows a load as stalled. */
export const STALL_SECONDS = 20;
/** Seconds without progress after which the client gives a load up (LoadTimeoutError). */
export const LOAD_TIMEOUT_SECONDS = 60;

export interface ModelsDeps {
  client: () => Promise<ModelsClient>;
  storage: () => Storage | undefined;
  gpu: () => GPU | undefined | null;
  navStorage: () => StorageManager | undefined;
  fetch: typeof fetch;
  now: () => number;
}

const defaultDeps: ModelsDeps = {
  client: async () => {
    const { WebLlmClient } = await import('../engine/webllm/client.ts');
    return new WebLlmClient({ stallTimeoutMs: LOAD_TIMEOUT_SECONDS * 1000 });
  },
  storage: () => undefined,
  gpu: () => (typeof navigator === 'undefined' ? undefined : navigator.gpu),
  navStorage: () => (typeof navigator === 'undefined' ? undefined : navigator.storage),
  fetch: (...args) => fetch(...args),
  now: () => Date.now(),
};

export class ModelsState {
  device = $state.raw<DeviceReport | null>(null);
  catalog = $state.raw<CatalogModel[]>([]);
  catalogStatus = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  catalogError = $state<string | null>(null);
  cached = $state.raw<Record<string, ModelCacheStatus>>({});
  custom = $state.raw<CatalogModel[]>([]);
  loads = $state.raw<Record<string, LoadState>>({});
  storageEstimate = $state.raw<{ usage: number; quota: number } | null>(null);
  persisted = $state<boolean | null>(null);
  persistMessage = $state<string | null>(null);
  roles = $state.raw<RoleSettings>({ ...DEFAULT_ROLES });
  /** Per-model settings (context window, thinking), by model reference. */
  perModel = $state.raw<Record<string, ModelSettings>>({});
  /** Ticks each second while a load runs, so ETAs and stall warnings update. */
  now = $state(Date.now());
  actionError = $state<string | null>(null);
  /** What the last delete removed and kept (describeDeletion). */
  deleteNotice = $state<string | null>(null);

  private deps: ModelsDeps;
  private client: Promise<ModelsClient> | null = null;
  private abort: AbortController | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private started = false;

  constructor(deps: Partial<ModelsDeps> = {}) {
    this.deps = { ...defaultDeps, ...deps };
  }

  /** Every model the page knows: the catalog (which includes custom ones) smallest first. */
  rows = $derived.by((): ModelRow[] => {
    const ids = new Set(this.catalog.map((m) => m.modelId));
    return sortSmallestFirst(this.catalog).map((model) => ({
      model,
      fit: fitOf(model, this.device),
      availability: availabilityOf(model, this.device, ids),
      cached: this.cached[model.modelId]?.cached,
      cache: this.cached[model.modelId],
    }));
  });

  /** The model being loaded now, if any: one load at a time on this page's engine. */
  active = $derived(Object.values(this.loads).find((l) => l.status === 'loading') ?? null);

  cachedCount = $derived(Object.values(this.cached).filter((s) => s.cached).length);

  /** Called when the Models page opens: device report, settings, storage, then the catalog. */
  async open(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await Promise.all([this.refreshDevice(), this.ensureSettings(), this.refreshStorage()]);
    await this.loadCatalog();
  }

  async refreshDevice(): Promise<void> {
    this.device = await gatherDeviceReport(this.deps.gpu());
  }

  #settingsLoaded: Promise<void> | null = null;

  /**
   * Loads the saved roles and custom models once. Pages that only read the roles (New run) call
   * this instead of open(), which also loads the catalog; both then see the same live choice,
   * even when it was changed a moment ago and is still being written.
   */
  ensureSettings(): Promise<void> {
    this.#settingsLoaded ??= this.loadSettings();
    return this.#settingsLoaded;
  }

  private async loadSettings(): Promise<void> {
    const storage = this.deps.storage();
    if (!storage) return;
    const roles = await storage.getSetting<Partial<RoleSettings>>(ROLES_KEY);
    if (roles && typeof roles === 'object') this.roles = { ...DEFAULT_ROLES, ...roles };
    const custom = await storage.getSetting<CatalogModel[]>(CUSTOM_MODELS_KEY);
    if (Array.isArray(custom)) this.custom = custom;
    const perModel = await storage.getSetting<Record<string, ModelSettings>>(MODEL_SETTINGS_KEY);
    if (perModel && typeof perModel === 'object' && !Array.isArray(perModel)) this.perModel = perModel;
  }

  /**
   * Changes one model's settings; a field set to undefined goes back to the model's default.
   * Stored at once, so the next run loads the model with them.
   */
  async setModelSettings(ref: string, patch: ModelSettings): Promise<void> {
    const next: ModelSettings = { ...this.perModel[ref], ...patch };
    for (const k of Object.keys(next) as (keyof ModelSettings)[]) if (next[k] === undefined) delete next[k];
    const all = { ...this.perModel };
    if (Object.keys(next).length) all[ref] = next;
    else delete all[ref];
    this.perModel = all;
    await this.deps.storage()?.putSetting(MODEL_SETTINGS_KEY, $state.snapshot(all));
  }

  private getClient(): Promise<ModelsClient> {
    this.client ??= this.deps.client().catch((err: unknown) => {
      this.client = null;
      throw err;
    });
    return this.client;
  }

  private customOrNull(): CatalogModel[] | null {
    return this.custom.length ? this.custom : null;
  }

  /** Reads the catalog and what is cached; on failure the page shows the error and a retry. */
  async loadCatalog(): Promise<void> {
    this.catalogStatus = 'loading';
    this.catalogError = null;
    try {
      const client = await this.getClient();
      this.catalog = await client.catalog(this.customOrNull());
      this.catalogStatus = 'ready';
    } catch (err) {
      this.catalogError = `Could not read the model catalog: ${errorText(err)}`;
      this.catalogStatus = 'error';
      return;
    }
    await this.refreshCached();
  }

  async refreshCached(): Promise<void> {
    try {
      const client = await this.getClient();
      this.cached = await client.cacheStatus(
        this.catalog.map((m) => m.modelId),
        this.customOrNull(),
      );
    } catch (err) {
      this.actionError = `Could not read which models are cached: ${errorText(err)}`;
    }
  }

  async refreshStorage(): Promise<void> {
    const s = this.deps.navStorage();
    if (!s?.estimate) return;
    try {
      const { usage = 0, quota = 0 } = await s.estimate();
      this.storageEstimate = { usage, quota };
      this.persisted = s.persisted ? await s.persisted() : null;
    } catch {
      this.storageEstimate = null;
    }
  }

  /** Asks the browser to keep this site's data (the cached models) under storage pressure. */
  async persist(): Promise<void> {
    const s = this.deps.navStorage();
    if (!s?.persist) {
      this.persistMessage = 'This browser cannot be asked to keep site data.';
      return;
    }
    const granted = await s.persist();
    this.persisted = granted;
    this.persistMessage = granted
      ? 'The browser will keep your models unless you clear site data yourself.'
      : 'The browser declined for now. Browsers grant this more readily to sites you visit often or bookmark; models stay cached but may be evicted when space runs low.';
  }

  /** Downloads (or reads from cache) and compiles a model, with progress; one at a time. */
  async load(modelId: string): Promise<void> {
    if (this.active) return;
    const model = this.catalog.find((m) => m.modelId === modelId);
    const startedAt = this.deps.now();
    this.setLoad({ modelId, status: 'loading', phases: {}, startedAt, lastProgressAt: startedAt });
    const abort = new AbortController();
    this.abort = abort;
    this.startTicker();
    try {
      const client = await this.getClient();
      // Checked at the window a run would use, so a window too large for the GPU shows here.
      const context = model ? webLlmContext(model, this.perModel[modelId]?.contextTokens).tokens : undefined;
      await client.load(modelId, this.customOrNull(), (p) => this.onProgress(modelId, p), abort.signal, context !== undefined ? { contextWindowSize: context } : {});
      // A load here is a check: the model is unloaded again at once, so its GPU memory is free
      // for the run, which loads each role's model in an engine of its own.
      await client.unload().catch(() => undefined);
      this.patchLoad(modelId, { status: 'ready', phase: 'ready' });
    } catch (err) {
      if (abort.signal.aborted || (err instanceof Error && err.name === 'AbortError')) {
        // The client ends the worker of a cancelled load and starts a fresh one on next use.
        this.patchLoad(modelId, { status: 'cancelled' });
      } else {
        const alt = f32Variant(modelId);
        const known = alt && this.catalog.some((m) => m.modelId === alt) ? alt : undefined;
        this.patchLoad(modelId, { status: 'error', failure: describeLoadFailure(err, model, known) });
      }
    } finally {
      if (this.abort === abort) this.abort = null;
      this.stopTicker();
    }
    await Promise.all([this.refreshCached(), this.refreshStorage()]);
  }

  cancel(): void {
    this.abort?.abort();
  }

  private onProgress(modelId: string, p: LoadProgress): void {
    const cur = this.loads[modelId];
    if (!cur || cur.status !== 'loading') return;
    const now = this.deps.now();
    const phases = { ...cur.phases };
    if (p.phase !== 'ready') {
      // A new phase finishes the ones before it.
      for (const k of Object.keys(phases) as (keyof typeof phases)[]) {
        if (k !== p.phase) phases[k] = { ...phases[k]!, fraction: 1, done: true };
      }
      const prev = phases[p.phase];
      const next: PhaseProgress = { fraction: p.fraction, startedAt: prev?.startedAt ?? now, done: p.fraction >= 1 };
      if (p.loadedBytes !== undefined) next.loadedBytes = p.loadedBytes;
      if (p.totalBytes !== undefined) next.totalBytes = p.totalBytes;
      phases[p.phase] = next;
    }
    this.patchLoad(modelId, { phase: p.phase, phases, lastProgressAt: now });
  }

  /** Rate and time left of a phase, as of the last tick. */
  etaOf(load: LoadState, phase: Exclude<LoadPhase, 'ready'>): Eta {
    const p = load.phases[phase];
    if (!p || p.done) return {};
    return etaOf(p, (this.now - p.startedAt) / 1000);
  }

  /** Seconds since the load last reported progress, when it looks stalled. */
  stalledFor(load: LoadState): number | null {
    if (load.status !== 'loading') return null;
    const s = (this.now - load.lastProgressAt) / 1000;
    return s >= STALL_SECONDS ? Math.floor(s) : null;
  }

  dismiss(modelId: string): void {
    const { [modelId]: _gone, ...rest } = this.loads;
    this.loads = rest;
  }

  /** Deletes a model's cached files, with `alsoDelete` (deletePlan), keeping files other cached models use. */
  async deleteModel(modelId: string, alsoDelete: string[] = []): Promise<void> {
    this.actionError = null;
    this.deleteNotice = null;
    try {
      const client = await this.getClient();
      const report = await client.deleteModel(modelId, this.customOrNull(), alsoDelete.length ? { alsoDelete } : undefined);
      for (const id of report.deleted) this.dismiss(id);
      this.deleteNotice = describeDeletion(report);
    } catch (err) {
      this.actionError = `Could not delete ${modelId}: ${errorText(err)}`;
    }
    await Promise.all([this.refreshCached(), this.refreshStorage()]);
  }

  /**
   * Validates a custom model, checks its host serves a real mlc-chat-config.json (not an HTML
   * page), then stores it. Returns the problems, empty when it was added.
   */
  async addCustom(input: CustomModelInput): Promise<FieldIssue[]> {
    const taken = new Set([...this.catalog.map((m) => m.modelId), ...this.custom.map((m) => m.modelId)]);
    const v = validateCustomModel(input, taken);
    if (!v.ok) return v.issues;
    const url = configUrlOf(v.model.modelUrl);
    try {
      const res = await this.deps.fetch(url, { cache: 'no-store' });
      await checkConfigResponse(res, url);
    } catch (err) {
      const msg = err instanceof TypeError ? `Could not reach ${hostOf(url)} (${err.message}). Check the URL, and that the host allows this page (CORS).` : errorText(err);
      return [{ field: 'modelUrl', message: msg }];
    }
    this.custom = [...this.custom, v.model];
    await this.saveCustom();
    await this.reloadCatalog();
    return [];
  }

  async removeCustom(modelId: string): Promise<void> {
    this.custom = this.custom.filter((m) => m.modelId !== modelId);
    await this.saveCustom();
    await this.reloadCatalog();
  }

  private async saveCustom(): Promise<void> {
    await this.deps.storage()?.putSetting(CUSTOM_MODELS_KEY, $state.snapshot(this.custom));
  }

  private async reloadCatalog(): Promise<void> {
    if (this.catalogStatus === 'ready' || this.catalogStatus === 'error') await this.loadCatalog();
  }

  async setRoles(patch: Partial<RoleSettings>): Promise<void> {
    this.roles = { ...this.roles, ...patch };
    await this.deps.storage()?.putSetting(ROLES_KEY, { ...this.roles });
  }

  /** Clears every role (and the shared model) that uses `ref`, e.g. a GGUF model just deleted. */
  async forgetModelRef(ref: string): Promise<void> {
    const patch: Partial<RoleSettings> = {};
    for (const k of [...ROLES, 'shared'] as const) if (this.roles[k] === ref) patch[k] = '';
    if (Object.keys(patch).length) await this.setRoles(patch);
  }

  /** GPU memory the chosen roles need in each mode, in MB, from the catalog's figures at each model's window. */
  memoryByMode = $derived.by(() => {
    const need = (id: string) => {
      const m = this.catalog.find((x) => x.modelId === id);
      return m ? (webLlmMemoryMB(m.vramRequiredMB, webLlmContext(m, this.perModel[id]?.contextTokens)) ?? 0) : 0;
    };
    const perRole = ROLES.reduce((sum, r) => sum + need(this.roles[r]), 0);
    const shared = need(this.roles.shared || this.roles.agent || this.roles.user || this.roles.judge);
    return { perRole, shared };
  });

  private setLoad(l: LoadState): void {
    this.loads = { ...this.loads, [l.modelId]: l };
  }

  private patchLoad(modelId: string, patch: Partial<LoadState>): void {
    const cur = this.loads[modelId];
    if (cur) this.setLoad({ ...cur, ...patch });
  }

  private startTicker(): void {
    this.now = this.deps.now();
    this.ticker ??= setInterval(() => (this.now = this.deps.now()), 1000);
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.now = this.deps.now();
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

/** The app's one instance, reading settings from the app's storage once that is open. */
export const models = new ModelsState({ storage: () => (app.ready ? app.storage : undefined) });
