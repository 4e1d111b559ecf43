/**
 * The τ²-bench domains whose tools Understudy can run: retail (built-in TypeScript,
 * domains/tau2-retail.ts) and mock (small enough to ship as declarative and code tools inside
 * the imported pack). Each says how to check its db.json and how to read its env assertions.
 */
import { z } from 'zod';
import type { EvaluationCriteria, Json, ToolSpec } from '../../model/types.ts';
import { fromZodIssues, type ValidationIssue } from '../../model/validation.ts';
import { TAU2_RETAIL_DOMAIN_ID, TAU2_RETAIL_REQUEST_UTTERANCES, TAU2_RETAIL_TOOL_SPECS } from '../domains/tau2-retail.ts';

/** An env assertion as τ²-bench writes it (EnvAssertion). */
export interface Tau2EnvAssertion {
  env_type: 'assistant' | 'user';
  func_name: string;
  arguments: Record<string, Json>;
  assert_value?: boolean;
  message?: string | null;
}

/** What Understudy knows about running one τ²-bench domain. */
export interface Tau2Toolset {
  /** Our domain id, e.g. "tau2-retail". */
  domainId: string;
  /** τ²-bench's label for people, e.g. "Retail". */
  label: string;
  /** The agent's tools, in τ²-bench's order. */
  tools: ToolSpec[];
  /** Problems with db.json's shape, as paths inside it; empty when it is usable. */
  checkDb(db: unknown): ValidationIssue[];
  /** The user's words for asking for each write tool. */
  utterances: Record<string, string>;
  /**
   * An env assertion as a database path and value, or a sentence saying why it cannot be
   * expressed that way.
   */
  envAssertion(a: Tau2EnvAssertion): EvaluationCriteria['envAssertions'][number] | string;
}

function zodIssues(schema: z.ZodType, input: unknown): ValidationIssue[] {
  const r = schema.safeParse(input);
  return r.success ? [] : fromZodIssues(r.error.issues, input);
}

const noEnvAssertions = (a: Tau2EnvAssertion) =>
  `env assertion ${a.func_name}(${Object.keys(a.arguments).join(', ')}) has no counterpart here`;

/* ----------------------------------------------------------------- retail */

const retailDbSchema = z.looseObject({
  products: z.record(
    z.string(),
    z.looseObject({
      name: z.string(),
      product_id: z.string(),
      variants: z.record(
        z.string(),
        z.looseObject({ item_id: z.string(), options: z.record(z.string(), z.string()), available: z.boolean(), price: z.number() }),
      ),
    }),
  ),
  users: z.record(
    z.string(),
    z.looseObject({
      user_id: z.string(),
      name: z.looseObject({ first_name: z.string(), last_name: z.string() }),
      address: z.looseObject({ zip: z.string() }),
      email: z.string(),
      payment_methods: z.record(
        z.string(),
        z.looseObject({ source: z.string(), id: z.string(), balance: z.number().optional() }).refine(
          (m) => m.source !== 'gift_card' || typeof m.balance === 'number',
          { error: 'a gift card needs a numeric "balance"' },
        ),
      ),
      orders: z.array(z.string()),
    }),
  ),
  orders: z.record(
    z.string(),
    z.looseObject({
      order_id: z.string(),
      user_id: z.string(),
      status: z.string(),
      items: z.array(z.looseObject({ item_id: z.string(), product_id: z.string(), price: z.number() })),
      payment_history: z.array(
        z.looseObject({ transaction_type: z.string(), amount: z.number(), payment_method_id: z.string() }),
      ),
    }),
  ),
});

const retail: Tau2Toolset = {
  domainId: TAU2_RETAIL_DOMAIN_ID,
  label: 'Retail',
  tools: TAU2_RETAIL_TOOL_SPECS,
  checkDb: (db) => zodIssues(retailDbSchema, db),
  utterances: TAU2_RETAIL_REQUEST_UTTERANCES,
  envAssertion: noEnvAssertions,
};

/* ------------------------------------------------------------------- mock */

