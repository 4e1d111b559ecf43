import {
  DOMAINS,
  ValidationError,
  expandPack,
  parseJsonText,
  validatePersona,
  validatePersonaSet,
  validateScenarioPack,
  canonicalHash,
  scenarioFingerprint,
  checkImportSize,
  checkScenarioImport,
  checkScenarioPackImport,
  floorIsCurrent,
  idClashIssues,
  type DomainCatalog,
  type Json,
  type Persona,
  type Run,
  type Scenario,
  type ScenarioPack,
  type ValidationIssue,
} from '../core/index.ts';
import { discardUnfinishedImports } from '../storage/bundle-import.ts';
import { PERSONA_SET_KEY, Storage, type PersonaSetInfo } from '../storage/repo.ts';
import type { PackRecord, ScenarioSummary, StoredPersona, StoredScenario } from '../storage/db.ts';
import { codeToolRunner } from './tool-sandbox.ts';
import { workerFloorRunner, type FloorRunner } from './floor.ts';

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
  /** What was stored anyway but should be fixed in the file: a user side holding what the user cannot know. */
  warnings?: ValidationIssue[];
}

/** Files over this size are refused before parsing, so a stray file cannot freeze the tab. */
export { MAX_IMPORT_BYTES } from '../core/index.ts';

/**
 * The app's shared state: the library of scenarios and personas and the list of runs,
 * kept in step with storage. Pages read these fields and call the methods; they never open
 * the database themselves.
 */
export class AppState {
  ready = $state(false);
  fatal = $state<string | null>(null);
  /** Light scenario rows: no initial database, no policy or tools (see `getScenarios`). */
  scenarios = $state.raw<ScenarioSummary[]>([]);
  /** Stored pack records (imported packs, and built-in ones seeded since storage version 2). */
  packRecords = $state.raw<PackRecord[]>([]);
  personas = $state.raw<StoredPersona[]>([]);
  /** Titles of stored persona sets (built-in, imported, saved populations). */
  personaSets = $state.raw<PersonaSetInfo[]>([]);
  runs = $state.raw<Run[]>([]);
  /** Sessions marked interrupted at start-up, so the page can say so once. */
  interrupted = $state(0);
  /** Packs whose floor is being measured: tasks done of total. */
  floorProgress = $state.raw<Record<string, { done: number; total: number }>>({});
  /** Packs whose floor could not be measured: why, for the pack as stored at `importedAt`. */
  floorErrors = $state.raw<Record<string, { importedAt: number; message: string }>>({});
  /**
   * Measures packs' floors in the background; `init` (the page) sets it. Without one, as in
   * tests that build an AppState by hand, no floor is measured unless they set it.
   */
  floorRunner: FloorRunner | undefined = undefined;
  private floorQueue: Promise<void> = Promise.resolve();

  storage!: Storage;

  packs = $derived.by(() => {
    const byPack = new Map<string, ScenarioSummary[]>();
    // Numbers in ids in numeric order (τ²-bench tasks 0, 1, 2 … rather than 0, 1, 10, 100),
    // with a fixed locale so the order does not depend on the visitor's.
    const order = new Intl.Collator('en', { numeric: true });
    for (const s of [...this.scenarios].sort((a, b) => order.compare(a.id, b.id))) {
      const key = s.packId ?? '(single scenarios)';
      const list = byPack.get(key);
      if (list) list.push(s);
      else byPack.set(key, [s]);
    }
    return byPack;
  });

  async init(baseUrl = './'): Promise<void> {
    try {
      this.storage = Storage.open();
      // A run another tab is executing or importing holds a Web Lock; only runs nobody holds were cut short.
      const held = await heldRunIds();
      // A run import that a closed tab left half done (sessions staged, no run row) is undone.
      await discardUnfinishedImports(this.storage, { keepRunIds: held });
      const marked = await this.storage.markInterruptedRuns({ keepRunIds: held });
      this.interrupted = marked.length;
      await this.seedBuiltins(baseUrl);
      await this.refresh();
      this.ready = true;
      this.floorRunner ??= workerFloorRunner;
      void this.measureFloors();
    } catch (err) {
      this.fatal = describeError(err);
    }
  }

