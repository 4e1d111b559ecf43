/**
 * The checks a scenario file passes before anything of it is stored, beyond its schema: its
 * size, its ids against the library, and whether its gold actions replay on its own initial
 * database. Each problem is a ValidationIssue naming the path; the whole file is refused.
 * What the user side holds that the user cannot know is a warning here (see
 * checkScenarioPackImport).
 */
import type { Json, Scenario, ScenarioPack } from '../model/types.ts';
import { expandPack, userKnowledgeWarnings, validateScenario, validateScenarioPack, type DomainCatalog } from '../model/schema.ts';
import { ValidationError, type ValidationIssue } from '../model/validation.ts';
import { canonicalJson } from './canonical.ts';
import type { CodeToolRunner } from './environment.ts';
import { readPath, replayGoldAsync } from './evaluator.ts';

/** Scenario and persona files over this size are refused before they are read. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

/** Bytes `text` takes as UTF-8, counted without encoding it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4; // a surrogate pair: one code point, four bytes
      i++;
    } else n += 3;
  }
  return n;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Refuses a file over MAX_IMPORT_BYTES: `size` in bytes (a File's size), or the text itself.
 * Throws ValidationError naming the file.
 */
export function checkImportSize(size: number | string, source: string, limit = MAX_IMPORT_BYTES): void {
  // UTF-8 takes at most three bytes per UTF-16 unit, so short texts need no counting.
  const bytes = typeof size === 'number' ? size : size.length * 3 <= limit ? 0 : utf8Length(size);
  if (bytes > limit) {
    throw new ValidationError(source, [{ path: '', message: `the file is ${megabytes(bytes)}, over the ${megabytes(limit)} limit for imports; nothing was imported` }]);
  }
}

/** A scenario already in the library, as far as id checks need it. */
export interface LibraryScenario {
  id: string;
  packId?: string;
  builtin?: boolean;
}

/**
 * Ids that already belong to another pack (or to a single scenario, for a pack's tasks) in the
 * library. Importing a pack again under its own id replaces it, and a single scenario replaces
 * the single scenario of the same id; anything else is refused, naming the clash, because
 * storing it would silently move another pack's scenario into this one.
 */
export function idClashIssues(
  incoming: readonly Pick<Scenario, 'id' | 'packId'>[],
  library: readonly LibraryScenario[],
  pathOf: (index: number) => string,
): ValidationIssue[] {
  const byId = new Map(library.map((s) => [s.id, s]));
  const issues: ValidationIssue[] = [];
  incoming.forEach((s, i) => {
    const there = byId.get(s.id);
    if (!there || (there.packId ?? null) === (s.packId ?? null)) return;
    const owner = there.packId ? `${there.builtin ? 'built-in ' : ''}pack "${there.packId}"` : `a single ${there.builtin ? 'built-in ' : ''}scenario`;
    issues.push({
      path: pathOf(i),
      message: `id "${s.id}" is already in the library, in ${owner}; scenario ids must be unique across packs: rename it, or delete that ${there.packId ? 'pack' : 'scenario'} first`,
    });
  });
  return issues;
}

/**
 * Replays each scenario's gold actions on a fresh copy of its initial database. A gold action
 * that fails there, or an environment assertion that the replayed database does not meet,
 * makes a task nobody can pass: refused, naming the action or assertion.
 */
export async function goldReplayIssues(
  scenarios: readonly Scenario[],
  options: { codeRunner?: CodeToolRunner },
  pathOf: (index: number) => string,
): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const base = pathOf(i);
    const replay = await replayGoldAsync(scenario, { codeRunner: options.codeRunner });
    replay.results.forEach((r, ai) => {
      if (!r.ok) {
        const name = scenario.evaluation.goldActions[ai]!.name;
        issues.push({ path: `${base}evaluation.goldActions[${ai}]`, message: `${name} fails when the gold actions are replayed on the initial database: ${r.error}` });
      }
    });
    // Assertions are only meaningful once the actions themselves replay.
    if (replay.results.some((r) => !r.ok)) continue;
    scenario.evaluation.envAssertions.forEach((a, ei) => {
      const actual = readPath(replay.db, a.path);
      if (canonicalJson(actual) !== canonicalJson(a.equals)) {
        issues.push({
          path: `${base}evaluation.envAssertions[${ei}]`,
          message: `expects ${show(a.equals)} at "${a.path}", but replaying the gold actions leaves ${actual === undefined ? 'nothing' : show(actual)} there`,
        });
      }
    });
  }
  return issues;
}

function show(value: Json | undefined): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What an import check needs from where the file enters. */
export interface ImportCheckOptions {
  /** The file's name, for messages. */
  source: string;
  catalog: DomainCatalog;
  /** The scenarios already stored, for id clashes; none when absent. */
  library?: readonly LibraryScenario[];
  /** Runs code tools during the gold replay. Without one, gold actions on code tools fail. */
  codeRunner?: CodeToolRunner;
}

/**
 * Everything a scenario pack must pass before it is stored: the schema and cross-checks
 * (validateScenarioPack), ids unique against the library, gold actions that replay. Resolves
 * with the pack, its scenarios and its warnings; rejects with one ValidationError listing
 * every problem.
 *
 * Warnings are what the user side holds that the user cannot know (an identifier in knownInfo
 * without its source in knownFrom, a goal value the user cannot say: user-knowledge.ts). Built-in
 * packs and τ²-bench imports are refused for them; a file imported here is stored with them
 * listed, because files written before `knownFrom` existed were valid and still run as they did.
 */
export async function checkScenarioPackImport(
  input: unknown,
  opts: ImportCheckOptions,
): Promise<{ pack: ScenarioPack; scenarios: Scenario[]; warnings: ValidationIssue[] }> {
  const pack = validateScenarioPack(input, opts.catalog, opts.source, { userKnowledge: 'report' });
  const scenarios = expandPack(pack);
  const issues = [
    ...idClashIssues(scenarios, opts.library ?? [], (i) => `tasks[${i}].id`),
    ...(await goldReplayIssues(scenarios, opts, (i) => `tasks[${i}].`)),
  ];
  if (issues.length) throw new ValidationError(opts.source, issues);
  return { pack, scenarios, warnings: userKnowledgeWarnings(pack.tasks, (i) => `tasks[${i}].`) };
}

/** As checkScenarioPackImport, for a file holding one scenario. */
export async function checkScenarioImport(input: unknown, opts: ImportCheckOptions): Promise<{ scenario: Scenario; warnings: ValidationIssue[] }> {
  const scenario = validateScenario(input, opts.catalog, opts.source, { userKnowledge: 'report' });
  const issues = [
    ...idClashIssues([scenario], opts.library ?? [], () => 'id'),
    ...(await goldReplayIssues([scenario], opts, () => '')),
  ];
  if (issues.length) throw new ValidationError(opts.source, issues);
  return { scenario, warnings: userKnowledgeWarnings([scenario], () => '') };
}
