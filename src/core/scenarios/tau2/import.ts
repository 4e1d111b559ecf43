/**
 * Imports a τ²-bench domain (db.json, policy.md, tasks.json) as a scenario pack: one scenario
 * per task, all sharing the policy, the tools and the very same database object (the retail
 * db.json is 2.8 MB; 114 copies would be 320 MB).
 *
 * What maps: the user's instructions (UserSide, with known facts as slots and an agenda goal),
 * the gold actions (with compare_args), communicate_info, nl_assertions, the reward basis,
 * and env assertions where the domain can express them as database paths. What does not
 * (initial states, user-side tools and actions, τ²-bench's issue notes) is listed in the
 * report's `unmapped`, never dropped silently. Broken input throws a ValidationError naming
 * the file and the path, and nothing is returned half-made.
 */
import { z } from 'zod';
import type { EvaluationCriteria, Json, JsonObject, PackTask, RewardBasis, Scenario, ScenarioPack, ToolSpec } from '../../model/types.ts';
import { expandPack, scenarioPackSchema, validateScenarioPack } from '../../model/schema.ts';
import { fromZodIssues, parseJsonText, ValidationError, type ValidationIssue } from '../../model/validation.ts';
import { getDomain } from '../domains/index.ts';
import { checkArguments } from '../environment.ts';
import { getTau2Toolset, type Tau2EnvAssertion, type Tau2Toolset } from './toolsets.ts';
import { tauV1ToTau2 } from './tau-v1.ts';
import { userSayer } from './describe.ts';
import { buildGoal, mapUserSide, plainUtterance, sourcesFor, TAU2_INSTRUCTIONS_SOURCE, type Tau2GoldAction, type Tau2Instructions } from './user-side.ts';
import { identifiersNeedingSource, knownFromIssues, userKnowledgeIssues } from '../user-knowledge.ts';
import { identifierTokens } from '../../simulation/leak-check.ts';

/** The three files of a τ²-bench domain, parsed. */
export interface Tau2DomainInput {
  /** τ²-bench's name for the domain ("retail", "airline", "mock"); read from the tasks when absent. */
  domain?: string;
  /** db.json, parsed. Required for domains whose tools Understudy runs (retail, mock). */
  db?: unknown;
  /** tasks.json, parsed: an array of τ²-bench tasks. */
  tasks: unknown;
  /** policy.md's text: the agent's policy. */
  policy: unknown;
  /** File names for error messages; default db.json, tasks.json, policy.md. */
  sources?: { db?: string; tasks?: string; policy?: string };
}

/** Something in the τ²-bench files that the scenarios do not carry. */
export interface Tau2Unmapped {
  /** τ²-bench's task id, or null for the domain as a whole. */
  taskId: string | null;
  /** The file it is in, e.g. "tasks.json". */
  file: string;
  /** Where in that file, e.g. "[3].initial_state.message_history" ("" for the whole file). */
  path: string;
  message: string;
}

/** The result of an import: the pack, its scenarios and what could not be mapped. */
export interface Tau2ImportReport {
  /** τ²-bench's domain name, e.g. "retail". */
  domain: string;
  pack: ScenarioPack;
  /** One per task, in the file's order; they share one database object and one tools array. */
  scenarios: Scenario[];
  unmapped: Tau2Unmapped[];
  /** True when every tool has an implementation here and the database is present. */
  runnable: boolean;
}

const REWARD_BASES = ['DB', 'ENV_ASSERTION', 'NL_ASSERTION', 'ACTION', 'COMMUNICATE'] as const satisfies readonly RewardBasis[];
/** τ²-bench's default when a task names no reward basis. */
const DEFAULT_REWARD_BASIS: RewardBasis[] = ['DB', 'COMMUNICATE'];

/* -------------------------------------------------------- τ²-bench schema */

const actionSchema = z.looseObject({
  action_id: z.string().optional(),
  requestor: z.enum(['assistant', 'user']).optional(),
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, { error: 'must be a tool name (letters, digits, "_")' }),
  arguments: z.record(z.string(), z.json()),
  info: z.string().nullish(),
  compare_args: z.array(z.string()).nullish(),
});

