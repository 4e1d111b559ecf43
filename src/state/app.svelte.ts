import {
  DOMAINS,
  ValidationError,
  expandPack,
  parseJsonText,
  validatePersona,
  validatePersonaSet,
  validateScenario,
  validateScenarioPack,
  canonicalHash,
  type DomainCatalog,
  type Json,
  type Persona,
  type Run,
  type Scenario,
} from '../core/index.ts';
import { Storage } from '../storage/repo.ts';
import type { StoredPersona, StoredScenario } from '../storage/db.ts';

/** Which tools each domain implements: what validation checks scenario tools against. */
export const domainCatalog: DomainCatalog = {
  toolsOf: (domain) => {
    const d = DOMAINS[domain];
    return d ? Object.keys(d.tools) : undefined;
  },
};

/** Setting holding the hash of the built-in scenarios and personas last written. */
const BUILTINS_KEY = 'builtins.hash';

/** What a JSON import turned out to be, and how many items it added. */
export interface ImportResult {
  kind: 'scenario pack' | 'scenario' | 'persona set' | 'persona';
  count: number;
  ids: string[];
}

/** Files over this size are refused before parsing, so a stray file cannot freeze the tab. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

/**
 * The app's shared state: the library of scenarios and personas and the list of runs,
 * kept in step with storage. Pages read these fields and call the methods; they never open
 * the database themselves.
 */
export class AppState {
  ready = $state(false);
  fatal = $state<string | null>(null);
  scenarios = $state.raw<StoredScenario[]>([]);
  personas = $state.raw<StoredPersona[]>([]);
  runs = $state.raw<Run[]>([]);
  /** Sessions marked interrupted at start-up, so the page can say so once. */
  interrupted = $state(0);

  storage!: Storage;

  packs = $derived.by(() => {
    const byPack = new Map<string, StoredScenario[]>();
    for (const s of this.scenarios) {
      const key = s.packId ?? '(single scenarios)';
      byPack.set(key, [...(byPack.get(key) ?? []), s]);
    }
    return byPack;
  });

  async init(baseUrl = './'): Promise<void> {
    try {
      this.storage = Storage.open();
      // A run another tab is executing holds a Web Lock; only runs nobody holds were cut short.
      const marked = await this.storage.markInterruptedRuns({ keepRunIds: await heldRunIds() });
      this.interrupted = marked.length;
      await this.seedBuiltins(baseUrl);
      await this.refresh();
      this.ready = true;
    } catch (err) {
      this.fatal = describeError(err);
    }
  }

  /** Loads the built-in packs and persona sets shipped in public/ and stores them. */
  private async seedBuiltins(baseUrl: string): Promise<void> {
    const manifest = (await fetchJson(`${baseUrl}builtin.json`)) as { packs: string[]; personaSets: string[] };
    const scenarios: Scenario[] = [];
    for (const path of manifest.packs) {
      const pack = validateScenarioPack(await fetchJson(baseUrl + path), domainCatalog, path);
      scenarios.push(...expandPack(pack));
    }
    const personas: Persona[] = [];
    for (const path of manifest.personaSets) {
      const set = validatePersonaSet(await fetchJson(baseUrl + path), path);
      personas.push(...set.personas.map((p) => ({ ...p, setId: set.id })));
    }
    // Writing a dozen scenarios, each with the pack's database, on every page load is wasted
    // work: rewrite the built-ins only when what the page ships has changed.
    const shipped = canonicalHash({ scenarios, personas } as unknown as Json);
    if ((await this.storage.getSetting<string>(BUILTINS_KEY)) === shipped) return;
    await this.storage.seedBuiltins(scenarios, personas);
    await this.storage.putSetting(BUILTINS_KEY, shipped);
  }

  async refresh(): Promise<void> {
    const [scenarios, personas, runs] = await Promise.all([
      this.storage.listScenarios(),
      this.storage.listPersonas(),
      this.storage.listRuns(),
    ]);
    this.scenarios = scenarios;
    this.personas = personas;
    this.runs = runs;
  }

