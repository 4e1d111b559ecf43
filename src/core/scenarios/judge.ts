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
import type { ErrorRecord, JudgeClipping, NlAssertionResult, Scenario, ToolCall, Turn } from '../model/types.ts';
import type { LlmMessage, SeatFactory } from '../simulation/llm-seat.ts';
import { jsonGrammarFormat } from '../simulation/json-grammar.ts';
import { withoutThinking } from '../simulation/thinking.ts';

/** Bump when the prompt or the expected output changes, so results stay comparable. */
/** judge-1.1: a thinking model's reasoning is taken out of its reply before the verdicts are read. */
/** judge-1.2: the reply is constrained by a grammar built from JUDGE_OUTPUT_SCHEMA (whitespace bounded), not json_object. */
export const JUDGE_PROMPT_VERSION = 'judge-1.2';

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
  /** How the transcript was shortened to fit the judge's context; absent when it was sent whole. */
  clipped?: JudgeClipping;
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

/**
 * The response format sent: a grammar generated from JUDGE_OUTPUT_SCHEMA, keys in its order,
 * with bounded whitespace (json_object lets a small model pad with whitespace until max_tokens).
 */
export const JUDGE_OUTPUT_FORMAT = jsonGrammarFormat(JUDGE_OUTPUT_SCHEMA);

/** How much of each message and tool result the transcript quotes. */
interface ClipLevel {
  /** Longest tool result (characters). */
  toolResultMax: number;
  /** Longest message and tool-call arguments (characters); absent: whole. */
  messageMax?: number;
}

/**
 * The shortening stages tried in turn when the request is over its budget: tool results first,
 * then long messages. The first is today's transcript; past the last, lines are left out.
 */
const CLIP_LEVELS: readonly ClipLevel[] = [
  { toolResultMax: TOOL_RESULT_MAX },
  { toolResultMax: 120 },
  { toolResultMax: 40 },
  { toolResultMax: 40, messageMax: 400 },
  { toolResultMax: 40, messageMax: 200 },
];

const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const clip = (s: string, max: number | undefined): string => (max !== undefined && s.length > max ? `${s.slice(0, max)}…` : s);

function callLine(c: ToolCall, level: ClipLevel): string {
  const result = c.result.ok ? JSON.stringify(c.result.value) : `error: ${c.result.error.message}`;
  return `  [tool call] ${c.name}(${clip(JSON.stringify(c.arguments), level.messageMax)}) → ${clip(result, level.toolResultMax)}`;
}

function transcriptAt(turns: readonly JudgedTurn[], level: ClipLevel): string {
  const lines: string[] = [];
  for (const t of turns) {
    const who = t.role === 'agent' ? 'Agent' : 'User';
    if (t.content.trim()) lines.push(`${who}: ${clip(t.content.trim(), level.messageMax)}`);
    for (const c of t.toolCalls) lines.push(callLine(c, level));
  }
  return lines.length ? lines.join('\n') : '(the conversation is empty)';
}

/** The transcript as the judge reads it: one line per message, tool calls under the agent's. */
export function renderJudgeTranscript(turns: readonly JudgedTurn[]): string {
  return transcriptAt(turns, CLIP_LEVELS[0]!);
}

function requestAround(assertions: readonly string[], transcript: string): string {
  return [
    '## Transcript',
    transcript,
    '',
    '## Assertions',
    ...assertions.map((a, i) => `${i + 1}. ${a}`),
    '',
    `Give your verdict on each of the ${assertions.length} assertion${assertions.length === 1 ? '' : 's'} as the JSON object described.`,
  ].join('\n');
}

/** The judge's request: the transcript, then the numbered assertions. */
export function renderJudgeRequest(assertions: readonly string[], turns: readonly JudgedTurn[]): string {
  return requestAround(assertions, renderJudgeTranscript(turns));
}

/** Characters per token assumed when fitting the request: conservative (English runs near 4). */
export const JUDGE_CHARS_PER_TOKEN = 3;
/** Reply tokens reserved per assertion (a verdict and a one-line reason), plus slack. */
const REPLY_TOKENS_PER_ASSERTION = 60;
const REPLY_TOKENS_SLACK = 100;
/** The chat template's tokens around the messages. */
const TEMPLATE_TOKENS = 64;
/** The retry's message ("Your reply could not be used: …"). */
const RETRY_TOKENS = 120;

