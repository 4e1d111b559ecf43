import { z } from 'zod';
import type { Json, Persona, TraitName, TraitValues } from '../model/types.ts';
import { fromZodIssues, type ValidationIssue } from '../model/validation.ts';
import { readLoose } from '../agents/tool-protocol.ts';
import { jsonGrammarFormat } from '../simulation/json-grammar.ts';
import type { SeatFactory } from '../simulation/llm-seat.ts';
import { deriveSeed, mulberry32, type Rng } from '../stats/rng.ts';
import type { Conversation } from './conversations.ts';
import { backgroundFor, describeTraits } from './population.ts';
import { ROLES, roleOf, TRAIT_MAX, TRAIT_MIN, TRAIT_NAMES, TRAITS } from './traits.ts';

/*
 * Implicit profiles: the judge role (an LLM behind the core's seat interface) reads a
 * conversation and rates the user on the trait schema, quoting the user's own words as
 * evidence. Its output is validated; a malformed answer gets one retry on the same seat with
 * the problems spelt out, and a second failure is returned as data, never thrown.
 * "Users like this one" then samples new personas around extracted profiles.
 */

/** Bumped whenever the judge prompt changes, so extracted profiles stay comparable. */
/** profile-2: the answer is constrained by a grammar built from JUDGE_RESPONSE_SCHEMA (whitespace bounded), not json_object. */
export const PROFILE_PROMPT_VERSION = 'profile-2';

/** Longest message text shown to the judge; longer ones are cut (user text is kept longer). */
const USER_CHARS = 1200;
const ASSISTANT_CHARS = 300;
/** The judge sees at most this much conversation, from the start. */
const TRANSCRIPT_CHARS = 9000;

/** One quote the judge gave for a trait, and whether it is really in the user's messages. */
export interface Evidence {
  quote: string;
  /** True when the quote appears (ignoring case and spacing) in one of the user's messages. */
  found: boolean;
}

/** A profile in the trait schema, extracted from one conversation. */
export interface ExtractedProfile {
  conversationId: string;
  traits: TraitValues;
  /** A role id from ROLES, or the judge's own word when none fits. */
  role: string;
  background: string;
  summary: string;
  evidence: Record<TraitName, Evidence[]>;
  /** The judge's model id. */
  judge: string;
}

/** The result of one extraction: a profile, or why there is none (data, not an exception). */
export type ProfileResult =
  | { ok: true; profile: ExtractedProfile; attempts: number }
  | {
      ok: false;
      error: { name: 'MalformedJudgeOutput' | 'JudgeError'; message: string; issues: ValidationIssue[] };
      attempts: number;
      /** What the judge wrote, each attempt. */
      raw: string[];
    };

const traitEntry = z.strictObject({
  value: z.int().min(TRAIT_MIN).max(TRAIT_MAX),
  evidence: z.array(z.string().max(400)).max(6),
});

/** What the judge must answer: every trait with a value and quotes, a role, background, summary. */
export const judgeOutputSchema = z.strictObject({
  traits: z.strictObject(Object.fromEntries(TRAIT_NAMES.map((n) => [n, traitEntry])) as Record<TraitName, typeof traitEntry>),
  role: z.string().min(1).max(60),
  background: z.string().max(400),
  summary: z.string().min(1).max(200),
});

/** The same, as a JSON Schema string for engines that constrain output. */
export const JUDGE_RESPONSE_SCHEMA = JSON.stringify({
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: Object.fromEntries(
        TRAIT_NAMES.map((n) => [
          n,
          {
            type: 'object',
            properties: { value: { type: 'integer', enum: [1, 2, 3, 4, 5] }, evidence: { type: 'array', items: { type: 'string' } } },
            required: ['value', 'evidence'],
            additionalProperties: false,
          },
        ]),
      ),
      required: [...TRAIT_NAMES],
      additionalProperties: false,
    },
    role: { type: 'string' },
    background: { type: 'string' },
    summary: { type: 'string' },
  },
  required: ['traits', 'role', 'background', 'summary'],
  additionalProperties: false,
});

