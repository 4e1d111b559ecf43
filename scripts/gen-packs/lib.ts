/**
 * What the pack generators share: building a tool spec with a declarative implementation,
 * gold actions, the user's info requests, one task in the pack format, and writing the pack
 * file when a generator is run as a script. Each generator keeps its own data and wording.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GoalRequest, Json, JsonObject, PackTask, ScenarioPack, ToolSpec } from '../../src/core/model/types.ts';
import type { ToolStep } from '../../src/core/scenarios/tools/declarative.ts';
import { identifiersNeedingSource } from '../../src/core/scenarios/user-knowledge.ts';

/** A tool parameter, as the generators write them (every parameter is required). */
export type Prop = {
  type: 'string' | 'integer' | 'array';
  description: string;
  enum?: string[];
  minimum?: number;
  pattern?: string;
  items?: { type: 'string' };
  minItems?: number;
};

/** A declarative implementation: steps, what the call returns, and whether it hands over to a person. */
export interface DeclarativeParts {
  steps: ToolStep[];
  returns?: Json;
  transfer?: boolean;
}

/** A tool spec; without `impl` the tool runs from the domain's built-in code. */
export function toolSpec(name: string, kind: 'read' | 'write', description: string, props: Record<string, Prop>, impl?: DeclarativeParts): ToolSpec {
  const spec: ToolSpec = {
    name,
    description,
    kind,
    parameters: { type: 'object', properties: props as unknown as JsonObject, required: Object.keys(props), additionalProperties: false },
  };
  if (impl) {
    spec.impl = { type: 'declarative', steps: impl.steps, ...(impl.returns === undefined ? {} : { returns: impl.returns }), ...(impl.transfer ? { transfer: true } : {}) };
  }
  return spec;
}

export type Gold = PackTask['evaluation']['goldActions'][number];

/** A gold action; `compareArgs` when free-text arguments must not be compared. */
export const g = (name: string, args: JsonObject, compareArgs?: string[]): Gold => ({ name, arguments: args, ...(compareArgs ? { compareArgs } : {}) });

/**
 * Something the user wants to learn from the agent: the agenda user asks for it until the agent
 * says `value`, the same value the task's communicateInfo scores. The slot is the value itself
 * because the simulator listens for value-like slots ("42.50", "Olivia Brandt") anywhere in the
 * agent's text, while a slot name ("approver") would be met only by the agent saying that word.
 */
export const learn = (utterance: string, value: string): GoalRequest => ({ type: 'info', utterance, slot: value });

/** One task as a generator writes it; `id` without the domain prefix. */
export interface TaskDef {
  id: string;
  title: string;
  purpose: string;
  difficulty: PackTask['difficulty'];
  reason: string;
  known: Record<string, string>;
  /**
   * Where the user has each identifier of `known` from ("order confirmation email"), slot →
   * source (user.knownFrom). A generator gives its usual sources to `withSources`; a task names
   * its own where its story differs. Every identifier the user holds needs one (`packTask`
   * throws otherwise), personal details aside.
   */
  knownFrom?: Record<string, string>;
  unknown: string[];
  instructions: string;
  requests: GoalRequest[];
  acceptsRefusal?: boolean;
  /**
   * A task whose right outcome is a refusal names its reason: phrases, any one of which the
   * agent's refusal must say for the agenda user to accept it (goal.refusalReason). The task
   * then also scores what was said (`communicate`, which must hold the reason too) and the
   * look-ups that find it (the gold actions, ACTION), so refusing without looking earns nothing.
   */
  refusalReason?: string[];
  /** The gold look-ups count (ACTION) though the task names no refusal reason: a right outcome that changes nothing. */
  requireLookups?: boolean;
  gold: Gold[];
  env?: { path: string; equals: Json }[];
  communicate?: string[];
  nl?: string[];
}

/**
 * A task in the pack format; the reward is the database, what must be said when there is any,
 * and the gold look-ups when the task expects a refusal (or asks for them).
 */
export function packTask(domain: string, d: TaskDef): PackTask {
  const communicate = d.communicate ?? [];
  // A refusal the user accepts must be one the reward counts: each phrase holds a scored text.
  for (const phrase of d.refusalReason ?? []) {
    if (!communicate.some((c) => phrase.toLowerCase().includes(c.toLowerCase()))) {
      throw new Error(`${domain}-${d.id}: the refusal reason "${phrase}" holds none of the texts scored as communicated (${communicate.join(', ') || 'none'})`);
    }
  }
  // The user holds an identifier only from somewhere: the pack says where (issue 12).
  for (const [slot, value] of Object.entries(d.known)) {
    const ids = identifiersNeedingSource(slot, value);
    if (ids.length > 0 && !d.knownFrom?.[slot]) throw new Error(`${domain}-${d.id}: known.${slot} holds the identifier "${ids[0]}" but no knownFrom says where the user has it from`);
  }
  for (const slot of Object.keys(d.knownFrom ?? {})) {
    if (!Object.hasOwn(d.known, slot)) throw new Error(`${domain}-${d.id}: knownFrom.${slot} names no known slot`);
  }
  return {
    id: `${domain}-${d.id}`,
    title: d.title,
    purpose: d.purpose,
    difficulty: d.difficulty,
    user: {
      reasonForContact: d.reason,
      knownInfo: d.known,
      ...(d.knownFrom && Object.keys(d.knownFrom).length > 0 ? { knownFrom: d.knownFrom } : {}),
      unknownInfo: d.unknown,
      taskInstructions: d.instructions,
      goal: {
        requests: d.requests,
        ...(d.acceptsRefusal !== undefined ? { acceptsRefusal: d.acceptsRefusal } : {}),
        ...(d.refusalReason ? { refusalReason: { says: d.refusalReason } } : {}),
      },
    },
    evaluation: {
      goldActions: d.gold,
      envAssertions: d.env ?? [],
      communicateInfo: communicate,
      nlAssertions: d.nl ?? [],
      rewardBasis: ['DB', ...(d.refusalReason || d.requireLookups ? (['ACTION'] as const) : []), ...(communicate.length > 0 ? (['COMMUNICATE'] as const) : [])],
    },
  };
}

/**
 * The task with a source for each identifier its user holds: the task's own `knownFrom` first,
 * then the generator's usual source for the slot (`usual`: slot → source). Only slots whose
 * value holds an identifier that needs one get a source from `usual`.
 */
export function withSources(d: TaskDef, usual: Record<string, string>): TaskDef {
  const knownFrom: Record<string, string> = {};
  for (const [slot, value] of Object.entries(d.known)) {
    const own = d.knownFrom?.[slot];
    if (own) knownFrom[slot] = own;
    else if (usual[slot] && identifiersNeedingSource(slot, value).length > 0) knownFrom[slot] = usual[slot];
  }
  for (const [slot, source] of Object.entries(d.knownFrom ?? {})) knownFrom[slot] ??= source;
  return { ...d, knownFrom };
}

/** Calendar date `days` after "YYYY-MM-DD". */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** When the generator at `moduleUrl` is run as a script, writes its pack to public/packs/<file>. */
export function writePackWhenRun(moduleUrl: string, file: string, build: () => ScenarioPack): void {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  const out = fileURLToPath(new URL(`../../public/packs/${file}`, moduleUrl));
  writeFileSync(out, `${JSON.stringify(build(), null, 2)}\n`);
  console.log(`wrote ${out}`);
}
