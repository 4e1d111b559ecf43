import { z } from 'zod';
import type {
  JsonObject,
  Persona,
  PersonaSet,
  Scenario,
  ScenarioPack,
  ToolSpec,
  UserSide,
} from './types.ts';
import { formatPath, fromZodIssues, ValidationError, type ValidationIssue } from './validation.ts';
import { TRAIT_MAX, TRAIT_MIN, TRAIT_NAMES } from '../personas/traits.ts';
import {
  MAX_BACKGROUND_CHARS,
  MAX_CONTROL_NOTE_CHARS,
  MAX_CONTROL_TURN,
  MAX_CONTROLS,
  MAX_EVENT_COUNT,
  MAX_POLICY_CHARS,
} from '../personas/limits.ts';
import { checkArguments } from '../scenarios/environment.ts';
import { lintCodeTool, lintDeclarativeTool } from '../scenarios/tools/declarative.ts';
import { knownFromIssues, userKnowledgeIssues } from '../scenarios/user-knowledge.ts';

/*
 * Schemas for everything that enters from outside: scenario packs, single scenarios,
 * personas and persona sets. zod gives precise paths; semantic checks that need more than
 * one field (gold actions naming declared tools, unique ids) follow the schema pass.
 */

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$/, {
  error: 'must be 1–80 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
});
const text = z.string().min(1);
// One instance, so the published JSON Schema defines "any JSON value" once.
const jsonValue = z.json();
const jsonObject = z.record(z.string(), jsonValue) as unknown as z.ZodType<JsonObject>;

const template = jsonValue;
const binding = z.string().regex(/^[A-Za-z_$][\w$]*$/, { error: 'must be a simple name (letters, digits, "_")' });
const tablePath = z.string().regex(/^[A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[\d+\])*$/, { error: 'must be a path such as "orders" or "order.items"' });

/** The verbs of declarative steps, in the order of `toolStep`'s options. */
const STEP_VERBS = ['get', 'find', 'check', 'set', 'append', 'delete'] as const;

/** One step of a declarative tool; exactly one verb per step. */
const toolStep = z.union([
  z.strictObject({ get: tablePath, key: template, by: z.string().optional(), as: binding, notFound: z.string().optional() }),
  z.strictObject({ find: tablePath, where: z.record(z.string(), template), as: binding, first: z.boolean().optional(), notFound: z.string().optional() }),
  z.strictObject({
    check: template,
    in: z.array(jsonValue).optional(),
    notIn: z.array(jsonValue).optional(),
    equals: jsonValue.optional(),
    exists: z.boolean().optional(),
    message: text,
  }),
  z.strictObject({ set: tablePath, value: template }),
  z.strictObject({ append: tablePath, value: template, key: template.optional(), as: binding.optional(), conflict: z.string().optional() }),
  z.strictObject({ delete: tablePath, key: template, by: z.string().optional(), notFound: z.string().optional() }),
], { error: 'must be one step: get, find, check, set, append or delete, with only that step\'s fields' });

export const toolImplSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('declarative'),
    steps: z.array(toolStep).describe('Steps over the database, in order: get, find, check, set, append, delete.'),
    returns: template.optional(),
    transfer: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('code'),
    source: z.string().min(1).max(100_000).describe('The body of function (db, args, fail), in JavaScript, run in a sandbox.'),
    timeoutMs: z.int().min(1).max(30_000).optional().describe('Per-call time limit in milliseconds (default 1000).'),
    transfer: z.boolean().optional(),
  }),
]);

export const toolSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, { error: 'must be a function-style name (letters, digits, "_")' }),
  description: text,
  parameters: (z.looseObject({ type: z.literal('object') }) as unknown as z.ZodType<JsonObject>).describe('JSON Schema of the arguments.'),
  kind: z.enum(['read', 'write']).describe('read: never changes the database; write: may.'),
  impl: toolImplSchema.optional().describe("How the tool works; absent for a built-in domain's tools."),
});

