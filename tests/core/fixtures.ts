/**
 * Small fixtures shared by the core unit tests: a tiny "acme" telecom domain with a read, a
 * write, a crashing and a transfer tool; a scenario and a pack over it; a baseline persona and
 * trait variants; and scripted participants (test doubles that replay queued replies).
 */
import type {
  JsonObject,
  Persona,
  PersonaSet,
  Scenario,
  ScenarioPack,
  ToolSpec,
  TraitValues,
  Turn,
} from '../../src/core/model/types.ts';
import type { DomainCatalog } from '../../src/core/model/schema.ts';
import { ToolError, type DomainImpl } from '../../src/core/scenarios/domain.ts';
import { createEnvironment, type Environment } from '../../src/core/scenarios/environment.ts';
import {
  runConversation,
  type ConversationOptions,
  type ConversationResult,
} from '../../src/core/simulation/orchestrator.ts';
import type {
  Participant,
  ParticipantReply,
  TurnContext,
  ViewMessage,
} from '../../src/core/simulation/participant.ts';
import { BASELINE_TRAITS } from '../../src/core/personas/traits.ts';
import type { Role } from '../../src/core/model/types.ts';
import type { EngineSeatSettings } from '../../src/engine/seat.ts';
import type { Script } from '../../src/engine/scripted.ts';

/* ----------------------------------------------------------------- domain */

type Account = { name: string; email: string; plan: string };

function accountOf(db: JsonObject, id: unknown): Account {
  const accounts = db.accounts as Record<string, Account>;
  const acc = typeof id === 'string' ? accounts[id] : undefined;
  if (!acc) throw new ToolError('Account not found');
  return acc;
}

/** The code behind the "acme" test domain. */
export const ACME_DOMAIN: DomainImpl = {
  id: 'acme',
  tools: {
    get_account: (db, args) => accountOf(db, args.account_id),
    set_plan: (db, args) => {
      const acc = accountOf(db, args.account_id);
      acc.plan = String(args.plan);
      return { account_id: args.account_id ?? null, plan: acc.plan };
    },
    crash: () => {
      throw new Error('boom');
    },
    transfer_to_human: () => 'Transfer successful',
  },
  transferTools: ['transfer_to_human'],
};

export const ACME_TOOLS: ToolSpec[] = [
  {
    name: 'get_account',
    description: 'Look up an account by id.',
    parameters: {
      type: 'object',
      properties: { account_id: { type: 'string' } },
      required: ['account_id'],
      additionalProperties: false,
    },
    kind: 'read',
  },
  {
    name: 'set_plan',
    description: "Change an account's plan.",
    parameters: {
      type: 'object',
      properties: {
        account_id: { type: 'string' },
        plan: { type: 'string', enum: ['basic', 'premium', 'family'] },
      },
      required: ['account_id', 'plan'],
      additionalProperties: false,
    },
    kind: 'write',
  },
  {
    name: 'crash',
    description: 'A tool whose code is broken.',
    parameters: { type: 'object', properties: {} },
    kind: 'read',
  },
  {
    name: 'transfer_to_human',
    description: 'Hand the user to a person.',
    parameters: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] },
    kind: 'read',
  },
];

/** Which tools each domain implements, as validation sees it. */
export const CATALOG: DomainCatalog = {
  toolsOf: (domain) => (domain === ACME_DOMAIN.id ? Object.keys(ACME_DOMAIN.tools) : undefined),
};

export function acmeDb(): JsonObject {
  return {
    accounts: {
      A1: { name: 'Ana Lima', email: 'ana@example.org', plan: 'basic' },
      B2: { name: 'Ben Ode', email: 'ben@example.org', plan: 'premium' },
    },
  };
}

/* --------------------------------------------------------------- scenario */

/** A task without the shared parts: move account A1 to the premium plan. */
export function acmeTask(): ScenarioPack['tasks'][number] {
  return {
    id: 'upgrade-plan',
    title: 'Upgrade to premium',
    purpose: 'The agent verifies the account, confirms and changes the plan.',
    difficulty: 'easy',
    user: {
      reasonForContact: 'Wants a bigger plan.',
      knownInfo: { account_id: 'A1', email: 'ana@example.org', plan: 'premium' },
      unknownInfo: ['zip code'],
      taskInstructions: 'You want account A1 moved to the premium plan.',
      goal: {
        requests: [
          {
            type: 'action',
            utterance: 'switch my plan to premium',
            tool: 'set_plan',
            expect: { account_id: 'account_id', plan: 'plan' },
          },
        ],
        acceptsRefusal: false,
      },
    },
    evaluation: {
      goldActions: [
        { name: 'get_account', arguments: { account_id: 'A1' } },
        { name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } },
      ],
      envAssertions: [{ path: 'accounts.A1.plan', equals: 'premium' }],
      communicateInfo: ['premium'],
      nlAssertions: [],
      rewardBasis: ['DB'],
    },
  };
}

export const ACME_POLICY = 'Verify the account id, confirm the change, then change the plan.';

export function makeScenario(patch: Partial<Scenario> = {}): Scenario {
  return {
    ...acmeTask(),
    domain: 'acme',
    agent: { policy: ACME_POLICY, tools: structuredClone(ACME_TOOLS) },
    initialDb: acmeDb(),
    ...patch,
  };
}

/** A scenario whose goal is changed by `edit` (on a fresh copy). */
export function scenarioWith(edit: (s: Scenario) => void): Scenario {
  const s = makeScenario();
  edit(s);
  return s;
}

