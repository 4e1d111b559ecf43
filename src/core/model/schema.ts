import { z } from 'zod';
import type {
  JsonObject,
  Persona,
  PersonaSet,
  Scenario,
  ScenarioPack,
  ToolSpec,
} from './types.ts';
import { fromZodIssues, ValidationError, type ValidationIssue } from './validation.ts';
import { TRAIT_MAX, TRAIT_MIN, TRAIT_NAMES } from '../personas/traits.ts';

/*
 * Schemas for everything that enters from outside: scenario packs, single scenarios,
 * personas and persona sets. zod gives precise paths; semantic checks that need more than
 * one field (gold actions naming declared tools, unique ids) follow the schema pass.
 */

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$/, {
  error: 'must be 1–80 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
});
const text = z.string().min(1);
const jsonObject = z.record(z.string(), z.json()) as unknown as z.ZodType<JsonObject>;

const template = z.json();
const binding = z.string().regex(/^[A-Za-z_$][\w$]*$/, { error: 'must be a simple name (letters, digits, "_")' });
const tablePath = z.string().regex(/^[A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[\d+\])*$/, { error: 'must be a path such as "orders" or "order.items"' });

/** One step of a declarative tool; exactly one verb per step. */
const toolStep = z.union([
  z.strictObject({ get: tablePath, key: template, by: z.string().optional(), as: binding, notFound: z.string().optional() }),
  z.strictObject({ find: tablePath, where: z.record(z.string(), template), as: binding, first: z.boolean().optional(), notFound: z.string().optional() }),
  z.strictObject({
    check: template,
    in: z.array(z.json()).optional(),
    notIn: z.array(z.json()).optional(),
    equals: z.json().optional(),
    exists: z.boolean().optional(),
    message: text,
  }),
  z.strictObject({ set: tablePath, value: template }),
  z.strictObject({ append: tablePath, value: template, key: template.optional(), as: binding.optional() }),
  z.strictObject({ delete: tablePath, key: template, by: z.string().optional(), notFound: z.string().optional() }),
], { error: 'must be one step: get, find, check, set, append or delete, with only that step\'s fields' });

export const toolImplSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('declarative'),
    steps: z.array(toolStep),
    returns: template.optional(),
    transfer: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('code'),
    source: z.string().min(1).max(100_000),
    timeoutMs: z.int().min(1).max(30_000).optional(),
    transfer: z.boolean().optional(),
  }),
]);

export const toolSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, { error: 'must be a function-style name (letters, digits, "_")' }),
  description: text,
  parameters: z.looseObject({ type: z.literal('object') }) as unknown as z.ZodType<JsonObject>,
  kind: z.enum(['read', 'write']),
  impl: toolImplSchema.optional(),
});

const goalRequest = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('action'),
    utterance: text,
    tool: text,
    expect: z.record(z.string(), z.string()),
  }),
  z.strictObject({ type: z.literal('info'), utterance: text, slot: text }),
]);

const userSide = z.strictObject({
  reasonForContact: text,
  knownInfo: z.record(z.string(), z.string()),
  unknownInfo: z.array(text),
  taskInstructions: text,
  goal: z.strictObject({
    requests: z.array(goalRequest).min(1),
    acceptsRefusal: z.boolean().optional(),
  }),
  personaRef: id.optional(),
});

const evaluation = z.strictObject({
  goldActions: z.array(
    z.strictObject({ name: text, arguments: jsonObject, compareArgs: z.array(text).optional() }),
  ),
  envAssertions: z.array(z.strictObject({ path: text, equals: z.json() })),
  communicateInfo: z.array(text),
  nlAssertions: z.array(text),
  rewardBasis: z.array(z.enum(['DB', 'ACTION', 'ENV_ASSERTION', 'COMMUNICATE', 'NL_ASSERTION'])).min(1),
});

const taskFields = {
  id,
  title: text,
  purpose: text,
  difficulty: z.enum(['easy', 'medium', 'hard']),
  user: userSide,
  evaluation,
};

export const packTaskSchema = z.strictObject(taskFields);

export const scenarioSchema = z.strictObject({
  ...taskFields,
  domain: id,
  packId: id.optional(),
  agent: z.strictObject({ policy: text, tools: z.array(toolSpecSchema).min(1) }),
  initialDb: jsonObject,
});

export const scenarioPackSchema = z.strictObject({
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

export const personaSchema = z.strictObject({
  id,
  name: text,
  setId: id.optional(),
  summary: text,
  traits: traitsSchema,
  role: text,
  background: z.string().max(2000),
  policy: z.string().max(4000).optional(),
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
  if (!result.success) throw new ValidationError(source, fromZodIssues(result.error.issues, input));
  return result.data;
}

/** Checks tools, gold actions and goal requests against each other and the domain's code. */
function crossCheck(
  domain: string,
  tools: readonly ToolSpec[],
  tasks: readonly { id: string; user: Scenario['user']; evaluation: Scenario['evaluation'] }[],
  catalog: DomainCatalog,
  paths: { tools: string; task: (i: number) => string; domain: string },
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
      if (!declared.has(a.name)) {
        issues.push({
          path: `${base}evaluation.goldActions[${ai}].name`,
          message: `references tool "${a.name}", which is not among the scenario's tools (${[...declared].join(', ')})`,
        });
      }
    });
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

/** Validates a scenario pack; throws ValidationError naming every bad field. */
export function validateScenarioPack(input: unknown, catalog: DomainCatalog, source = 'scenario pack'): ScenarioPack {
  const pack = check(scenarioPackSchema, input, source) as ScenarioPack;
  const issues = crossCheck(pack.domain, pack.tools, pack.tasks, catalog, {
    tools: 'tools',
    task: (i) => `tasks[${i}].`,
    domain: 'domain',
  });
  if (issues.length) throw new ValidationError(source, issues);
  return pack;
}

/** Validates one scenario; throws ValidationError naming every bad field. */
export function validateScenario(input: unknown, catalog: DomainCatalog, source = 'scenario'): Scenario {
  const scenario = check(scenarioSchema, input, source) as Scenario;
  const issues = crossCheck(scenario.domain, scenario.agent.tools, [scenario], catalog, {
    tools: 'agent.tools',
    task: () => '',
    domain: 'domain',
  });
  if (issues.length) throw new ValidationError(source, issues);
  return scenario;
}

export function validatePersona(input: unknown, source = 'persona'): Persona {
  return check(personaSchema, input, source) as Persona;
}

export function validatePersonaSet(input: unknown, source = 'persona set'): PersonaSet {
  const set = check(personaSetSchema, input, source) as PersonaSet;
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  set.personas.forEach((p, i) => {
    if (seen.has(p.id)) issues.push({ path: `personas[${i}].id`, message: `duplicate id "${p.id}"` });
    seen.add(p.id);
  });
  if (issues.length) throw new ValidationError(source, issues);
  return set;
}

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