/**
 * Most characters the judge's request may have on a model with a `contextTokens` window: what
 * is left after the system prompt, the chat template and two replies with the retry message
 * between them (a retry extends the same conversation), at JUDGE_CHARS_PER_TOKEN. 0 when
 * nothing is left.
 */
export function judgeRequestBudget(contextTokens: number, assertionCount: number): number {
  if (!Number.isInteger(contextTokens) || contextTokens <= 0) {
    throw new RangeError(`judgeRequestBudget: the judge's context window must be a positive whole number of tokens (got ${contextTokens}).`);
  }
  const reply = REPLY_TOKENS_PER_ASSERTION * assertionCount + REPLY_TOKENS_SLACK;
  const system = Math.ceil(JUDGE_SYSTEM_PROMPT.length / JUDGE_CHARS_PER_TOKEN);
  const tokens = contextTokens - system - TEMPLATE_TOKENS - 2 * reply - RETRY_TOKENS;
  return Math.max(0, tokens * JUDGE_CHARS_PER_TOKEN);
}

/** The line that stands for the lines left out of the middle of the conversation. */
export function omittedLinesMarker(count: number): string {
  return `[… ${count} line${count === 1 ? '' : 's'} of the conversation left out to fit the judge's context …]`;
}

/** In words, for the session view: how the judge's transcript was shortened. */
export function describeJudgeClipping(c: JudgeClipping): string {
  const parts = [`tool results cut to ${thousands(c.toolResultMax)} characters`];
  if (c.messageMax !== undefined) parts.push(`messages to ${thousands(c.messageMax)}`);
  if (c.linesOmitted > 0) parts.push(`${thousands(c.linesOmitted)} line${c.linesOmitted === 1 ? '' : 's'} left out`);
  const room = c.contextTokens !== undefined ? `its ${thousands(c.contextTokens)}-token window` : `${thousands(c.maxChars)} characters`;
  return `The judge read a shortened transcript (${parts.join(', ')}) to fit ${room}.`;
}

/** A request within its budget, or the least the request needs when even that is too much. */
export type FittedJudgeRequest = { ok: true; text: string; clipped?: JudgeClipping } | { ok: false; minimumChars: number };

/**
 * The judge's request in at most `maxChars` characters, shortened deterministically in stages:
 * tool results (300 → 120 → 40 characters), then messages and tool-call arguments (400 → 200),
 * then whole lines from the middle of the conversation, keeping its beginning and (with two
 * thirds of the room) its end, where the outcome is, with a marker line saying how many were
 * left out. The assertions are never shortened: when they do not fit with the marker alone,
 * the answer is `ok: false` with the characters needed. A request that fits is exactly
 * `renderJudgeRequest`'s, with no `clipped`.
 */