const preferenceRule = z.strictObject({
  field: text,
  is: z.union([z.string(), z.number(), z.boolean()]).optional(),
  max: z.number().optional(),
  min: z.number().optional(),
  notIn: z.array(z.union([z.string(), z.number()])).optional(),
  reason: text.describe('What the user says when rejecting an item that breaks this preference.'),
});

const itemPreferences = z.strictObject({
  table: text.describe('The table the items come from.'),
  nameField: text.describe('The field the agent names items by.'),
  rules: z.array(preferenceRule).min(1),
});

const goalRequest = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('action'),
    utterance: text,
    tool: text,
    expect: z.record(z.string(), z.string()),
    prefer: itemPreferences.optional().describe('A recommendation: hidden preferences the accepted item must meet.'),
  }),
  z.strictObject({ type: z.literal('info'), utterance: text, slot: text }),
]);

const userSide = z.strictObject({
  reasonForContact: text,
  knownInfo: z.record(z.string(), z.string()).describe('Facts the user holds, slot to value.'),
  knownFrom: z
    .record(z.string(), text)
    .optional()
    .describe(
      'Where the user has each identifier of knownInfo from, slot to source ("order confirmation email"). Needed for every slot whose value holds an identifier, personal details (name, email, phone, zip, address, date of birth) aside; each key must be a knownInfo slot.',
    ),
  unknownInfo: z.array(text).describe('Things the user does not know and must not make up.'),
  taskInstructions: text.describe('The hidden task in natural language, for LLM user simulators.'),
  goal: z.strictObject({
    requests: z.array(goalRequest).min(1),
    acceptsRefusal: z.boolean().optional(),
    refusalReason: z
      .strictObject({
        says: z.array(text).min(1).describe("Phrases, any one of which in the agent's refusing message gives the reason (case-insensitive)."),
      })
      .optional()
      .describe('The reason a refusal must give for the user to accept it; needs acceptsRefusal: true.'),
  }),
  personaRef: id.optional(),
});

const evaluation = z.strictObject({
  goldActions: z.array(
    z.strictObject({
      name: text,
      arguments: jsonObject,
      compareArgs: z.array(text).optional().describe('Arguments compared when matching calls; all when absent.'),
    }),
  ).describe('The tool calls a correct agent makes, in order.'),
  envAssertions: z.array(z.strictObject({ path: text, equals: jsonValue })).describe('Database paths and the values they must hold at the end.'),
  communicateInfo: z.array(text).describe("Texts that must appear in the agent's messages (case-insensitive)."),
  nlAssertions: z.array(text).describe('Statements an LLM judge decides from the transcript.'),
  rewardBasis: z.array(z.enum(['DB', 'ACTION', 'ENV_ASSERTION', 'COMMUNICATE', 'NL_ASSERTION'])).min(1).describe('The criteria whose product is the reward.'),
});

/**
 * Whether the task needs clarifying questions. The three fields must agree; JSON Schema
 * cannot say so, so the import says which one is off.
 */
const clarification = z
  .strictObject({
    needed: z.boolean().describe('true: only the user can settle the request, so the agent must ask; false: asking is unnecessary.'),
    questions: z.int().min(0).max(20).describe('Questions needed beyond identification: at least 1 when needed, 0 when not.'),
    about: z.array(text).describe('What each question is about, one entry per question.'),
  })
  .superRefine((c, ctx) => {
    // zod runs this after non-fatal issues too: parts already refused are not compared again.
    if (typeof c.needed !== 'boolean' || !Number.isInteger(c.questions) || c.questions < 0 || c.questions > 20 || !Array.isArray(c.about)) return;
    if (!c.needed && c.questions > 0) {
      ctx.addIssue({ code: 'custom', path: ['questions'], message: `must be 0 when "needed" is false (got ${c.questions}): a task that needs no clarification has no questions to ask` });
    } else if (c.needed && c.questions === 0) {
      ctx.addIssue({ code: 'custom', path: ['questions'], message: 'must be at least 1 when "needed" is true (got 0)' });
    } else if (c.about.length !== c.questions) {
      ctx.addIssue({ code: 'custom', path: ['about'], message: `lists ${c.about.length} question${c.about.length === 1 ? '' : 's'} but "questions" is ${c.questions}: give one entry per question` });
    }
  });