const envAssertionSchema = z.looseObject({
  env_type: z.enum(['assistant', 'user']),
  func_name: z.string().min(1),
  arguments: z.record(z.string(), z.json()),
  assert_value: z.boolean().optional(),
  message: z.string().nullish(),
});

const structuredInstructionsSchema = z.looseObject({
  domain: z.string().optional(),
  reason_for_call: z.string().trim().min(1),
  known_info: z.string().nullish(),
  unknown_info: z.string().nullish(),
  task_instructions: z.string(),
});

const taskSchema = z.looseObject({
  id: z.string().trim().min(1),
  description: z
    .looseObject({ purpose: z.string().nullish(), relevant_policies: z.string().nullish(), notes: z.string().nullish() })
    .nullish(),
  user_scenario: z.looseObject({
    persona: z.string().nullish(),
    // Checked on its own below: a string or structured instructions, with clear messages.
    instructions: z.unknown(),
  }),
  initial_state: z.record(z.string(), z.json()).nullish(),
  evaluation_criteria: z
    .looseObject({
      actions: z.array(actionSchema).nullish(),
      env_assertions: z.array(envAssertionSchema).nullish(),
      communicate_info: z.array(z.string()).nullish(),
      nl_assertions: z.array(z.string()).nullish(),
      reward_basis: z.array(z.enum(REWARD_BASES)).min(1).nullish(),
    })
    .nullish(),
  issues: z.array(z.looseObject({ title: z.string().optional(), status: z.string().optional() })).nullish(),
});

type Tau2Task = z.infer<typeof taskSchema>;

/** Issues of `schema` on `value`, with paths from the root of the file. */
function issuesAt(schema: z.ZodType, value: unknown, root: unknown, prefix: readonly PropertyKey[]): ValidationIssue[] {
  const r = schema.safeParse(value);
  if (r.success) return [];
  return fromZodIssues(
    r.error.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })) as typeof r.error.issues,
    root,
  );
}

/* ------------------------------------------------------------ the import */

/** Ids Understudy accepts: 1–80 of [A-Za-z0-9_.:-], starting with a letter or digit. */
function scenarioId(domainId: string, taskId: string): string {
  const safe = taskId.replace(/[^A-Za-z0-9_.:-]/g, '-');
  const id = `${domainId}-${safe}`;
  if (id.length <= 80) return id;
  // Long ids keep a readable start and a hash of the whole, so they stay distinct.
  let h = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) h = Math.imul(h ^ taskId.charCodeAt(i), 0x01000193);
  return `${id.slice(0, 71)}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

function firstSentence(text: string, max = 90): string {
  const s = text.trim().split(/(?<=[.!?])\s/)[0] ?? text;
  return s.length <= max ? s : `${s.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/** Tool specs for a domain without a toolset: names and arguments as the gold actions use them. */
function placeholderTools(domain: string, tasks: readonly Tau2Task[]): ToolSpec[] {
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const t of tasks) {
    for (const a of t.evaluation_criteria?.actions ?? []) {
      if ((a.requestor ?? 'assistant') !== 'assistant') continue;
      const args = seen.get(a.name) ?? new Map<string, Set<string>>();
      seen.set(a.name, args);
      for (const [k, v] of Object.entries(a.arguments)) {
        const types = args.get(k) ?? new Set<string>();
        types.add(jsonType(v as Json));
        args.set(k, types);
      }
    }
  }
  return [...seen].map(([name, args]) => ({
    name,
    kind: guessWrite(name) ? 'write' : 'read',
    description: `τ²-bench ${domain} tool "${name}". Understudy has no implementation of it: import a domain it can run to use it.`,
    parameters: {
      type: 'object',
      properties: Object.fromEntries(
        [...args].map(([k, types]) => [k, types.size === 1 ? { type: [...types][0]! } : {}]),
      ) as JsonObject,
    },
  }));
}

