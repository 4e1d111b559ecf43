/**
 * Clarifying questions: how many the agent asked in a session, and whether that was too few,
 * too many or about right for a task that says (`Scenario.clarification`) whether asking is
 * needed.
 *
 * What counts as a clarifying question, in either mode:
 * - each `ask_user` call that succeeded (agentic mode), and
 * - each agent message with a question in it (a sentence ending in "?"),
 * unless the question only
 * - identifies the user: asks for their name, email, date of birth, zip or postcode, phone,
 *   or an account/patient/customer id, or to verify who they are, and names no choice
 *   ("which…");
 * - asks permission for an action the agent has just proposed, a yes/no with no alternative:
 *   "Shall I proceed?", "Would you like me to request a renewal?", "Is that correct?";
 * - offers help: "How can I help you today?", "Is there anything else I can help with?".
 * A message counts once however many questions it holds ("Which one, and pickup or
 * delivery?" is one), as does an `ask_user` call. A request without a question mark ("Please
 * tell me which store.") is not counted: the heuristic reads punctuation, not intent.
 */
import type { ClarificationSpec, Outcome, TerminationReason, Turn } from '../model/types.ts';
import { wilsonInterval } from '../stats/wilson.ts';

/** Bump when the counting rules change, so stored counts stay comparable. */
export const CLARIFICATION_METRIC_VERSION = 'clarification-1';

/** What one question sentence asks for. Only `clarifying` is counted. */
export type QuestionKind = 'clarifying' | 'identification' | 'confirmation' | 'offer';

/** Personal details that identify the user, and requests to verify who they are. */
const IDENTITY = [
  /\byour (?:full |first |last |legal |given |family )?(?:name|surname)\b/,
  /\b(?:full|first|last) name\b/,
  /\bdate of birth\b|\bbirth ?date\b|\bbirthday\b|\bd\.?o\.?b\b/,
  /\be-?mail\b/,
  /\bzip\b|\bpost(?:al)? ?code\b/,
  /\b(?:phone|telephone|mobile|cell)(?: number)?\b/,
  /\byour (?:account|patient|customer|member|user|employee) (?:id|number|no)\b/,
  /\b(?:verify|authenticate|identify)\b.{0,30}\b(?:you|yourself|your identity|your account)\b|\bwho you are\b/,
];

/** Asking which of several things: never mere identification or confirmation. */
const CHOICE = /\bwhich\b/;
/** An alternative question ("… pickup or delivery?"), not "… or not?" / "yes or no". */
const ALTERNATIVE = /\bor\b(?! not\b| no\b| anything\b| something\b| otherwise\b)/;

/** Yes/no permission for a proposed action, or a check that a summary is right. */
const CONFIRM = [
  /\b(?:shall|should|can|may) i\b(?! (?:have|get|ask|know|take|check with you)\b)/,
  /\b(?:would|do|will) you (?:like|want) me to\b/,
  /\bwant me to\b/,
  /\b(?:is|was) (?:that|this|everything|all of that|it) (?:correct|right|ok|okay|alright|accurate|what you (?:want|meant|need))\b/,
  /\b(?:can|could|would) you (?:please )?confirm\b|\bdo you confirm\b|\bplease confirm\b/,
  /\b(?:go ahead|proceed|confirm (?:the|this|that))\b/,
  /\b(?:sound|look)s? (?:good|right|ok|okay|correct|fine)\b/,
  /\bare you sure\b/,
  /^(?:ok|okay|alright|all right|correct|right|yes)\W*\?$/,
];

/** Opening and closing offers of help: they ask for the request, not about it. */
const OFFER = [
  /\b(?:anything|something) else\b/,
  /\bany (?:other|more|further) (?:questions?|requests?|help|thing)\b/,
  /\bhow (?:can|may|could) i (?:help|assist)\b/,
  /\bwhat can i (?:do|help you with)\b/,
  /\b(?:can|may) i help you\b/,
];

/**
 * What a question sentence asks for. The tests at identification, confirmation and offer
 * are each skipped when the sentence also offers a choice (which…, … or …?), so "Which son
 * is it, and what is his date of birth?" and "Shall I refill the lisinopril or the
 * amlodipine?" count as clarifying.
 */
