/**
 * A local leaderboard of one scenario pack: every stored run on the pack, one row per agent
 * (a run's only agent, or each entry of a run that compares several), ranked by pass^1.
 *
 * Which sessions count. Those of the pack's scenarios (a scenario belongs to a pack by its
 * `packId`); a run's tasks of other packs are left out of its row and counted apart. Among
 * them, as in the run's report (tau-report.ts): finished sessions, leaving out those the person
 * stopped ("aborted") and those still running; errors count as failures.
 *
 * What is compared. A task is a (scenario, persona) pair. A row's task set is the pairs it has
 * counted sessions on, each scenario with the version it ran (Session.scenarioHash) and each
 * persona with its (Session.personaHash). Rows are ranked only against rows of the same task
 * set: two runs over different tasks, or over different versions of the same tasks, measure
 * different things, and a leaderboard that sorted them together would pretend otherwise. The
 * group says whether its task set is the pack as it is now (every scenario, each at its current
 * definition) or an older or partial one. The user simulator, the turn limit and the mode are
 * shown beside each row and not part of the grouping: they belong to the set-up under test.
 * A run re-graded against a later definition (scenarios/regrade.ts) stays with the version it
 * ran, marked as re-graded: re-grading changes the scores, not what the user simulator was
 * told, so its conversations are still those of the older task.
 *
 * The estimate. pass^1 is the mean over tasks of each task's share of passed trials (the
 * unbiased estimator of τ-bench's pass^k at k = 1). Its 95% interval is the run report's: a
 * seeded percentile bootstrap over tasks, 2,000 resamples, seeded with the run's seed and tasks
 * taken in (scenario, persona) order, so a single-agent run's row shows the figures of its run
 * page; with one task, the task's Wilson interval. The interval reflects which tasks happened to
 * be in the set together with each task's trial noise; overlapping intervals say the order of
 * two rows may not be real.
 *
 * Ranks. Within a group, by pass^1, higher first (ties share a rank); equal estimates are then
 * listed by the higher lower bound, then the newer run. Pinned rows (a setting the page keeps)
 * are listed first in their group, with their rank unchanged, and groups holding a pinned row
 * come first.
 */
import type { JsonObject, Outcome, Run, RunStatus, SeatConfig } from '../model/types.ts';
import { canonicalHash } from '../scenarios/canonical.ts';
import { bootstrap } from '../stats/bootstrap.ts';
import { mulberry32 } from '../stats/rng.ts';
import { taskPassHat, type Estimate } from './tau-report.ts';

/** One stored session as the leaderboard reads it: index keys, and the agent entry it belongs to. */
export interface LeaderboardSession {
  id: string;
  scenarioId: string;
  personaId: string;
  outcome: Outcome;
  /** The person stopped it (termination "aborted"): left out, as in the run report. */
  aborted?: boolean;
  /** Its agent entry (Session.agentEntry), in a run that compares several agents. */
  agentEntry?: string;
}

/** A stored run with what the leaderboard reads of its sessions. */
export interface LeaderboardRunInput {
  run: Pick<Run, 'id' | 'createdAt' | 'status' | 'spec' | 'personaNames'>;
  sessions: readonly LeaderboardSession[];
  /** The version each scenario ran in this run (its sessions' `scenarioHash`); absent: not recorded. */
  scenarioHashes: Readonly<Record<string, string | undefined>>;
  /** The version of each persona in this run (its sessions' `personaHash`). */
  personaHashes: Readonly<Record<string, string | undefined>>;
  /** Scenarios whose sessions in this run have been re-graded against a later definition. */
  regraded?: readonly string[];
}

/** The pack the board is of, as it is now. */
export interface LeaderboardPack {
  id: string;
  /** The pack's scenario ids, in the order the library lists them. */
  scenarioIds: readonly string[];
  /**
   * For each scenario, the hashes that mean "this definition" (its fingerprint, and the older
   * form of it that sessions stored before the fingerprint fix hold; see scenarios/regrade.ts).
   */
  current: Readonly<Record<string, readonly string[]>>;
}

export interface LeaderboardOptions {
  /** Row keys (LeaderboardRow.key) that float to the top of their group. */
  pins?: Iterable<string>;
  /** Two-sided level of the intervals (default 0.95). */
  confidence?: number;
  /** Bootstrap resamples (default 2,000, as the run report). */
  iterations?: number;
}

/** A seat as a row shows it. */
export interface SeatSummary {
  kind: string;
  /** The seat's label, or the agent entry's in a run of several agents. */
  label: string;
  /** The version of its code or prompt (SeatConfig.version). */
  version: string;
  /** The model, as people name it (settings `label`, else `model`); absent for rule-based seats. */
  model?: string;
  /** The sampling sent, in words ("temperature 0.7 · top_p 0.9"); absent without one. */
  sampling?: string;
}