/** A valid pack as plain JSON, as it would arrive from a file. */
export function makePack(): ScenarioPack {
  const second = acmeTask();
  second.id = 'downgrade-plan';
  second.title = 'Downgrade B2';
  second.user.knownInfo = { account_id: 'B2', plan: 'basic' };
  second.evaluation.goldActions = [{ name: 'set_plan', arguments: { account_id: 'B2', plan: 'basic' } }];
  return {
    formatVersion: 1,
    id: 'acme-pack',
    title: 'Acme plans',
    description: 'Plan changes at a small telecom.',
    domain: 'acme',
    policy: ACME_POLICY,
    tools: structuredClone(ACME_TOOLS),
    db: acmeDb(),
    tasks: [acmeTask(), second],
  };
}

/* --------------------------------------------------------------- personas */

export function makePersona(id = 'baseline', traits: Partial<TraitValues> = {}): Persona {
  return {
    id,
    name: `Persona ${id}`,
    summary: `The ${id} user.`,
    traits: { ...BASELINE_TRAITS, ...traits },
    role: 'customer',
    background: 'Has had the same phone contract for years.',
  };
}

export const PERSONAS = {
  baseline: makePersona('baseline'),
  impatient: makePersona('impatient', { patience: 1 }),
  reluctant: makePersona('reluctant', { cooperativeness: 1 }),
  terse: makePersona('terse', { verbosity: 1 }),
  verbose: makePersona('verbose', { verbosity: 5, initiative: 5 }),
  vague: makePersona('vague', { clarity: 1 }),
} as const;

export function makePersonaSet(): PersonaSet {
  return {
    formatVersion: 1,
    id: 'test-set',
    title: 'Test personas',
    description: 'Baseline and variants.',
    personas: [PERSONAS.baseline, PERSONAS.impatient, PERSONAS.reluctant].map((p) => structuredClone(p)),
  };
}

/* ---------------------------------------------------------- participants */

/** An Error with a given name, as errors cross worker boundaries (by name, not class). */
export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** One scripted step: a reply, an error to throw, or a function of the view. */
export type ScriptStep =
  | ParticipantReply
  | { throws: { name: string; message: string } }
  | ((view: readonly ViewMessage[], ctx: TurnContext) => ParticipantReply | Promise<ParticipantReply>);

/** A test double for a seat: replays its queue and records what it was shown. */
export interface ScriptedParticipant extends Participant {
  /** The view given on each call, in order. */
  readonly views: (readonly ViewMessage[])[];
  readonly contexts: TurnContext[];
  /** Steps not yet used. */
  remaining(): number;
}

export interface ScriptOptions {
  id?: string;
  /** Used once the queue is empty; without it an empty queue throws ScriptExhausted. */
  fallback?: ScriptStep;
}

export function scripted(role: Role, steps: readonly ScriptStep[], opts: ScriptOptions = {}): ScriptedParticipant {
  const queue = [...steps];
  const views: (readonly ViewMessage[])[] = [];
  const contexts: TurnContext[] = [];
  return {
    id: opts.id ?? `scripted-${role}`,
    role,
    views,
    contexts,
    remaining: () => queue.length,
    async nextMessage(view, ctx) {
      views.push(view.map((m) => structuredClone(m)));
      contexts.push(ctx);
      const step = queue.shift() ?? opts.fallback;
      if (step === undefined) throw namedError('ScriptExhausted', `${role} script ran out at turn ${ctx.turnIndex}`);
      if (typeof step === 'function') return step(view, ctx);
      if ('throws' in step) throw namedError(step.throws.name, step.throws.message);
      return structuredClone(step);
    },
  };
}

export const say = (content: string, extra: Partial<ParticipantReply> = {}): ParticipantReply => ({ content, ...extra });

/* ------------------------------------------------------------- running it */

export interface RunOptions extends Partial<ConversationOptions> {
  scenario?: Scenario;
  environment?: Environment;
}

/** Runs a conversation over the acme scenario with test defaults. */
export function converse(user: Participant, agent: Participant, opts: RunOptions = {}): Promise<ConversationResult> {
  const { scenario, environment, ...rest } = opts;
  let t = 0;
  return runConversation(
    { user, agent, environment: environment ?? createEnvironment(scenario ?? makeScenario(), ACME_DOMAIN) },
    { sessionId: 's1', seed: 42, maxTurns: 40, maxErrors: 3, now: () => (t += 1), ...rest },
  );
}

export const userTurns = (turns: readonly Turn[]) => turns.filter((t) => t.role === 'user');
export const agentTurns = (turns: readonly Turn[]) => turns.filter((t) => t.role === 'agent');

/** Settings of a seat over a scripted engine: deterministic sampling unless a test says otherwise. */
export function scriptedSeatSettings(model: string, sampling: Partial<EngineSeatSettings['sampling']> = {}): EngineSeatSettings {
  return {
    engine: 'scripted',
    model,
    sampling: { temperature: 0, top_p: 1, max_tokens: 512, frequency_penalty: 0, presence_penalty: 0, ...sampling },
    resetChatEachRequest: false,
    sharedEngine: false,
  };
}

/**
 * A script for the LLM user simulator's engine: every structured request (the inner state, or
 * the rating alone when that is off) gets `structured`, each spoken request the next of `speech`.
 */
export function userScript(speech: readonly string[], structured = '{"satisfaction": 4, "reason": "fine"}'): Script {
  let s = 0;
  return (q) => {
    if (q.responseFormat?.type === 'grammar') return structured;
    const r = speech[s++];
    return r ?? { error: { name: 'ScriptExhaustedError', message: `no spoken reply ${s}` } };
  };
}