function jsonType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** For domains whose tools we do not know: names that change things, by their verb. */
function guessWrite(tool: string): boolean {
  return /^(book|cancel|update|modify|create|delete|remove|add|return|exchange|send|set|change|refund|enable|disable|reset|toggle|make)_/.test(tool);
}

function checkDomainName(domain: string): string {
  const name = domain.trim().replace(/^tau2-/, '');
  if (!/^[a-z0-9][a-z0-9_-]{0,39}$/i.test(name)) {
    throw new ValidationError('domain', [{ path: '', message: `"${domain}" is not a τ²-bench domain name (letters, digits, "_" or "-")` }]);
  }
  return name.toLowerCase();
}

/** The domain named by the tasks' instructions, when they all agree. */
function domainFromTasks(tasks: unknown): string | undefined {
  if (!Array.isArray(tasks)) return undefined;
  const names = new Set<string>();
  for (const t of tasks) {
    const d = (t as { user_scenario?: { instructions?: { domain?: unknown } } })?.user_scenario?.instructions?.domain;
    if (typeof d === 'string' && d.trim()) names.add(d.trim());
  }
  return names.size === 1 ? [...names][0] : undefined;
}

/**
 * Imports a τ²-bench domain and says what could not be mapped. Throws a ValidationError
 * naming the file and path when the input is broken: a missing database for a domain that
 * needs one, tools in gold actions that the domain does not have, malformed tasks.
 */