/**
 * The response format sent: a grammar generated from JUDGE_RESPONSE_SCHEMA (keys in its order,
 * as the prompt shows them), with bounded whitespace; json_object would let a small model pad
 * with whitespace until max_tokens.
 */
export const JUDGE_RESPONSE_FORMAT = jsonGrammarFormat(JUDGE_RESPONSE_SCHEMA);

/** The judge's instructions: the trait schema with its anchors, the roles, the output format. */
export function renderJudgeSystemPrompt(): string {
  const traits = TRAITS.map(
    (t) => `- ${t.name} (${t.label}: ${t.about}) 1 = ${t.low}, e.g. "${t.anchors[1]}"; 3 = e.g. "${t.anchors[3]}"; 5 = ${t.high}, e.g. "${t.anchors[5]}"`,
  );
  const roles = ROLES.map((r) => `- ${r.id}: ${r.asks}`);
  return [
    'You profile the USER in a conversation with an assistant. Read only what the user writes; the assistant\'s lines are context.',
    `Rate the user on each trait from 1 to 5, using these anchors:\n${traits.join('\n')}`,
    'For each trait give up to three short quotes, copied exactly from the user\'s messages, that show the level. Give an empty list when the conversation shows nothing about a trait, and then rate it 3.',
    `Choose the role that fits the user best, or another single word if none does:\n${roles.join('\n')}`,
    'Write a one-sentence background (who this person seems to be; no names, numbers or other personal details) and a one-line summary of how they talk.',
    `Answer with only one JSON object: {"traits": {${TRAIT_NAMES.map((n) => `"${n}": {"value": <1-5>, "evidence": ["<quote>"]}`).join(', ')}}, "role": "<role>", "background": "<one sentence>", "summary": "<one line>"}`,
  ].join('\n\n');
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** The conversation as the judge reads it, numbered, long messages cut. */
export function renderTranscript(c: Conversation): string {
  const lines: string[] = [];
  let used = 0;
  for (const [i, m] of c.messages.entries()) {
    const line = `[${i + 1}] ${m.role === 'user' ? 'USER' : 'ASSISTANT'}: ${cut(m.content.trim(), m.role === 'user' ? USER_CHARS : ASSISTANT_CHARS)}`;
    if (used + line.length > TRANSCRIPT_CHARS && lines.length > 0) {
      lines.push(`[… ${c.messages.length - i} more messages not shown]`);
      break;
    }
    lines.push(line);
    used += line.length;
  }
  return `Conversation:\n${lines.join('\n')}\n\nProfile the USER. Answer with only the JSON object.`;
}

const squash = (s: string) => s.toLowerCase().replace(/[\s"“”'‘’]+/g, ' ').trim();

/** Reads the judge's text: the first JSON object in it, tolerantly (code fences, stray text). */
function readJudgeJson(text: string): { value?: Json; issues: ValidationIssue[] } {
  const start = text.indexOf('{');
  if (start === -1) return { issues: [{ path: '', message: 'no JSON object in the answer' }] };
  const r = readLoose(text, start, false);
  if (!r.ok) return { issues: [{ path: '', message: 'the JSON object could not be read (cut short or malformed)' }] };
  return { value: r.value, issues: [] };
}

/** Checks one answer; returns the profile or the problems, each with its path. */
export function readJudgeAnswer(text: string, conversation: Conversation, judge: string): { profile?: ExtractedProfile; issues: ValidationIssue[] } {
  const read = readJudgeJson(text);
  if (read.value === undefined) return { issues: read.issues };
  const parsed = judgeOutputSchema.safeParse(read.value);
  if (!parsed.success) return { issues: fromZodIssues(parsed.error.issues, read.value) };
  const userText = squash(conversation.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n'));
  const o = parsed.data;
  const traits = Object.fromEntries(TRAIT_NAMES.map((n) => [n, o.traits[n].value])) as TraitValues;
  const evidence = Object.fromEntries(
    TRAIT_NAMES.map((n) => [n, o.traits[n].evidence.filter((q) => q.trim()).map((quote) => ({ quote, found: userText.includes(squash(quote)) }))]),
  ) as Record<TraitName, Evidence[]>;
  const role = roleOf(o.role)?.id ?? o.role.trim().toLowerCase();
  return {
    profile: { conversationId: conversation.id, traits, role, background: o.background.trim(), summary: o.summary.trim(), evidence, judge },
    issues: [],
  };
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .slice(0, 6)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Extracts a profile from one conversation with the judge. `makeSeat` gives the judge's
 * model seat for a system prompt (the core never imports an engine). One retry on a
 * malformed answer; a second malformed answer, or an engine failure, is an error result.
 */
export async function extractProfile(conversation: Conversation, makeSeat: SeatFactory, opts: { signal?: AbortSignal } = {}): Promise<ProfileResult> {
  const seat = makeSeat(renderJudgeSystemPrompt());
  const raw: string[] = [];
  const format = JUDGE_RESPONSE_FORMAT;
  let ask = renderTranscript(conversation);
  let issues: ValidationIssue[] = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    let text: string;
    try {
      text = (await seat.reply([{ role: 'user', content: ask }], { signal: opts.signal, responseFormat: format })).content;
    } catch (err) {
      const e = err as { name?: string; message?: string };
      return {
        ok: false,
        error: { name: 'JudgeError', message: `The judge failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`, issues: [] },
        attempts: attempt,
        raw,
      };
    }
    raw.push(text);
    const read = readJudgeAnswer(text, conversation, seat.model);
    if (read.profile) return { ok: true, profile: read.profile, attempts: attempt };
    issues = read.issues;
    ask = `Your answer could not be used: ${describeIssues(issues)}. Answer again with only the JSON object, in exactly the format asked for.`;
  }
  return {
    ok: false,
    error: {
      name: 'MalformedJudgeOutput',
      message: `The judge's answer for ${conversation.id} was malformed twice: ${describeIssues(issues)}`,
      issues,
    },
    attempts: 2,
    raw,
  };
}

/* --------------------------------------------------------- users like this */

/** Options for sampling personas around profiles. */
export interface LikeOptions {
  size: number;
  seed: number;
  /** Standard deviation of each trait around the profile, in levels (0 copies it). Default 0.75. */
  spread?: number;
  /** Ids are `<idPrefix>-01`, …; default `like-<seed>`. */
  idPrefix?: string;
  setId?: string;
}

function normal(rng: Rng): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Anything with traits, a role and a background can seed "users like this one". */
export type ProfileLike = Pick<ExtractedProfile, 'traits' | 'role' | 'background'> & { conversationId?: string; id?: string };

/**
 * New personas around the given profiles: profiles are taken in turn, and each trait moves
 * by a rounded normal step of standard deviation `spread`, clamped to 1–5. Role and
 * background come from the profile. Same inputs and seed, same personas.
 */
export function personasLike(profiles: readonly ProfileLike[], opts: LikeOptions): Persona[] {
  if (profiles.length === 0) return [];
  const spread = Math.max(0, opts.spread ?? 0.75);
  const rng = mulberry32(deriveSeed(opts.seed, 'like'));
  const prefix = opts.idPrefix ?? `like-${opts.seed}`;
  const width = Math.max(2, String(opts.size).length);
  return Array.from({ length: opts.size }, (_, i): Persona => {
    const base = profiles[i % profiles.length]!;
    const traits = Object.fromEntries(
      TRAIT_NAMES.map((n) => [n, Math.min(TRAIT_MAX, Math.max(TRAIT_MIN, Math.round(base.traits[n] + normal(rng) * spread)))]),
    ) as TraitValues;
    const role = roleOf(base.role) ?? ROLES.find((r) => r.id === 'regular')!;
    const { summary } = describeTraits(traits, role);
    const num = String(i + 1).padStart(width, '0');
    const from = base.conversationId ?? base.id;
    return {
      id: `${prefix}-${num}`,
      name: `Like ${from ? cut(from, 24) : 'profile'} #${num}`,
      ...(opts.setId ? { setId: opts.setId } : {}),
      summary,
      traits,
      role: roleOf(base.role) ? role.id : base.role || role.id,
      background: base.background.trim() || backgroundFor(role, rng),
    };
  });
}