export interface LeaderboardRow {
  /** Stable across page loads: the run id, and the entry's after a colon. What a pin stores. */
  key: string;
  runId: string;
  /** The agent entry, in a run of several agents. */
  entryId?: string;
  runName: string;
  createdAt: number;
  status: RunStatus;
  agent: SeatSummary;
  user: SeatSummary;
  mode: 'conversational' | 'agentic';
  maxTurns: number;
  /** Distinct scenarios and personas with counted sessions, and tasks (their pairs with any). */
  scenarios: number;
  personas: number;
  tasks: number;
  /** Trials per task the run asked for. */
  trials: number;
  /** Counted sessions, and of them passed. */
  sessions: number;
  passed: number;
  pass1: Estimate;
  /** The run's scenarios that are not in this pack, left out of the row. */
  otherPackScenarios: number;
  /** Some of its sessions were re-graded against a later definition of their scenario. */
  regraded: boolean;
  pinned: boolean;
  /** 1-based rank by pass^1 within its group; ties share a rank. */
  rank: number;
  /** Its group's key. */
  taskSet: string;
}

/** Rows over one exact task set, ranked against each other. */
export interface LeaderboardGroup {
  /** A hash of the scenarios and personas with their versions. */
  key: string;
  /** The scenarios of the set, in pack order. */
  scenarioIds: string[];
  personaIds: string[];
  /** Persona names, as the first run of the group recorded them. */
  personaNames: Record<string, string>;
  tasks: number;
  /** Every scenario of the pack, each at its current definition. */
  current: boolean;
  /** It covers every scenario the pack has now. */
  complete: boolean;
  /** Scenarios of the set that ran a definition older than the pack's. */
  olderScenarios: string[];
  /** Scenarios whose version was not recorded (sessions stored before versions were). */
  unknownScenarios: string[];
  rows: LeaderboardRow[];
}

/** A run (or entry) on the pack with no counted session yet. */
export interface UnrankedRow {
  key: string;
  runId: string;
  entryId?: string;
  runName: string;
  agentLabel: string;
  status: RunStatus;
}

export interface Leaderboard {
  packId: string;
  groups: LeaderboardGroup[];
  unranked: UnrankedRow[];
  /** Rows in all groups. */
  rows: number;
  confidence: number;
  iterations: number;
}

/** The row key of a run's agent: its id, or `runId:entryId` for an entry of a run of several. */
export function leaderboardKey(runId: string, entryId?: string): string {
  return entryId === undefined ? runId : `${runId}:${entryId}`;
}

/**
 * The agent entry a session belongs to, read from its id where the session does not say
 * (index keys carry the id, not the entry): planSessions names a session of entry `e`
 * `runId:e:scenarioId:personaId:trial`. Undefined when the id fits no entry.
 */
export function entryFromSessionId(
  id: string,
  runId: string,
  entryIds: readonly string[],
  scenarioId: string,
  personaId: string,
): string | undefined {
  // The longest entry id first: "a1" must not claim a session of "a1:x".
  for (const e of [...entryIds].sort((a, b) => b.length - a.length)) {
    if (id.startsWith(`${runId}:${e}:${scenarioId}:${personaId}:`)) return e;
  }
  return undefined;
}

const SAMPLING_ORDER = ['temperature', 'top_p', 'top_k', 'min_p', 'max_tokens', 'frequency_penalty', 'presence_penalty', 'repetition_penalty'];

/** A seat's sampling settings in words, known keys first: "temperature 0.7 · top_p 0.9 · max_tokens 512". */
export function describeSampling(sampling: unknown): string | undefined {
  if (!sampling || typeof sampling !== 'object' || Array.isArray(sampling)) return undefined;
  const entries = Object.entries(sampling as JsonObject).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string');
  if (!entries.length) return undefined;
  const rank = (k: string) => {
    const i = SAMPLING_ORDER.indexOf(k);
    return i === -1 ? SAMPLING_ORDER.length : i;
  };
  entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([k, v]) => `${k} ${String(v)}`).join(' · ');
}

/** A seat as a row shows it; `label` overrides the seat's (an agent entry's label). */
export function seatSummary(seat: SeatConfig, label?: string): SeatSummary {
  const s = seat.settings ?? {};
  const model = typeof s.label === 'string' && s.label ? s.label : typeof s.model === 'string' && s.model ? s.model : undefined;
  const sampling = describeSampling(s.sampling);
  return {
    kind: seat.kind,
    label: label ?? seat.label,
    version: seat.version,
    ...(model !== undefined ? { model } : {}),
    ...(sampling !== undefined ? { sampling } : {}),
  };
}