export function importTau2DomainReport(input: Tau2DomainInput): Tau2ImportReport {
  const files = { db: input.sources?.db ?? 'db.json', tasks: input.sources?.tasks ?? 'tasks.json', policy: input.sources?.policy ?? 'policy.md' };

  const rawDomain = input.domain ?? domainFromTasks(input.tasks);
  if (rawDomain === undefined || rawDomain.trim() === '') {
    throw new ValidationError(files.tasks, [
      { path: '', message: 'cannot tell which τ²-bench domain these tasks belong to: name it (e.g. "retail")' },
    ]);
  }
  const domain = checkDomainName(rawDomain);
  const toolset = getTau2Toolset(domain);
  const domainId = toolset?.domainId ?? `tau2-${domain}`;

  if (typeof input.policy !== 'string' || input.policy.trim() === '') {
    throw new ValidationError(files.policy, [
      { path: '', message: input.policy === undefined || input.policy === null ? 'is missing: the agent needs its policy' : 'must be non-empty text' },
    ]);
  }
  const policy = input.policy;

  const unmapped: Tau2Unmapped[] = [];
  const dbPresent = input.db !== undefined && input.db !== null;
  if (toolset) {
    if (!dbPresent) {
      throw new ValidationError(files.db, [
        { path: '', message: `is missing: the τ²-bench ${domain} tools run on its database, so import db.json with the tasks` },
      ]);
    }
    const dbIssues = toolset.checkDb(input.db);
    if (dbIssues.length) throw new ValidationError(files.db, dbIssues);
  } else {
    if (dbPresent && (typeof input.db !== 'object' || Array.isArray(input.db))) {
      throw new ValidationError(files.db, [{ path: '', message: 'must be a JSON object (tables by name)' }]);
    }
    unmapped.push({
      taskId: null,
      file: files.tasks,
      path: '',
      message: `Understudy has no implementation of the τ²-bench ${domain} tools: the tasks are imported (user side and criteria) but cannot be run.`,
    });
    if (!dbPresent) unmapped.push({ taskId: null, file: files.db, path: '', message: 'no database was given: the pack has an empty one' });
  }

  // τ-bench (v1) task lists are read into τ²-bench's shape first.
  const inputTasks = tauV1ToTau2(input.tasks, files.tasks, unmapped);
  if (!Array.isArray(inputTasks)) {
    throw new ValidationError(files.tasks, [
      { path: '', message: inputTasks === undefined || inputTasks === null ? 'is missing' : 'must be a JSON array of tasks' },
    ]);
  }
  if (inputTasks.length === 0) throw new ValidationError(files.tasks, [{ path: '', message: 'holds no tasks' }]);
  const root = inputTasks;

  // Check everything first, so a broken file reports all its problems at once.
  const issues: ValidationIssue[] = [];
  root.forEach((raw, i) => {
    issues.push(...issuesAt(taskSchema, raw, root, [i]));
    const instructions = (raw as { user_scenario?: { instructions?: unknown } })?.user_scenario?.instructions;
    if (typeof instructions === 'string') {
      if (!instructions.trim()) issues.push({ path: `[${i}].user_scenario.instructions`, message: 'must not be empty' });
    } else if (instructions !== undefined || (raw as { user_scenario?: unknown })?.user_scenario) {
      issues.push(...issuesAt(structuredInstructionsSchema, instructions, root, [i, 'user_scenario', 'instructions']));
    }
  });
  if (issues.length) throw new ValidationError(files.tasks, issues);
  const tasks = root as Tau2Task[];

  const known = toolset ? new Map(toolset.tools.map((t) => [t.name, t])) : undefined;
  const seenIds = new Map<string, number>();
  tasks.forEach((t, i) => {
    const sid = scenarioId(domainId, t.id);
    if (seenIds.has(sid)) issues.push({ path: `[${i}].id`, message: `duplicate task id "${t.id}" (also task [${seenIds.get(sid)}])` });
    seenIds.set(sid, i);
    if (!known) return;
    (t.evaluation_criteria?.actions ?? []).forEach((a, ai) => {
      if ((a.requestor ?? 'assistant') !== 'assistant') return;
      const tool = known.get(a.name);
      if (!tool) {
        issues.push({
          path: `[${i}].evaluation_criteria.actions[${ai}].name`,
          message: `unknown tool "${a.name}": the τ²-bench ${domain} tools are ${[...known.keys()].join(', ')}`,
        });
        return;
      }
      // A gold call the environment would refuse could never be replayed nor matched.
      const bad = checkArguments(tool, a.arguments as JsonObject);
      if (bad) issues.push({ path: `[${i}].evaluation_criteria.actions[${ai}].arguments`, message: bad });
    });
  });
  if (issues.length) throw new ValidationError(files.tasks, issues);

  const tools = toolset?.tools ?? placeholderTools(domain, tasks);
  const writes = new Set(tools.filter((t) => t.kind === 'write').map((t) => t.name));
  const label = toolset?.label ?? domain.charAt(0).toUpperCase() + domain.slice(1);
  // Arguments taking one of a closed list of words: an enum, or values the description quotes
  // ("either 'no longer needed' or 'ordered by mistake'"). The user picks one by meaning.
  const choices = new Set(
    tools.flatMap((t) =>
      Object.entries((t.parameters['properties'] ?? {}) as Record<string, Json>).flatMap(([arg, schema]) => {
        if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return [];
        const listed = Array.isArray(schema['enum']) ? schema['enum'].map(String) : [];
        const description = typeof schema['description'] === 'string' ? schema['description'] : '';
        for (const m of description.matchAll(/'([^']{2,40})'|"([^"]{2,40})"/g)) listed.push(m[1] ?? m[2]!);
        return listed.map((v) => `${t.name}.${arg}=${v}`);
      }),
    ),
  );
  const packTasks = tasks.map((t, i) => mapTask(t, i, { domain, domainId, label, toolset, writes, files, unmapped, choices, db: dbPresent && typeof input.db === 'object' && !Array.isArray(input.db) ? (input.db as JsonObject) : undefined }));

  const pack: ScenarioPack = {
    formatVersion: 1,
    id: domainId,
    title: `τ²-bench ${domain}`,
    description: `τ²-bench's ${domain} domain (Sierra Research, MIT licence): ${tasks.length} tasks imported from ${files.db}, ${files.policy} and ${files.tasks}.`,
    domain: domainId,
    policy,
    tools,
    db: dbPresent ? (input.db as JsonObject) : {},
    tasks: packTasks,
  };

  // A last check of what we built. The database was checked above; its skeleton (the same
  // tables, empty) is enough for the pack's checks and spares walking 2.8 MB again.
  const runnable = Boolean(toolset);
  const shape = { ...pack, db: skeleton(pack.db) };
  if (runnable) {
    validateScenarioPack(shape, catalog, `τ²-bench ${domain} (as a scenario pack)`);
  } else {
    const r = scenarioPackSchema.safeParse(shape);
    if (!r.success) throw new ValidationError(`τ²-bench ${domain} (as a scenario pack)`, fromZodIssues(r.error.issues, shape));
    // What the user knows is checked as for a runnable pack (validateScenarioPack does it there).
    const known = pack.tasks.flatMap((task, ti) => [...knownFromIssues(task.user, `tasks[${ti}].`), ...userKnowledgeIssues(task.user, `tasks[${ti}].`)]);
    if (known.length) throw new ValidationError(`τ²-bench ${domain} (as a scenario pack)`, known);
  }
  return { domain, pack, scenarios: expandPack(pack), unmapped, runnable };
}