  /** Loads the built-in packs and persona sets shipped in public/ and stores them. */
  private async seedBuiltins(baseUrl: string): Promise<void> {
    const manifest = (await fetchJson(`${baseUrl}builtin.json`)) as { packs: string[]; personaSets: string[] };
    const scenarios: Scenario[] = [];
    const packs: Omit<PackRecord, 'importedAt'>[] = [];
    for (const path of manifest.packs) {
      const pack = validateScenarioPack(await fetchJson(baseUrl + path), domainCatalog, path);
      const list = expandPack(pack);
      scenarios.push(...list);
      packs.push({ ...packMeta(pack, 'builtin'), taskCount: list.length });
    }
    const personas: Persona[] = [];
    for (const path of manifest.personaSets) {
      const set = validatePersonaSet(await fetchJson(baseUrl + path), path);
      personas.push(...set.personas.map((p) => ({ ...p, setId: set.id })));
      // The set's title, for pages that group personas by set (one small write per set).
      await this.storage.putSetting(PERSONA_SET_KEY + set.id, { id: set.id, title: set.title, description: set.description });
    }
    // Writing a dozen scenarios, each with the pack's database, on every page load is wasted
    // work: rewrite the built-ins only when what the page ships has changed.
    // The pack records are part of it, so a library stored before they existed gets them once.
    // Each scenario counts by its fingerprint (its pack's database hashed once, not once per
    // task): hashing the expanded scenarios serialised every pack's database for every task.
    const shipped = canonicalHash({ scenarios: scenarios.map(scenarioFingerprint), personas, packs } as unknown as Json);
    if ((await this.storage.getSetting<string>(BUILTINS_KEY)) === shipped) return;
    await this.storage.seedBuiltins(scenarios, personas, packs);
    await this.storage.putSetting(BUILTINS_KEY, shipped);
  }