// Code-unit order: the same everywhere, whatever the visitor's locale.
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** pass^1 averaged over tasks with the run report's interval (see the header). */
function pass1(tasks: readonly { n: number; c: number }[], seed: number, confidence: number, iterations: number): Estimate {
  const values = tasks.map((t) => t.c / t.n);
  const value = values.reduce((a, b) => a + b, 0) / values.length;
  if (tasks.length === 1) {
    const only = taskPassHat(tasks[0]!.n, tasks[0]!.c, 1, confidence);
    return { value, lower: only.lower, upper: only.upper };
  }
  const b = bootstrap(values, { rng: mulberry32(seed), iterations, confidence });
  return { value, lower: Math.min(b.lower, value), upper: Math.max(b.upper, value) };
}

interface Draft {
  row: Omit<LeaderboardRow, 'rank' | 'taskSet'>;
  group: Omit<LeaderboardGroup, 'rows'>;
}

/**
 * The leaderboard of `pack` over stored runs (any runs: those with no scenario in the pack are
 * skipped). Pure and deterministic: the same runs, pack and pins give the same board.
 */
export function buildLeaderboard(
  pack: LeaderboardPack,
  runs: readonly LeaderboardRunInput[],
  options: LeaderboardOptions = {},
): Leaderboard {
  const confidence = options.confidence ?? 0.95;
  const iterations = options.iterations ?? 2000;
  const pins = new Set(options.pins ?? []);
  const inPack = new Set(pack.scenarioIds);
  const packOrder = new Map(pack.scenarioIds.map((id, i) => [id, i]));
  const drafts: Draft[] = [];
  const unranked: UnrankedRow[] = [];

  for (const input of runs) {
    const { run } = input;
    const spec = run.spec;
    if (!spec.scenarioIds.some((id) => inPack.has(id))) continue;
    const entries = spec.agents?.length ? spec.agents : null;
    const agents = entries
      ? entries.map((e) => ({ entryId: e.id as string | undefined, seat: e.seat, label: e.label }))
      : [{ entryId: undefined, seat: spec.agent, label: undefined }];
    const entryIds = entries?.map((e) => e.id) ?? [];
    const otherPackScenarios = spec.scenarioIds.filter((id) => !inPack.has(id)).length;
    const regraded = new Set(input.regraded ?? []);

    // Counted sessions of the pack's scenarios, per agent, per task.
    const tallies = new Map<string | undefined, Map<string, { scenarioId: string; personaId: string; n: number; c: number }>>();
    for (const a of agents) tallies.set(a.entryId, new Map());
    for (const s of input.sessions) {
      if (!inPack.has(s.scenarioId) || s.outcome === 'running' || s.aborted) continue;
      const entry = entries ? (s.agentEntry ?? entryFromSessionId(s.id, run.id, entryIds, s.scenarioId, s.personaId)) : undefined;
      const byTask = tallies.get(entry);
      if (!byTask) continue; // a session of no known entry: nothing to put it under
      const key = JSON.stringify([s.scenarioId, s.personaId]);
      let t = byTask.get(key);
      if (!t) byTask.set(key, (t = { scenarioId: s.scenarioId, personaId: s.personaId, n: 0, c: 0 }));
      t.n++;
      if (s.outcome === 'pass') t.c++;
    }

    for (const a of agents) {
      const key = leaderboardKey(run.id, a.entryId);
      const tasks = [...tallies.get(a.entryId)!.values()].sort((x, y) => cmp(x.scenarioId, y.scenarioId) || cmp(x.personaId, y.personaId));
      const agent = seatSummary(a.seat, a.label);
      if (!tasks.length) {
        unranked.push({ key, runId: run.id, ...(a.entryId !== undefined ? { entryId: a.entryId } : {}), runName: spec.name, agentLabel: agent.label, status: run.status });
        continue;
      }
      const scenarioIds = [...new Set(tasks.map((t) => t.scenarioId))].sort((x, y) => packOrder.get(x)! - packOrder.get(y)!);
      const personaIds = [...new Set(tasks.map((t) => t.personaId))].sort(cmp);
      // Any of a scenario's current hashes is one version: "current".
      const version = (id: string) => {
        const h = input.scenarioHashes[id];
        return h === undefined ? '?' : (pack.current[id] ?? []).includes(h) ? 'current' : h;
      };
      const setKey = canonicalHash({
        tasks: tasks.map((t) => [t.scenarioId, t.personaId]),
        scenarios: scenarioIds.map((id) => [id, version(id)]),
        personas: personaIds.map((id) => [id, input.personaHashes[id] ?? '?']),
      });
      const unknownScenarios = scenarioIds.filter((id) => input.scenarioHashes[id] === undefined);
      const olderScenarios = scenarioIds.filter((id) => {
        const h = input.scenarioHashes[id];
        return h !== undefined && !(pack.current[id] ?? []).includes(h);
      });
      const complete = pack.scenarioIds.every((id) => scenarioIds.includes(id));
      drafts.push({
        row: {
          key,
          runId: run.id,
          ...(a.entryId !== undefined ? { entryId: a.entryId } : {}),
          runName: spec.name,
          createdAt: run.createdAt,
          status: run.status,
          agent,
          user: seatSummary(spec.user),
          mode: spec.mode ?? 'conversational',
          maxTurns: spec.maxTurns,
          scenarios: scenarioIds.length,
          personas: personaIds.length,
          tasks: tasks.length,
          trials: spec.trials,
          sessions: tasks.reduce((n, t) => n + t.n, 0),
          passed: tasks.reduce((n, t) => n + t.c, 0),
          pass1: pass1(tasks, spec.seed, confidence, iterations),
          otherPackScenarios,
          regraded: scenarioIds.some((id) => regraded.has(id)),
          pinned: pins.has(key),
        },
        group: {
          key: setKey,
          scenarioIds,
          personaIds,
          personaNames: Object.fromEntries(personaIds.map((id) => [id, run.personaNames[id] ?? id])),
          tasks: tasks.length,
          current: complete && olderScenarios.length === 0 && unknownScenarios.length === 0,
          complete,
          olderScenarios,
          unknownScenarios,
        },
      });
    }
  }

  const groups = new Map<string, LeaderboardGroup>();
  for (const d of drafts) {
    let g = groups.get(d.group.key);
    if (!g) groups.set(d.group.key, (g = { ...d.group, rows: [] }));
    g.rows.push({ ...d.row, rank: 0, taskSet: d.group.key });
  }
  for (const g of groups.values()) {
    g.rows.sort(
      (a, b) => b.pass1.value - a.pass1.value || b.pass1.lower - a.pass1.lower || b.createdAt - a.createdAt || cmp(a.key, b.key),
    );
    // Competition ranking: 1, 2, 2, 4. Estimates equal to the last bit of a double share a rank.
    g.rows.forEach((r, i) => {
      const prev = g.rows[i - 1];
      r.rank = prev && Math.abs(prev.pass1.value - r.pass1.value) < 1e-12 ? prev.rank : i + 1;
    });
    // Pins first, each keeping its rank; the sort is stable, so the rest stay in rank order.
    g.rows.sort((a, b) => Number(b.pinned) - Number(a.pinned));
  }
  const newest = (g: LeaderboardGroup) => Math.max(...g.rows.map((r) => r.createdAt));
  const ordered = [...groups.values()].sort(
    (a, b) =>
      Number(b.rows.some((r) => r.pinned)) - Number(a.rows.some((r) => r.pinned)) ||
      Number(b.current) - Number(a.current) ||
      b.rows.length - a.rows.length ||
      newest(b) - newest(a) ||
      cmp(a.key, b.key),
  );
  return { packId: pack.id, groups: ordered, unranked, rows: drafts.length, confidence, iterations };
}