export function classifyQuestion(sentence: string): QuestionKind {
  const s = sentence.toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, ' ').trim();
  const choice = CHOICE.test(s) || ALTERNATIVE.test(s);
  if (OFFER.some((r) => r.test(s)) && !choice) return 'offer';
  if (IDENTITY.some((r) => r.test(s)) && !CHOICE.test(s)) return 'identification';
  if (CONFIRM.some((r) => r.test(s)) && !choice) return 'confirmation';
  return 'clarifying';
}

/**
 * The question sentences of a message: text ending in "?" (closing quotes or brackets
 * allowed), cut at sentence ends and line breaks.
 */
export function questionSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.split(/\n+/)) {
    for (const piece of line.split(/(?<=[.!?][)"'\u201d\u2019]?)\s+/)) {
      const last = sentences.length - 1;
      // "e.g. \"PT-1042\"" or "Dr. Shah" does not end a sentence: glue the piece back on.
      if (last >= 0 && ABBREVIATION.test(sentences[last]!)) sentences[last] += ` ${piece}`;
      else sentences.push(piece);
    }
    sentences.push('');
  }
  return sentences.map((s) => s.trim()).filter((s) => /\?[)"'\u201d\u2019]*$/.test(s));
}

/** Text ending in an abbreviation's period, where a sentence does not end. */
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|approx|dr|mr|mrs|ms|st|no|[a-z])\.$/i;

/** The question kinds in a message, one per question sentence. */
export function messageQuestions(text: string): QuestionKind[] {
  return questionSentences(text).map(classifyQuestion);
}

/** Whether a message asks the user at least one clarifying question. */
export function asksClarifyingQuestion(text: string): boolean {
  return messageQuestions(text).includes('clarifying');
}

/** Questions in one session, by kind. */
export interface QuestionTally {
  /** Clarifying questions: agent messages that ask one, plus clarifying ask_user calls. */
  clarifying: number;
  /** Of `clarifying`, those asked through ask_user. */
  viaAskUser: number;
  /** Questions not counted, by why: messages or ask_user calls whose only questions were these. */
  identification: number;
  confirmation: number;
  offer: number;
}

/** The tool agentic mode gives the agent; named here so the metric does not import the orchestrator. */
const ASK_USER = 'ask_user';

/** Counts the agent's questions in a session's turns (see the module comment for the rules). */
export function tallyQuestions(turns: readonly Pick<Turn, 'role' | 'content' | 'toolCalls'>[]): QuestionTally {
  const tally: QuestionTally = { clarifying: 0, viaAskUser: 0, identification: 0, confirmation: 0, offer: 0 };
  const add = (kinds: QuestionKind[], viaAskUser: boolean) => {
    if (kinds.length === 0) return;
    if (kinds.includes('clarifying')) {
      tally.clarifying++;
      if (viaAskUser) tally.viaAskUser++;
    } else {
      // A message of several non-clarifying questions is filed under its first.
      tally[kinds[0] as Exclude<QuestionKind, 'clarifying'>]++;
    }
  };
  for (const t of turns) {
    if (t.role !== 'agent') continue;
    add(messageQuestions(t.content), false);
    for (const c of t.toolCalls) {
      if (c.name !== ASK_USER || !c.result.ok) continue;
      const q = typeof c.arguments['question'] === 'string' ? c.arguments['question'] : '';
      // An ask_user call is a question by definition, with or without its "?".
      const sentences = questionSentences(q);
      add(sentences.length ? sentences.map(classifyQuestion) : [classifyQuestion(q)], true);
    }
  }
  return tally;
}

/** The number `Session.clarifyingQuestions` stores. */
export function countClarifyingQuestions(turns: readonly Pick<Turn, 'role' | 'content' | 'toolCalls'>[]): number {
  return tallyQuestions(turns).clarifying;
}

/* ---------------------------------------------------------------- verdicts */

/**
 * too_little: the task needs asking and the agent asked nothing; too_much: it needs none and
 * the agent asked; about_right otherwise (asking fewer questions than needed but at least one
 * is about right here: the database criterion tells whether the answers were used).
 */
export type ClarificationVerdict = 'too_little' | 'too_much' | 'about_right';

export function clarificationVerdict(spec: ClarificationSpec, asked: number): ClarificationVerdict {
  if (spec.needed && asked === 0) return 'too_little';
  if (!spec.needed && asked > 0) return 'too_much';
  return 'about_right';
}

/** The fields of a session the summary reads. */
export interface ClarificationSessionInput {
  scenarioId: string;
  outcome: Outcome;
  termination?: TerminationReason;
  clarifyingQuestions?: number;
}

/** A count out of a number of sessions, with its Wilson 95% interval. */
export interface ClarificationRate {
  count: number;
  of: number;
  rate: number | null;
  lower: number;
  upper: number;
}

/** One task's sessions. */
export interface ClarificationTaskRow {
  scenarioId: string;
  spec: ClarificationSpec;
  /** Sessions judged (see ClarificationSummary.judged). */
  sessions: number;
  tooLittle: number;
  tooMuch: number;
  aboutRight: number;
  /** Mean clarifying questions per judged session. */
  meanQuestions: number | null;
}

export interface ClarificationSummary {
  /** Tasks given to the summary that carry `clarification`. */
  tasks: number;
  /** Of them, tasks that need asking. */
  tasksNeeding: number;
  /** Sessions judged: finished (passed or failed, not errors, not stopped) on such tasks, with a count. */
  judged: number;
  /** Sessions on such tasks left out: errors, stopped, or stored before questions were counted. */
  leftOut: number;
  /** Sessions still running on such tasks. */
  running: number;
  /** Asked nothing, of the judged sessions on tasks that need asking. */
  tooLittle: ClarificationRate;
  /** Asked something, of the judged sessions on tasks that need no asking. */
  tooMuch: ClarificationRate;
  /** Neither, of all judged sessions. */
  aboutRight: ClarificationRate;
  /** Per task, in the order the scenarios were given; tasks without sessions included. */
  byTask: ClarificationTaskRow[];
}

function rate(count: number, of: number): ClarificationRate {
  return { count, of, rate: of ? count / of : null, ...wilsonInterval(count, of) };
}

/**
 * Asking too little or too much, over a run's sessions, for the tasks among `scenarios` that
 * carry `clarification` (sessions of other tasks are ignored). A session that ended in an
 * error is left out rather than judged: it may have stopped before it could ask.
 */
export function summarizeClarification(
  sessions: Iterable<ClarificationSessionInput>,
  scenarios: Iterable<{ id: string; clarification?: ClarificationSpec }>,
): ClarificationSummary {
  const rows = new Map<string, ClarificationTaskRow & { asked: number }>();
  for (const s of scenarios) {
    if (!s.clarification || rows.has(s.id)) continue;
    rows.set(s.id, { scenarioId: s.id, spec: s.clarification, sessions: 0, tooLittle: 0, tooMuch: 0, aboutRight: 0, meanQuestions: null, asked: 0 });
  }
  let leftOut = 0;
  let running = 0;
  for (const s of sessions) {
    const row = rows.get(s.scenarioId);
    if (!row) continue;
    if (s.outcome === 'running') {
      running++;
      continue;
    }
    if (s.outcome === 'error' || s.termination === 'aborted' || s.clarifyingQuestions === undefined) {
      leftOut++;
      continue;
    }
    row.sessions++;
    row.asked += s.clarifyingQuestions;
    const verdict = clarificationVerdict(row.spec, s.clarifyingQuestions);
    if (verdict === 'too_little') row.tooLittle++;
    else if (verdict === 'too_much') row.tooMuch++;
    else row.aboutRight++;
  }
  const byTask = [...rows.values()].map(({ asked, ...r }) => ({ ...r, meanQuestions: r.sessions ? asked / r.sessions : null }));
  const sum = (pick: (r: ClarificationTaskRow) => number, where: (r: ClarificationTaskRow) => boolean = () => true) =>
    byTask.filter(where).reduce((n, r) => n + pick(r), 0);
  const needing = (r: ClarificationTaskRow) => r.spec.needed;
  const notNeeding = (r: ClarificationTaskRow) => !r.spec.needed;
  const judged = sum((r) => r.sessions);
  return {
    tasks: byTask.length,
    tasksNeeding: byTask.filter(needing).length,
    judged,
    leftOut,
    running,
    tooLittle: rate(sum((r) => r.tooLittle, needing), sum((r) => r.sessions, needing)),
    tooMuch: rate(sum((r) => r.tooMuch, notNeeding), sum((r) => r.sessions, notNeeding)),
    aboutRight: rate(sum((r) => r.aboutRight), judged),
    byTask,
  };
}