export function fitJudgeRequest(
  assertions: readonly string[],
  turns: readonly JudgedTurn[],
  maxChars: number,
  contextTokens?: number,
): FittedJudgeRequest {
  const clipped = (level: ClipLevel, linesOmitted: number): JudgeClipping => ({
    ...(contextTokens !== undefined ? { contextTokens } : {}),
    maxChars,
    toolResultMax: level.toolResultMax,
    ...(level.messageMax !== undefined ? { messageMax: level.messageMax } : {}),
    linesOmitted,
  });
  for (const [i, level] of CLIP_LEVELS.entries()) {
    const text = requestAround(assertions, transcriptAt(turns, level));
    if (text.length <= maxChars) return i === 0 ? { ok: true, text } : { ok: true, text, clipped: clipped(level, 0) };
  }
  const level = CLIP_LEVELS[CLIP_LEVELS.length - 1]!;
  const lines = transcriptAt(turns, level).split('\n');
  const fixed = requestAround(assertions, '').length;
  // The marker's longest form: its count has at most as many digits as the number of lines.
  const markerMax = omittedLinesMarker(lines.length).length;
  if (fixed + markerMax > maxChars) return { ok: false, minimumChars: fixed + markerMax };
  // Each kept line costs its length and a newline; the marker takes the rest of the room.
  let room = maxChars - fixed - markerMax;
  const cost = (line: string): number => line.length + 1;
  let head = 0;
  let tail = 0;
  let tailRoom = Math.floor((room * 2) / 3);
  const last = (): string => lines[lines.length - 1 - tail]!;
  while (tail < lines.length && cost(last()) <= tailRoom) {
    tailRoom -= cost(last());
    room -= cost(last());
    tail++;
  }
  while (head + tail < lines.length && cost(lines[head]!) <= room) room -= cost(lines[head++]!);
  // Room the beginning could not use goes to the end, as long as it stays one stretch.
  while (head + tail < lines.length && cost(last()) <= room) {
    room -= cost(last());
    tail++;
  }
  const omitted = lines.length - head - tail;
  const kept = [...lines.slice(0, head), omittedLinesMarker(omitted), ...lines.slice(lines.length - tail)];
  return { ok: true, text: requestAround(assertions, kept.join('\n')), clipped: clipped(level, omitted) };
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
  /**
   * The judge model's context window (tokens); by default the seat factory's `contextTokens`.
   * The request is fitted to it (judgeRequestBudget, fitJudgeRequest); unknown: sent whole.
   */
  contextTokens?: number;
  /** Most characters for the request, instead of the budget derived from the context window. */
  maxRequestChars?: number;
}

/**
 * The request to send, fitted to the budget when there is one; or, when not even the
 * assertions fit (or the window is not a token count), the judgement that nothing was sent.
 */
function prepareRequest(
  assertions: readonly string[],
  turns: readonly JudgedTurn[],
  contextTokens: number | undefined,
  maxRequestChars: number | undefined,
): { text: string; clipped?: JudgeClipping } | { judgement: NlJudgement } {
  let maxChars: number | undefined;
  try {
    maxChars = maxRequestChars ?? (contextTokens !== undefined ? judgeRequestBudget(contextTokens, assertions.length) : undefined);
  } catch (err) {
    const e = err as Error;
    return { judgement: notJudged(assertions, `Not judged: ${e.message}`, '', { name: e.name, message: e.message }) };
  }
  if (maxChars === undefined) return { text: renderJudgeRequest(assertions, turns) };
  const fit = fitJudgeRequest(assertions, turns, maxChars, contextTokens);
  if (fit.ok) return { text: fit.text, ...(fit.clipped ? { clipped: fit.clipped } : {}) };
  const room =
    contextTokens !== undefined
      ? `the ${thousands(maxChars)} that the judge's ${thousands(contextTokens)}-token context window leaves after its instructions and reply`
      : `the judge's request budget of ${thousands(maxChars)}`;
  const message = `The ${assertions.length} assertion${assertions.length === 1 ? '' : 's'} alone need ${thousands(fit.minimumChars)} characters, more than ${room}. Choose a judge model with a larger context window.`;
  return { judgement: notJudged(assertions, `Not judged: ${message}`, '', { name: 'JudgeContextTooSmall', message }) };
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
  const request = prepareRequest(assertions, input.turns, opts.contextTokens ?? makeSeat.contextTokens, opts.maxRequestChars);
  if ('judgement' in request) return request.judgement;
  const clipped = request.clipped ? { clipped: request.clipped } : {};
  let model = '';
  let attempts = 0;
  let last: ParsedVerdicts | null = null;
  try {
    // A thinking model's reasoning before its JSON is no verdict: it is taken out first.
    const seat = withoutThinking(makeSeat(JUDGE_SYSTEM_PROMPT));
    model = seat.model;
    let message: LlmMessage = { role: 'user', content: request.text };
    for (attempts = 1; attempts <= 2; attempts++) {
      const reply = await seat.reply([message], {
        signal: opts.signal,
        responseFormat: JUDGE_OUTPUT_FORMAT,
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
    return { ...judged, attempts: Math.max(attempts, 1), ...clipped };
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
    ...clipped,
  };
}