const taskFields = {
  id,
  title: text,
  purpose: text,
  difficulty: z.enum(['easy', 'medium', 'hard']),
  user: userSide,
  evaluation,
  clarification: clarification.optional().describe('Whether the agent must ask clarifying questions beyond identification, and which.'),
};

export const packTaskSchema = z.strictObject(taskFields);

/** Editors find a file's JSON Schema through "$schema"; the format allows it and ignores it. */
const schemaRef = z.string().optional();

export const scenarioSchema = z.strictObject({
  $schema: schemaRef,
  ...taskFields,
  domain: id,
  packId: id.optional(),
  agent: z.strictObject({ policy: text, tools: z.array(toolSpecSchema).min(1) }),
  initialDb: jsonObject,
});

export const scenarioPackSchema = z.strictObject({
  $schema: schemaRef,
  formatVersion: z.literal(1),
  id,
  title: text,
  description: text,
  domain: id,
  policy: text,
  tools: z.array(toolSpecSchema).min(1),
  db: jsonObject,
  tasks: z.array(packTaskSchema).min(1),
});

const traitValue = z.int().min(TRAIT_MIN).max(TRAIT_MAX);
const traitsSchema = z.strictObject(
  Object.fromEntries(TRAIT_NAMES.map((n) => [n, traitValue])) as Record<string, typeof traitValue>,
);
/** Some traits, each at most once: what a dynamic control changes. */
const traitChangesSchema = z
  .strictObject(Object.fromEntries(TRAIT_NAMES.map((n) => [n, traitValue.optional()])) as Record<string, z.ZodOptional<typeof traitValue>>)
  .refine((o) => Object.values(o).some((v) => v !== undefined), { error: 'must change at least one trait' });

const eventCount = z.int().min(1).max(MAX_EVENT_COUNT);
export const personaControlSchema = z.strictObject({
  when: z.discriminatedUnion('type', [
    // The upper bound is checked here so that every problem of a file is reported at once.
    z.strictObject({ type: z.literal('turn'), turn: z.int().min(1).max(MAX_CONTROL_TURN) }),
    z.strictObject({ type: z.literal('unhelpful'), count: eventCount }),
    z.strictObject({ type: z.literal('tool_error'), count: eventCount }),
  ]),
  set: traitChangesSchema,
  note: z.string().max(MAX_CONTROL_NOTE_CHARS).optional(),
});

export const personaSchema = z.strictObject({
  id,
  name: text,
  setId: id.optional(),
  summary: text,
  traits: traitsSchema,
  role: text,
  background: z.string().max(MAX_BACKGROUND_CHARS),
  policy: z.string().max(MAX_POLICY_CHARS).optional(),
  controls: z.array(personaControlSchema).max(MAX_CONTROLS).optional(),
});

export const personaSetSchema = z.strictObject({
  formatVersion: z.literal(1),
  id,
  title: text,
  description: text,
  personas: z.array(personaSchema).min(1),
});

/** What validation needs to know about the code side: which tools each domain implements. */
export interface DomainCatalog {
  /** Tool names implemented for a domain, or undefined for a domain with no implementation. */
  toolsOf(domain: string): readonly string[] | undefined;
}

function check<T>(schema: z.ZodType<T>, input: unknown, source: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(source, scenarioIssues(result.error.issues, input, []));
  return result.data;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const step of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Object.hasOwn(cur, step) ? (cur as Record<PropertyKey, unknown>)[step as string] : undefined;
  }
  return cur;
}

/**
 * zod's issues for scenario files, with the unions spelt out: a declarative step is reported
 * by the fields of the verb it uses ("steps[1].message: is required but missing"), not as
 * "matches none of six shapes"; an unknown `type` lists the known ones; a missing JSON value
 * is "required"; a record is called a JSON object.
 */
function scenarioIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: readonly PropertyKey[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const raw of issues) {
    const issue = { ...raw, path: [...prefix, ...raw.path] } as z.core.$ZodIssue;
    const path = formatPath(issue.path);
    const got = valueAt(input, issue.path);
    if (issue.code === 'invalid_union' && issue.path.at(-2) === 'steps' && issue.errors.length === STEP_VERBS.length) {
      const verbs = got !== null && typeof got === 'object' && !Array.isArray(got) ? STEP_VERBS.filter((v) => Object.hasOwn(got, v)) : [];
      if (verbs.length === 1) {
        out.push(...scenarioIssues(issue.errors[STEP_VERBS.indexOf(verbs[0]!)]!, input, issue.path));
      } else {
        const found = verbs.length ? `it has ${verbs.map((v) => `"${v}"`).join(' and ')}` : 'it has none';
        out.push({ path, message: `a step needs exactly one verb (${STEP_VERBS.join(', ')}); ${found}` });
      }
    } else if (issue.code === 'invalid_union' && 'discriminator' in issue && Array.isArray((issue as { options?: unknown }).options)) {
      // A discriminated union whose `type` matched no option; zod lists the options it knows.
      const options = ((issue as { options?: unknown[] }).options ?? []).map((o) => JSON.stringify(o)).join(', ');
      out.push({
        path,
        message: got === undefined ? `is required but missing (one of ${options})` : `must be one of ${options} (got ${JSON.stringify(got)?.slice(0, 40)})`,
      });
    } else if (issue.code === 'invalid_union' && issue.errors.length === 6 && issue.message === 'Invalid input') {
      // z.json(): six alternatives, one per JSON type; only a missing value fails them all.
      out.push({ path, message: got === undefined ? 'is required but missing (any JSON value)' : 'must be a JSON value' });
    } else if (issue.code === 'invalid_value' && issue.values.length === 1) {
      out.push({ path, message: `must be ${JSON.stringify(issue.values[0])} (got ${JSON.stringify(got)?.slice(0, 40)})` });
    } else if (issue.code === 'invalid_type' && issue.expected === 'record') {
      const [one] = fromZodIssues([{ ...issue, expected: 'object' } as z.core.$ZodIssue], input);
      out.push({ ...one!, message: one!.message.replace('an object, got', 'a JSON object, got').replace('(expected object)', '(expected a JSON object)') });
    } else {
      out.push(...fromZodIssues([issue], input));
    }
  }
  return out;
}

/** Checks a tool's parameters beyond `type: "object"`: what `required` names must exist. */
function parameterIssues(tool: ToolSpec, path: string): ValidationIssue[] {
  const params = tool.parameters as { properties?: unknown; required?: unknown };
  if (params.properties !== undefined && (params.properties === null || typeof params.properties !== 'object' || Array.isArray(params.properties))) {
    return [{ path: `${path}.properties`, message: 'must be a JSON object mapping argument names to their schemas' }];
  }
  if (params.required === undefined) return [];
  if (!Array.isArray(params.required) || params.required.some((r) => typeof r !== 'string')) {
    return [{ path: `${path}.required`, message: 'must be a list of argument names' }];
  }
  const props = (params.properties ?? {}) as Record<string, unknown>;
  return (params.required as string[]).flatMap((r, i) =>
    Object.hasOwn(props, r) ? [] : [{ path: `${path}.required[${i}]`, message: `names "${r}", which is not among the properties (${Object.keys(props).join(', ') || 'none'})` }],
  );
}

