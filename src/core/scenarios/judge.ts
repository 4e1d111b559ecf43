/**
 * The judge role: an LLM that decides whether a session meets each of its task's
 * natural-language assertions (τ²-bench's NL_ASSERTION criterion).
 *
 * Pure: the model comes in as a SeatFactory (the same abstraction the LLM user and agent use),
 * so the core never imports an engine and tests drive it with a scripted engine. A judge that
 * fails (an engine error, or output that stays unreadable after one retry) is data: the
 * assertions it could not decide are recorded as `not_judged` with the reason, and the
 * evaluator leaves the criterion out of the reward with a note.
 */
import { z } from 'zod';
import type { ErrorRecord, NlAssertionResult, Scenario, ToolCall, Turn } from '../model/types.ts';
import type { LlmMessage, SeatFactory } from '../simulation/llm-seat.ts';

/** Bump when the prompt or the expected output changes, so results stay comparable. */
export const JUDGE_PROMPT_VERSION = 'judge-1.0';

/** What the judge decided for one session. */
export interface NlJudgement {
  /** One entry per assertion, in the task's order. */
  results: NlAssertionResult[];
  /** The judge's model id ('' when none ran). */
  model: string;
  /** Requests sent: 1, or 2 after a retry on unreadable output. */
  attempts: number;
  /** Why some or all assertions have no verdict. */
  error?: ErrorRecord;
}

/** The parts of a session the judge reads. */
export type JudgedTurn = Pick<Turn, 'role' | 'content' | 'toolCalls'>;

/** Longest tool result (characters) quoted in the transcript: small models have small contexts. */
const TOOL_RESULT_MAX = 300;
/** Longest reason kept: the judge is asked for one line. */
const REASON_MAX = 300;

export const JUDGE_SYSTEM_PROMPT = [
  'You are a strict, impartial evaluator of customer-service conversations between a user and an AI agent.',
  'You are given the transcript (with the tool calls the agent made) and numbered assertions about what the agent should or should not have done.',
  'For each assertion decide from the transcript alone whether it is met. Do not assume anything that is not shown.',
  'If an assertion says the agent should tell the user something, it is met only if the agent actually said it.',
  'Reply with one JSON object and nothing else, of the form:',
  '{"verdicts": [{"assertion": 1, "met": true, "reason": "one short line"}, ...]}',
  'with exactly one verdict for every assertion number.',
].join('\n');

/** JSON Schema of the reply, for engines that constrain output with one. */
export const JUDGE_OUTPUT_SCHEMA = JSON.stringify({
  type: 'object',
  properties: {
    verdicts: {
      type: 'array',
      items: {
        type: 'object',
        properties: { assertion: { type: 'integer' }, met: { type: 'boolean' }, reason: { type: 'string' } },
        required: ['assertion', 'met', 'reason'],
      },
    },
  },
  required: ['verdicts'],
});

function callLine(c: ToolCall): string {
  const result = c.result.ok ? JSON.stringify(c.result.value) : `error: ${c.result.error.message}`;
  const shown = result.length > TOOL_RESULT_MAX ? `${result.slice(0, TOOL_RESULT_MAX)}…` : result;
  return `  [tool call] ${c.name}(${JSON.stringify(c.arguments)}) → ${shown}`;
}

/** The transcript as the judge reads it: one line per message, tool calls under the agent's. */
export function renderJudgeTranscript(turns: readonly JudgedTurn[]): string {
  const lines: string[] = [];
  for (const t of turns) {
    const who = t.role === 'agent' ? 'Agent' : 'User';
    if (t.content.trim()) lines.push(`${who}: ${t.content.trim()}`);
    for (const c of t.toolCalls) lines.push(callLine(c));
  }
  return lines.length ? lines.join('\n') : '(the conversation is empty)';
}

/** The judge's request: the transcript, then the numbered assertions. */
export function renderJudgeRequest(assertions: readonly string[], turns: readonly JudgedTurn[]): string {
  return [
    '## Transcript',
    renderJudgeTranscript(turns),
    '',
    '## Assertions',
    ...assertions.map((a, i) => `${i + 1}. ${a}`),
    '',
    `Give your verdict on each of the ${assertions.length} assertion${assertions.length === 1 ? '' : 's'} as the JSON object described.`,
  ].join('\n');
}

/** Small models write booleans as words; take the common ones, refuse anything else. */
const metValue = z.union([
  z.boolean(),
  z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', 'yes', 'no', 'met', 'not met', 'not_met']))
    .transform((s) => s === 'true' || s === 'yes' || s === 'met'),
]);

const verdictSchema = z.object({
  assertion: z.coerce.number().int().positive(),
  met: metValue,
  reason: z.string().default(''),
});

const replySchema = z.object({ verdicts: z.array(verdictSchema).min(1) });