const mockDbSchema = z.looseObject({
  tasks: z.record(z.string(), z.looseObject({ task_id: z.string(), title: z.string(), status: z.string() })),
  users: z.record(z.string(), z.looseObject({ user_id: z.string(), name: z.string(), tasks: z.array(z.string()) })),
});

/** τ²-bench's mock domain, as tools that travel inside the pack (no built-in code needed). */
export const TAU2_MOCK_TOOL_SPECS: ToolSpec[] = [
  {
    name: 'create_task',
    kind: 'write',
    description: 'Create a new task for a user. Returns the created task.',
    parameters: {
      type: 'object',
      properties: {
        user_id: { type: 'string', description: 'The id of the user the task is for.' },
        title: { type: 'string', description: 'The title of the task.' },
        description: { type: 'string', description: 'An optional description of the task.' },
      },
      required: ['user_id', 'title'],
      additionalProperties: false,
    },
    // The new id counts the existing tasks, which declarative steps cannot do: a code tool.
    impl: {
      type: 'code',
      source: [
        'if (!Object.prototype.hasOwnProperty.call(db.users, args.user_id)) fail("User " + args.user_id + " not found");',
        'const taskId = "task_" + (Object.keys(db.tasks).length + 1);',
        'const task = { task_id: taskId, title: args.title, description: args.description ?? null, status: "pending" };',
        'db.tasks[taskId] = task;',
        'db.users[args.user_id].tasks.push(taskId);',
        'return task;',
      ].join('\n'),
    },
  },
  {
    name: 'get_users',
    kind: 'read',
    description: 'Get all users in the database.',
    parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
    impl: { type: 'declarative', steps: [], returns: '{db.users}' },
  },
  {
    name: 'update_task_status',
    kind: 'write',
    description: 'Update the status of a task. Returns the updated task.',
    parameters: {
      type: 'object',
      properties: {
        task_id: { type: 'string', description: 'The id of the task to update.' },
        status: { type: 'string', enum: ['pending', 'completed'], description: 'The new status of the task.' },
      },
      required: ['task_id', 'status'],
      additionalProperties: false,
    },
    impl: {
      type: 'declarative',
      steps: [
        { get: 'tasks', key: '{args.task_id}', as: 'task', notFound: 'Task {args.task_id} not found' },
        { set: 'task.status', value: '{args.status}' },
      ],
      returns: '{task}',
    },
  },
  {
    name: 'transfer_to_human_agents',
    kind: 'read',
    description:
      'Transfer the user to a human agent, with a summary of their issue. Transfer only if the user explicitly asks for a human agent, or if their issue cannot be solved with the policy and the tools available.',
    parameters: {
      type: 'object',
      properties: { summary: { type: 'string', description: "A summary of the user's issue." } },
      required: ['summary'],
      additionalProperties: false,
    },
    impl: { type: 'declarative', steps: [], returns: 'Transfer successful', transfer: true },
  },
];

const mock: Tau2Toolset = {
  domainId: 'tau2-mock',
  label: 'Mock',
  tools: TAU2_MOCK_TOOL_SPECS,
  checkDb: (db) => zodIssues(mockDbSchema, db),
  utterances: { create_task: 'create a task', update_task_status: 'update the status of a task' },
  envAssertion(a) {
    const taskId = a.arguments['task_id'];
    const status = a.arguments['expected_status'];
    if (a.env_type === 'assistant' && a.func_name === 'assert_task_status' && typeof taskId === 'string' && status !== undefined) {
      if (a.assert_value === false) return 'a negated assertion (assert_value: false) has no counterpart here';
      return { path: `tasks[${JSON.stringify(taskId)}].status`, equals: status };
    }
    return a.env_type === 'user'
      ? `env assertion ${a.func_name} checks the user's own database (user tools), which is not imported`
      : noEnvAssertions(a);
  },
};

/** The τ²-bench domains Understudy can run, by τ²-bench's domain name. */
export const TAU2_TOOLSETS: Record<string, Tau2Toolset> = { retail, mock };

/** The toolset for a τ²-bench domain name, or undefined. */
export function getTau2Toolset(domain: string): Tau2Toolset | undefined {
  return Object.hasOwn(TAU2_TOOLSETS, domain) ? TAU2_TOOLSETS[domain] : undefined;
}