/** Checks tools, gold actions and goal requests against each other and the domain's code. */
function crossCheck(
  domain: string,
  db: JsonObject,
  tools: readonly ToolSpec[],
  tasks: readonly { id: string; user: Scenario['user']; evaluation: Scenario['evaluation'] }[],
  catalog: DomainCatalog,
  paths: { tools: string; task: (i: number) => string; domain: string },
  userKnowledge: UserKnowledgeCheck,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const implemented = catalog.toolsOf(domain);
  // A tool is implemented by the file itself (impl) or by the domain's built-in code.
  if (!implemented && tools.some((t) => !t.impl)) {
    issues.push({
      path: paths.domain,
      message: `unknown domain "${domain}": it has no built-in tools, so every tool needs an "impl" (declarative or code)`,
    });
  }
  const declared = new Set<string>();
  tools.forEach((t, i) => {
    if (declared.has(t.name)) issues.push({ path: `${paths.tools}[${i}].name`, message: `duplicate tool "${t.name}"` });
    declared.add(t.name);
    issues.push(...parameterIssues(t, `${paths.tools}[${i}].parameters`));
    const lint = t.impl?.type === 'declarative' ? lintDeclarativeTool(t.impl, db) : t.impl?.type === 'code' ? lintCodeTool(t.impl) : [];
    issues.push(...lint.map((x) => ({ path: `${paths.tools}[${i}].impl.${x.path}`, message: x.message })));
    if (implemented && !t.impl && !implemented.includes(t.name)) {
      issues.push({
        path: `${paths.tools}[${i}].name`,
        message: `tool "${t.name}" does not exist in domain "${domain}" and has no "impl" (built-in tools: ${implemented.join(', ')})`,
      });
    }
  });
  const seen = new Set<string>();
  tasks.forEach((task, ti) => {
    const base = paths.task(ti);
    if (seen.has(task.id)) issues.push({ path: `${base}id`, message: `duplicate id "${task.id}"` });
    seen.add(task.id);
    task.evaluation.goldActions.forEach((a, ai) => {
      const at = `${base}evaluation.goldActions[${ai}]`;
      const tool = tools.find((t) => t.name === a.name);
      if (!tool) {
        issues.push({
          path: `${at}.name`,
          message: `references tool "${a.name}", which is not among the scenario's tools (${[...declared].join(', ')})`,
        });
        return;
      }
      // The same check the environment makes on every call: a gold call it would refuse can never be matched.
      const bad = checkArguments(tool, a.arguments);
      if (bad) issues.push({ path: `${at}.arguments`, message: bad });
      (a.compareArgs ?? []).forEach((name, ci) => {
        if (!Object.hasOwn(a.arguments, name)) {
          issues.push({
            path: `${at}.compareArgs[${ci}]`,
            message: `names "${name}", which is not among this action's arguments (${Object.keys(a.arguments).join(', ') || 'none'})`,
          });
        }
      });
    });
    // The reason a refusal must give only matters to a user who accepts a refusal at all.
    if (task.user.goal.refusalReason && task.user.goal.acceptsRefusal !== true) {
      issues.push({
        path: `${base}user.goal.refusalReason`,
        message: 'names the reason a refusal must give, but the goal does not accept a refusal: set "acceptsRefusal": true, or leave refusalReason out',
      });
    }
    issues.push(...knownFromIssues(task.user, base));
    if (userKnowledge === 'refuse') issues.push(...userKnowledgeIssues(task.user, base));
    task.user.goal.requests.forEach((r, ri) => {
      if (r.type === 'action' && !declared.has(r.tool)) {
        issues.push({
          path: `${base}user.goal.requests[${ri}].tool`,
          message: `references tool "${r.tool}", which is not among the scenario's tools`,
        });
      }
    });
  });
  return issues;
}

/**
 * What validation does with a user side that holds what the user cannot know (an identifier
 * without its source, a goal value the user cannot say: `userKnowledgeIssues`): `refuse` it
 * (the default: built-in packs, the τ²-bench import), or `report` it, leaving the caller to
 * warn (`userKnowledgeWarnings`; the Library page's imports, so files written before
 * `knownFrom` existed still load). A `knownFrom` key naming no slot is refused either way.
 */
export type UserKnowledgeCheck = 'refuse' | 'report';

/** Options of validateScenarioPack and validateScenario. */
export interface ValidateOptions {
  /** Default 'refuse'; see UserKnowledgeCheck. */
  userKnowledge?: UserKnowledgeCheck;
}

/** Validates a scenario pack; throws ValidationError naming every bad field. */
export function validateScenarioPack(input: unknown, catalog: DomainCatalog, source = 'scenario pack', options: ValidateOptions = {}): ScenarioPack {
  const { $schema: _ref, ...pack } = check(scenarioPackSchema, input, source) as ScenarioPack & { $schema?: string };
  const issues = crossCheck(pack.domain, pack.db, pack.tools, pack.tasks, catalog, {
    tools: 'tools',
    task: (i) => `tasks[${i}].`,
    domain: 'domain',
  }, options.userKnowledge ?? 'refuse');
  if (issues.length) throw new ValidationError(source, issues);
  return pack;
}