/** The verdicts read from a reply, or the problem in words. */
export type ParsedVerdicts =
  | { ok: true; verdicts: Map<number, { met: boolean; reason: string }> }
  | { ok: false; problem: string; partial: Map<number, { met: boolean; reason: string }> };

/** The first balanced {...} or [...] in the text: models wrap JSON in prose or code fences. */
function firstJsonValue(text: string): string | null {
  const start = text.search(/[{[]/);
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

const oneLine = (s: string): string => {
  const line = s.trim().split(/\r?\n/)[0] ?? '';
  return line.length > REASON_MAX ? `${line.slice(0, REASON_MAX)}…` : line;
};

/**
 * Reads the judge's reply. It is complete when it has exactly one verdict for each of the
 * `count` assertions; otherwise the problem is returned with whatever verdicts were readable.
 */
export function parseJudgeReply(text: string, count: number): ParsedVerdicts {
  const partial = new Map<number, { met: boolean; reason: string }>();
  const raw = firstJsonValue(text);
  if (raw === null) return { ok: false, problem: 'the reply holds no JSON object', partial };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return { ok: false, problem: `the JSON does not parse (${(err as Error).message})`, partial };
  }
  // A bare array of verdicts is a common slip; accept it as the verdicts list.
  if (Array.isArray(data)) data = { verdicts: data };
  const parsed = replySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problem: `${issue.path.join('.') || '(root)'}: ${issue.message}`, partial };
  }
  const problems: string[] = [];
  for (const v of parsed.data.verdicts) {
    if (v.assertion > count) problems.push(`there is no assertion ${v.assertion}`);
    else if (partial.has(v.assertion)) problems.push(`assertion ${v.assertion} has two verdicts`);
    else partial.set(v.assertion, { met: v.met, reason: oneLine(v.reason) });
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !partial.has(n));
  if (missing.length) problems.push(`no verdict for assertion${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
  return problems.length ? { ok: false, problem: problems.join('; '), partial } : { ok: true, verdicts: partial };
}

/** Every assertion without a verdict, for the given reason. */
export function notJudged(assertions: readonly string[], reason: string, model = '', error?: ErrorRecord): NlJudgement {
  return {
    results: assertions.map((assertion) => ({ assertion, verdict: 'not_judged', reason })),
    model,
    attempts: 0,
    ...(error ? { error } : {}),
  };
}

export interface JudgeOptions {
  signal?: AbortSignal;
}

/**
 * Asks the judge about every NL assertion of the scenario, in one request. On an unreadable
 * reply it asks once more, saying what was wrong; after that, assertions still without a
 * verdict are `not_judged` with the problem. Never throws: an engine failure is recorded too.
 */
export async function judgeAssertions(
  makeSeat: SeatFactory,
  input: { scenario: Pick<Scenario, 'evaluation'>; turns: readonly JudgedTurn[] },
  opts: JudgeOptions = {},
): Promise<NlJudgement> {
  const assertions = input.scenario.evaluation.nlAssertions;
  if (assertions.length === 0) return { results: [], model: '', attempts: 0 };
  let model = '';
  let attempts = 0;
  let last: ParsedVerdicts | null = null;
  try {
    const seat = makeSeat(JUDGE_SYSTEM_PROMPT);
    model = seat.model;
    let message: LlmMessage = { role: 'user', content: renderJudgeRequest(assertions, input.turns) };
    for (attempts = 1; attempts <= 2; attempts++) {
      const reply = await seat.reply([message], {
        signal: opts.signal,
        responseFormat: { type: 'json_object', schema: JUDGE_OUTPUT_SCHEMA },
      });
      if (opts.signal?.aborted) throw Object.assign(new Error('The run was stopped while the judge was working.'), { name: 'AbortError' });
      last = parseJudgeReply(reply.content, assertions.length);
      if (last.ok) break;
      // The retry extends the same conversation: the model sees its reply and what was wrong.
      message = {
        role: 'user',
        content: `Your reply could not be used: ${last.problem}. Reply again with only the JSON object, one verdict for each of the ${assertions.length} assertions.`,
      };
    }
    attempts = Math.min(attempts, 2);
  } catch (err) {
    const e = err as { name?: string; message?: string };
    const error = { name: e?.name ?? 'Error', message: e?.message ?? String(err) };
    const judged = notJudged(assertions, `The judge failed: ${error.message}`, model, error);
    return { ...judged, attempts: Math.max(attempts, 1) };
  }
  const verdicts = last!.ok ? last!.verdicts : last!.partial;
  const problem = last!.ok ? null : last!.problem;
  return {
    results: assertions.map((assertion, i): NlAssertionResult => {
      const v = verdicts.get(i + 1);
      if (v) return { assertion, verdict: v.met ? 'met' : 'not_met', reason: v.reason };
      return { assertion, verdict: 'not_judged', reason: `The judge's reply could not be read after a retry: ${problem}` };
    }),
    model,
    attempts,
    ...(problem ? { error: { name: 'MalformedJudgeReply', message: problem } } : {}),
  };
}