/** The same top-level tables, empty. */
function skeleton(db: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(db).map(([k, v]) => [k, Array.isArray(v) ? [] : v !== null && typeof v === 'object' ? {} : v]),
  );
}

const catalog = {
  toolsOf(domain: string): readonly string[] | undefined {
    const d = getDomain(domain);
    return d ? Object.keys(d.tools) : undefined;
  },
};

interface TaskContext {
  domain: string;
  domainId: string;
  label: string;
  toolset: Tau2Toolset | undefined;
  writes: ReadonlySet<string>;
  files: { tasks: string };
  unmapped: Tau2Unmapped[];
  /** The domain's database, where it has one: records the user describes in words. */
  db: JsonObject | undefined;
  /** "tool.arg=value" for every value of a closed list of words an argument takes (enum, or quoted in its description). */
  choices: ReadonlySet<string>;
}

function mapTask(t: Tau2Task, i: number, ctx: TaskContext): PackTask {
  const note = (path: string, message: string) =>
    ctx.unmapped.push({ taskId: t.id, file: ctx.files.tasks, path: `[${i}]${path}`, message });
  const criteria = t.evaluation_criteria ?? undefined;
  if (!criteria) note('.evaluation_criteria', `no evaluation criteria: τ²-bench scores such a task 1; here the reward basis defaults to ${DEFAULT_REWARD_BASIS.join(' and ')}`);

  const goldActions: EvaluationCriteria['goldActions'] = [];
  const userActions: Tau2GoldAction[] = [];
  (criteria?.actions ?? []).forEach((a, ai) => {
    if ((a.requestor ?? 'assistant') === 'user') {
      note(`.evaluation_criteria.actions[${ai}]`, `a user-side action (${a.name}): user tools are not imported`);
      return;
    }
    const action: Tau2GoldAction = { name: a.name, arguments: a.arguments as Record<string, Json>, compare_args: a.compare_args ?? null };
    userActions.push(action);
    goldActions.push({
      name: a.name,
      arguments: a.arguments as JsonObject,
      ...(a.compare_args ? { compareArgs: a.compare_args } : {}),
    });
  });

  const envAssertions: EvaluationCriteria['envAssertions'] = [];
  (criteria?.env_assertions ?? []).forEach((a, ai) => {
    const mapped = ctx.toolset ? ctx.toolset.envAssertion(a as Tau2EnvAssertion) : `env assertion ${a.func_name}: the ${ctx.domain} tools are not implemented here`;
    if (typeof mapped === 'string') note(`.evaluation_criteria.env_assertions[${ai}]`, mapped);
    else envAssertions.push(mapped);
  });

  const rewardBasis: RewardBasis[] = criteria?.reward_basis ? [...criteria.reward_basis] : [...DEFAULT_REWARD_BASIS];
  if (rewardBasis.includes('ENV_ASSERTION') && envAssertions.length < (criteria?.env_assertions?.length ?? 0)) {
    note('.evaluation_criteria.reward_basis', 'ENV_ASSERTION is in the reward basis, but some of its assertions could not be mapped: the reward checks only the others');
  }
  const communicateInfo = criteria?.communicate_info ?? [];

  const instructions = t.user_scenario.instructions as Tau2Instructions | string;
  const reason = typeof instructions === 'string' ? instructions : instructions.reason_for_call;
  const utteranceFor = (tool: string) => ctx.toolset?.utterances[tool] ?? plainUtterance(tool);
  // The user's goal may hold only what the user could say: their own texts, and records
  // described in words (see describe.ts); what neither covers is reported, never handed over.
  const userTexts =
    typeof instructions === 'string'
      ? [instructions, t.user_scenario.persona ?? '']
      : [instructions.reason_for_call, instructions.known_info ?? '', instructions.task_instructions, t.user_scenario.persona ?? ''];
  const { goal, unsayable } = buildGoal(userActions, (tool) => ctx.writes.has(tool), communicateInfo, reason, utteranceFor, userSayer(ctx.db, userTexts, (tool, arg, value) => ctx.choices.has(`${tool}.${arg}=${value}`)));
  for (const u of unsayable) {
    note(
      '.evaluation_criteria.actions',
      `${u.tool}'s ${u.arg} is ${JSON.stringify(u.value)}, which the user's instructions never give and which names no record the user could describe: the simulated user is not told it, so the agent has to find it, or the task cannot be done`,
    );
  }
  const user = mapUserSide(instructions, t.user_scenario.persona, goal);
  // A write's argument named like a fact the user holds, with another value (the zip code of a
  // new address beside their own), is what they want it changed to: "new_zip", not their zip.
  // "#W5061109" and "W5061109" are one order ("#" means number).
  for (const r of goal.requests) {
    if (r.type !== 'action') continue;
    for (const [slot, value] of Object.entries(r.expect)) {
      const own = user.knownInfo[slot];
      if (own === undefined || sameValue(own, value) || slot.startsWith('new_') || r.expect[`new_${slot}`] !== undefined) continue;
      delete r.expect[slot];
      r.expect[`new_${slot}`] = value;
    }
  }
  // What a person knows of their own records, as the goal describes them (what they bought,
  // their card's kind and last digits, the options they want) is information the user holds.
  // An id the goal holds is one of the user's known facts even where their texts give it
  // elsewhere than the known info ("You just created your user id mei_patel_7272"), so that it
  // has a source (knownFrom) like every other.
  const added: Record<string, string> = {};
  for (const r of goal.requests) {
    if (r.type !== 'action') continue;
    for (const [slot, value] of Object.entries(r.expect)) {
      if (Object.values(user.knownInfo).some((v) => sameValue(v, value))) continue;
      const heldIds = new Set(Object.values(user.knownInfo).flatMap((v) => identifierTokens(v).map((id) => id.toLowerCase())));
      const unheld = identifiersNeedingSource(slot, value).some((id) => !heldIds.has(id.toLowerCase()));
      if (!unheld && userTexts.some((text) => text.includes(value))) continue;
      let key = slot;
      for (let n = 2; user.knownInfo[key] !== undefined; n++) key = `${slot}_${n}`;
      user.knownInfo[key] = value;
      added[key] = value;
    }
  }
  // Each id the user holds says where they have it from: their instructions, or their own
  // records (a description naming something printed on what they bought).
  const given = new Set(userTexts.flatMap((text) => identifierTokens(text).map((id) => id.toLowerCase())));
  const fromInstructions = Object.fromEntries(Object.entries(added).filter(([, v]) => identifierTokens(v).every((id) => given.has(id.toLowerCase()))));
  const knownFrom = {
    ...user.knownFrom,
    ...sourcesFor(fromInstructions, TAU2_INSTRUCTIONS_SOURCE),
    ...sourcesFor(Object.fromEntries(Object.entries(added).filter(([k]) => !(k in fromInstructions))), OWN_RECORDS_SOURCE),
  };
  if (Object.keys(knownFrom).length > 0) user.knownFrom = knownFrom;

  if (t.initial_state) {
    for (const key of Object.keys(t.initial_state)) {
      if (t.initial_state[key] === null || t.initial_state[key] === undefined) continue;
      note(`.initial_state.${key}`, `τ²-bench's initial state (${key}) is not imported: the task starts from the shared database and an empty conversation`);
    }
  }
  (t.issues ?? []).forEach((issue, ii) => {
    note(`.issues[${ii}]`, `τ²-bench lists an issue with this task (${issue.status ?? 'open'}): ${issue.title ?? 'untitled'}`);
  });

  const d = t.description ?? undefined;
  const purpose =
    [d?.purpose, d?.notes].filter((s): s is string => typeof s === 'string' && s.trim() !== '').join(' ') ||
    `τ²-bench ${ctx.domain} task ${t.id}: ${firstSentence(reason, 200)}`;

  return {
    id: scenarioId(ctx.domainId, t.id),
    title: `${ctx.label} ${t.id}: ${firstSentence(reason)}`,
    purpose,
    // τ²-bench gives no difficulty.
    difficulty: 'medium',
    user,
    evaluation: {
      goldActions,
      envAssertions,
      communicateInfo: [...communicateInfo],
      nlAssertions: [...(criteria?.nl_assertions ?? [])],
      rewardBasis,
    },
  };
}