/** What a leaderboard can be narrowed by; empty fields match everything. */
export interface LeaderboardFilter {
  /** An agent seat kind, e.g. "llm" or "bookshop". */
  kind?: string;
  /** A model, as rows show it. */
  model?: string;
  /** Words to find (all of them, any case) in the run name, agent, model, versions, sampling or user seat. */
  text?: string;
}

/** The agent kinds and models present, for the filter's choices. */
export function leaderboardFacets(board: Leaderboard): { kinds: string[]; models: string[] } {
  const rows = board.groups.flatMap((g) => g.rows);
  return {
    kinds: [...new Set(rows.map((r) => r.agent.kind))].sort(cmp),
    models: [...new Set(rows.flatMap((r) => (r.agent.model !== undefined ? [r.agent.model] : [])))].sort(cmp),
  };
}

/** Whether a row passes the filter. */
export function matchesLeaderboardFilter(row: LeaderboardRow, filter: LeaderboardFilter): boolean {
  if (filter.kind && row.agent.kind !== filter.kind) return false;
  if (filter.model && row.agent.model !== filter.model) return false;
  const words = (filter.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = [
    row.runName,
    row.agent.label,
    row.agent.kind,
    row.agent.model ?? '',
    row.agent.version,
    row.agent.sampling ?? '',
    row.user.label,
    row.user.model ?? '',
    row.user.version,
  ]
    .join('\n')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

/**
 * The board narrowed to the rows that pass the filter; groups left empty are dropped. Ranks are
 * not recomputed: a row keeps its place among all the rows of its task set.
 */
export function filterLeaderboard(board: Leaderboard, filter: LeaderboardFilter): Leaderboard {
  const groups = board.groups
    .map((g) => ({ ...g, rows: g.rows.filter((r) => matchesLeaderboardFilter(r, filter)) }))
    .filter((g) => g.rows.length > 0);
  return { ...board, groups, rows: groups.reduce((n, g) => n + g.rows.length, 0) };
}