/** Validates one scenario; throws ValidationError naming every bad field. */
export function validateScenario(input: unknown, catalog: DomainCatalog, source = 'scenario', options: ValidateOptions = {}): Scenario {
  const { $schema: _ref, ...scenario } = check(scenarioSchema, input, source) as Scenario & { $schema?: string };
  const issues = crossCheck(scenario.domain, scenario.initialDb, scenario.agent.tools, [scenario], catalog, {
    tools: 'agent.tools',
    task: () => '',
    domain: 'domain',
  }, options.userKnowledge ?? 'refuse');
  if (issues.length) throw new ValidationError(source, issues);
  return scenario;
}

/**
 * The user-knowledge problems of tasks already validated with `userKnowledge: 'report'`, as
 * warnings: `pathOf(i)` is the path of task i ("tasks[3]." or "").
 */
export function userKnowledgeWarnings(tasks: readonly { user: Scenario['user'] }[], pathOf: (index: number) => string): ValidationIssue[] {
  return tasks.flatMap((t, i) => userKnowledgeIssues(t.user, pathOf(i)));
}

/**
 * zod's issues for persona files, with the two cases a person most needs spelt out: an
 * unknown trait is named with the known ones listed, and a schedule past the limit says so.
 */
function personaIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    const last = issue.path.at(-1);
    if (issue.code === 'unrecognized_keys' && (last === 'traits' || last === 'set')) {
      for (const key of issue.keys) {
        out.push({ path: formatPath(issue.path), message: `unknown field "${key}": not a trait (traits are: ${TRAIT_NAMES.join(', ')})` });
      }
    } else if (issue.code === 'too_big' && last === 'turn' && issue.path.at(-2) === 'when') {
      let got: unknown = input;
      for (const step of issue.path) got = (got as Record<PropertyKey, unknown> | undefined)?.[step as string];
      out.push({
        path: formatPath(issue.path),
        message: `the schedule points past the maximum turn: user turn ${String(got)} is after turn ${MAX_CONTROL_TURN}, the latest a control may name`,
      });
    } else {
      out.push(...fromZodIssues([issue], input));
    }
  }
  return out;
}

function checkPersonas<T>(schema: z.ZodType<T>, input: unknown, source: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(source, personaIssues(result.error.issues, input));
  return result.data;
}

/**
 * Validates one persona; throws ValidationError naming every bad field (unknown traits,
 * values out of range, missing fields, schedules past the limit, an over-long policy).
 */
export function validatePersona(input: unknown, source = 'persona'): Persona {
  return checkPersonas(personaSchema, input, source) as Persona;
}

/** Validates a persona set; as validatePersona for each member, and ids must be unique. */
export function validatePersonaSet(input: unknown, source = 'persona set'): PersonaSet {
  const set = checkPersonas(personaSetSchema, input, source) as PersonaSet;
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  set.personas.forEach((p, i) => {
    if (seen.has(p.id)) issues.push({ path: `personas[${i}].id`, message: `duplicate id "${p.id}"` });
    seen.add(p.id);
  });
  if (issues.length) throw new ValidationError(source, issues);
  return set;
}

/* Compile-time drift check against types.ts, as storage/bundle-schema.ts does it: a UserSide
 * field missing here, or a parsed user side the type does not accept, fails type checking. */
type NoneMissing<M extends never> = M;
type Assignable<A extends B, B> = [A, B];
type _UserSideCovered = [NoneMissing<Exclude<keyof UserSide, keyof z.output<typeof userSide>>>, Assignable<z.output<typeof userSide>, UserSide>];

/** Expands a pack into full scenarios that share its policy, tools and database. */
export function expandPack(pack: ScenarioPack): Scenario[] {
  return pack.tasks.map((task) => ({
    ...task,
    domain: pack.domain,
    packId: pack.id,
    agent: { policy: pack.policy, tools: pack.tools },
    initialDb: pack.db,
  }));
}