  async refreshRuns(): Promise<void> {
    this.runs = await this.storage.listRuns();
  }

  /**
   * Imports scenario or persona JSON (a pack, a scenario, a persona set or a persona,
   * recognised by its fields). Everything is validated before anything is written; a bad
   * input throws ValidationError and the library is unchanged.
   */
  async importJson(text: string, source: string): Promise<ImportResult> {
    if (text.length > MAX_IMPORT_BYTES) {
      throw new ValidationError(source, [{ path: '', message: `file is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB` }]);
    }
    const data = parseJsonText(text, source);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ValidationError(source, [{ path: '', message: 'must be a JSON object (a scenario pack, scenario, persona set or persona)' }]);
    }
    const o = data as Record<string, unknown>;
    let result: ImportResult;
    if ('tasks' in o) {
      const pack = validateScenarioPack(o, domainCatalog, source);
      const list = expandPack(pack);
      await this.refuseBuiltinOverwrite(list.map((s) => s.id), 'scenario', source);
      await this.storage.putScenarios(list, { builtin: false });
      result = { kind: 'scenario pack', count: list.length, ids: list.map((s) => s.id) };
    } else if ('personas' in o) {
      const set = validatePersonaSet(o, source);
      const list = set.personas.map((p) => ({ ...p, setId: set.id }));
      await this.refuseBuiltinOverwrite(list.map((p) => p.id), 'persona', source);
      await this.storage.putPersonas(list, { builtin: false });
      result = { kind: 'persona set', count: list.length, ids: list.map((p) => p.id) };
    } else if ('traits' in o) {
      const p = validatePersona(o, source);
      await this.refuseBuiltinOverwrite([p.id], 'persona', source);
      await this.storage.putPersonas([p], { builtin: false });
      result = { kind: 'persona', count: 1, ids: [p.id] };
    } else if ('user' in o || 'agent' in o || 'initialDb' in o) {
      const s = validateScenario(o, domainCatalog, source);
      await this.refuseBuiltinOverwrite([s.id], 'scenario', source);
      await this.storage.putScenarios([s], { builtin: false });
      result = { kind: 'scenario', count: 1, ids: [s.id] };
    } else {
      throw new ValidationError(source, [
        {
          path: '',
          message:
            'not recognised: a scenario pack has "tasks", a persona set "personas", a persona "traits", a scenario "user" and "agent"',
        },
      ]);
    }
    await this.refresh();
    return result;
  }

  private async refuseBuiltinOverwrite(ids: string[], what: 'scenario' | 'persona', source: string): Promise<void> {
    const builtin = new Set(
      (what === 'scenario' ? this.scenarios : this.personas).filter((x) => x.builtin).map((x) => x.id),
    );
    const clash = ids.filter((id) => builtin.has(id));
    if (clash.length) {
      throw new ValidationError(source, [
        { path: 'id', message: `"${clash[0]}" is a built-in ${what}; give the imported one another id` },
      ]);
    }
  }

  async deleteScenario(id: string): Promise<void> {
    await this.storage.deleteScenario(id);
    await this.refresh();
  }

  async deletePersona(id: string): Promise<void> {
    await this.storage.deletePersona(id);
    await this.refresh();
  }

  async deleteRun(id: string): Promise<void> {
    await this.storage.deleteRun(id);
    await this.refreshRuns();
  }
}

/** Prefix of the Web Lock a tab holds while it executes a run. */
export const RUN_LOCK_PREFIX = 'understudy-run:';

async function heldRunIds(): Promise<string[]> {
  if (typeof navigator === 'undefined' || !navigator.locks) return [];
  const { held = [] } = await navigator.locks.query();
  return held.flatMap((l) => (l.name?.startsWith(RUN_LOCK_PREFIX) ? [l.name.slice(RUN_LOCK_PREFIX.length)] : []));
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Could not load ${url}: HTTP ${res.status}`);
  return res.json();
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export const app = new AppState();