  async refresh(): Promise<void> {
    const [scenarios, personas, runs, packRecords] = await Promise.all([
      this.storage.listScenarios(),
      this.storage.listPersonas(),
      this.storage.listRuns(),
      this.storage.listPacks(),
    ]);
    this.scenarios = scenarios;
    this.packRecords = packRecords;
    this.personas = personas;
    this.personaSets = await this.storage.listPersonaSets();
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
    checkImportSize(text, source);
    const data = parseJsonText(text, source);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ValidationError(source, [{ path: '', message: 'must be a JSON object (a scenario pack, scenario, persona set or persona)' }]);
    }
    const o = data as Record<string, unknown>;
    let result: ImportResult;
    if ('tasks' in o) {
      // Schema, cross-checks, ids against the library, and the gold actions replayed (code tools in the sandbox).
      const { pack, scenarios: list, warnings } = await checkScenarioPackImport(o, { source, catalog: domainCatalog, library: this.scenarios, codeRunner: codeToolRunner });
      this.refuseBuiltinPack(pack.id, source);
      await this.refuseBuiltinOverwrite(list.map((s) => s.id), 'scenario', source);
      await this.storage.putPack(packMeta(pack, 'json'), list);
      result = { kind: 'scenario pack', count: list.length, ids: list.map((s) => s.id), ...(warnings.length ? { warnings } : {}) };
      void this.measureFloors();
    } else if ('personas' in o) {
      const set = validatePersonaSet(o, source);
      const list = set.personas.map((p) => ({ ...p, setId: set.id }));
      await this.refuseBuiltinOverwrite(list.map((p) => p.id), 'persona', source);
      await this.storage.putPersonaSet(set, list, { builtin: false });
      result = { kind: 'persona set', count: list.length, ids: list.map((p) => p.id) };
    } else if ('traits' in o) {
      const p = validatePersona(o, source);
      await this.refuseBuiltinOverwrite([p.id], 'persona', source);
      await this.storage.putPersonas([p], { builtin: false });
      result = { kind: 'persona', count: 1, ids: [p.id] };
    } else if ('user' in o || 'agent' in o || 'initialDb' in o) {
      const { scenario: s, warnings } = await checkScenarioImport(o, { source, catalog: domainCatalog, library: this.scenarios, codeRunner: codeToolRunner });
      await this.refuseBuiltinOverwrite([s.id], 'scenario', source);
      await this.storage.putScenarios([s], { builtin: false });
      result = { kind: 'scenario', count: 1, ids: [s.id], ...(warnings.length ? { warnings } : {}) };
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

  // Replacing a pack deletes its scenarios the new version lacks: never for a built-in one.
  private refuseBuiltinPack(packId: string, source: string): void {
    const builtin =
      this.packRecords.some((p) => p.id === packId && p.origin === 'builtin') ||
      this.scenarios.some((s) => s.packId === packId && s.builtin);
    if (builtin) {
      throw new ValidationError(source, [{ path: 'id', message: `"${packId}" is a built-in pack; give the imported one another id` }]);
    }
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

  /**
   * Whole scenarios (with initial database, policy and tools) for `ids`, in that order;
   * ids no longer stored are left out. Scenarios sharing a database share its object: read only.
   */
  async getScenarios(ids: readonly string[]): Promise<StoredScenario[]> {
    return (await this.storage.getScenarios(ids)).filter((s): s is StoredScenario => !!s);
  }

  /**
   * Stores an already validated pack of scenarios as one, replacing a pack of the same id
   * (all or nothing), then refreshes the library. Refuses to overwrite built-in scenarios.
   */
  async storePack(pack: Omit<PackRecord, 'taskCount' | 'importedAt'>, scenarios: readonly Scenario[], source: string): Promise<void> {
    this.refuseBuiltinPack(pack.id, source);
    await this.refuseBuiltinOverwrite(scenarios.map((s) => s.id), 'scenario', source);
    // A task id another pack already holds would be moved into this one: refused, naming the pack.
    const clash = idClashIssues(scenarios, this.scenarios, (i) => `tasks[${i}].id`);
    if (clash.length) throw new ValidationError(source, clash);
    await this.storage.putPack(pack, scenarios);
    await this.refresh();
    void this.measureFloors();
  }

  /**
   * Measures, one pack at a time and after whatever was queued before, the floor of every
   * stored pack that lacks one measured with today's do-nothing agent and user simulator
   * (imported packs, built-in packs seeded or changed, packs stored before floors existed).
   * The page does not wait for it: the pack is stored already, the floor is added to its record
   * when measured, and a pack whose floor fails is left as it is with the error kept in
   * `floorErrors`. Resolves when the queue is done; never rejects.
   */
  measureFloors(): Promise<void> {
    const runner = this.floorRunner;
    if (!runner) return this.floorQueue;
    this.floorQueue = this.floorQueue.then(async () => {
      let records: PackRecord[];
      try {
        records = await this.storage.listPacks();
      } catch {
        return; // Storage closed (the page is going away): the next start measures what is missing.
      }
      for (const record of records) {
        if (floorIsCurrent(record.floor) || this.floorErrors[record.id]?.importedAt === record.importedAt) continue;
        await this.measureFloor(record, runner);
      }
    });
    return this.floorQueue;
  }

  private async measureFloor(record: PackRecord, runner: FloorRunner): Promise<void> {
    const setProgress = (done: number, total: number) => (this.floorProgress = { ...this.floorProgress, [record.id]: { done, total } });
    try {
      const ids = (await this.storage.listScenarios()).filter((s) => s.packId === record.id).map((s) => s.id);
      setProgress(0, ids.length);
      const floor = await runner(await this.getScenarios(ids), this.personas, setProgress);
      if (await this.storage.setPackFloor(record.id, record.importedAt, floor)) this.packRecords = await this.storage.listPacks();
    } catch (err) {
      this.floorErrors = { ...this.floorErrors, [record.id]: { importedAt: record.importedAt, message: describeError(err) } };
    } finally {
      const { [record.id]: _done, ...rest } = this.floorProgress;
      this.floorProgress = rest;
    }
  }

  /** Deletes a whole pack (its scenarios and the data only they used). */
  async deletePack(id: string): Promise<void> {
    await this.storage.deletePack(id);
    await this.refresh();
  }

  async deleteScenario(id: string): Promise<void> {
    await this.storage.deleteScenario(id);
    await this.refresh();
  }

  /**
   * Saves one persona from the editor: validated like an import, refused (ValidationError)
   * when it would overwrite a built-in one; nothing is written then.
   */
  async savePersona(input: unknown, source = 'persona'): Promise<Persona> {
    const p = validatePersona(input, source);
    await this.refuseBuiltinOverwrite([p.id], 'persona', source);
    await this.storage.putPersonas([p], { builtin: false });
    await this.refresh();
    return p;
  }

  /** Saves a persona set (e.g. a generated population) whole, or nothing when any of it is refused. */
  async savePersonaSet(input: unknown, source = 'persona set'): Promise<PersonaSetInfo> {
    const set = validatePersonaSet(input, source);
    const list = set.personas.map((p) => ({ ...p, setId: set.id }));
    await this.refuseBuiltinOverwrite(list.map((p) => p.id), 'persona', source);
    await this.storage.putPersonaSet(set, list, { builtin: false });
    await this.refresh();
    return { id: set.id, title: set.title, description: set.description };
  }

  /** Deletes a set's non-built-in personas and its title. */
  async deletePersonaSet(id: string): Promise<void> {
    await this.storage.deletePersonaSet(id);
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

/** A pack's record fields, from the pack file. */
function packMeta(pack: ScenarioPack, origin: PackRecord['origin']): Omit<PackRecord, 'taskCount' | 'importedAt'> {
  return { id: pack.id, title: pack.title, description: pack.description, domain: pack.domain, origin };
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