/** Where a user has an id from that a description of their own records holds (what they bought, their cards). */
const OWN_RECORDS_SOURCE = 'their own records (what they bought, their cards)';

/** A value as compared with another: case, spacing and a "#" before a word ("#W5061109") aside. */
function plain(value: string): string {
  return value.toLowerCase().replace(/#(?=\w)/g, '').replace(/\s+/g, ' ').trim();
}

function sameValue(a: string, b: string): boolean {
  return plain(a) === plain(b);
}

/** The scenarios of a τ²-bench domain (see importTau2DomainReport for what is not mapped). */
export function importTau2Domain(input: Tau2DomainInput): Scenario[] {
  return importTau2DomainReport(input).scenarios;
}

/* ------------------------------------------------------------ from files */

/** The file names a τ²-bench domain folder holds that the import reads. */
export const TAU2_FILES = ['db.json', 'policy.md', 'tasks.json'] as const;

/**
 * Parses a τ²-bench domain's files from their text, keyed by name or path
 * ("retail/tasks.json" works too; other files are ignored). Malformed JSON is refused with
 * its line and column; a missing tasks.json or policy.md is refused; a missing db.json is
 * left to the import, which needs it only for domains it can run. The domain is taken from
 * `domain`, else the tasks themselves (their instructions name it), else the files' folder.
 */
export function parseTau2Files(files: Record<string, string | undefined>, domain?: string): Tau2DomainInput {
  const byName = new Map<string, { path: string; text: string }>();
  for (const [path, text] of Object.entries(files)) {
    if (text === undefined) continue;
    const name = path.split(/[\\/]/).pop()!;
    if ((TAU2_FILES as readonly string[]).includes(name)) byName.set(name, { path, text });
  }
  const tasksFile = byName.get('tasks.json');
  const policyFile = byName.get('policy.md');
  const dbFile = byName.get('db.json');
  if (!tasksFile) throw new ValidationError('tasks.json', [{ path: '', message: 'is missing: a τ²-bench domain needs tasks.json' }]);
  if (!policyFile) throw new ValidationError('policy.md', [{ path: '', message: 'is missing: a τ²-bench domain needs policy.md' }]);
  const tasks = parseJsonText(tasksFile.text, tasksFile.path);
  const db = dbFile ? parseJsonText(dbFile.text, dbFile.path) : undefined;
  const folder = tasksFile.path.split(/[\\/]/).slice(-2, -1)[0];
  const name = domain ?? domainFromTasks(tasks) ?? folder;
  return {
    ...(name ? { domain: name } : {}),
    ...(dbFile ? { db } : {}),
    tasks,
    policy: policyFile.text,
    sources: { db: dbFile?.path ?? 'db.json', tasks: tasksFile.path, policy: policyFile.path },
  };
}
