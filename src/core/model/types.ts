/**
 * The data Understudy works with. Pure types: no runtime code lives here except the
 * small lists that define closed vocabularies.
 */

/** Any JSON value. Scenario databases and tool arguments are plain JSON. */
import type { ToolImplSpec } from '../scenarios/tools/declarative.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/* ------------------------------------------------------------------ tools */

/** What a tool does to the database: reads never change it, writes may. */
export type ToolKind = 'read' | 'write';

/** A tool as the agent sees it: name, description and JSON-Schema parameters. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema (type: object) describing the arguments. */
  parameters: JsonObject;
  kind: ToolKind;
  /**
   * How the tool works, for scenario files that bring their own tools: declarative steps over
   * the database, or sandboxed JavaScript. Absent for tools implemented by a built-in domain.
   */
  impl?: ToolImplSpec;
}

/** One call a participant made, with the environment's answer. */
export interface ToolCall {
  /** Unique within a session, e.g. "t3-0" (turn 3, first call). */
  id: string;
  name: string;
  arguments: JsonObject;
  result: ToolResult;
}

/** A tool's answer. Failures are data, never exceptions: the agent sees them. */
export type ToolResult =
  | { ok: true; value: Json }
  | { ok: false; error: { name: ToolErrorName; message: string } };

/**
 * Why a tool call failed: a domain rule said no, the arguments were wrong, the tool does not
 * exist, the tool's code itself threw, or the participant's call could not be read at all.
 */
export type ToolErrorName = 'DomainError' | 'InvalidArguments' | 'UnknownTool' | 'ToolCrashed' | 'MalformedCall';

/* -------------------------------------------------------------- scenarios */

/** What the simulated user knows, wants and must not invent. Hidden from the agent. */
export interface UserSide {
  /** Why the user gets in touch, in their words' spirit (not verbatim). */
  reasonForContact: string;
  /**
   * Facts the user holds (constraints), slot → value, e.g. { email: "ana@x.org" }.
   * The user reveals them when asked or, if forthcoming, unprompted.
   */
  knownInfo: Record<string, string>;
  /**
   * Where the user has an identifier of `knownInfo` from, slot → source, e.g. { order_id:
   * "order confirmation email", asset_tag: "the asset tag on the laptop" }. Every slot whose
   * value holds an identifier (a code such as "HP-30118", a number of five or more digits)
   * needs one, unless the slot is a personal detail a person knows of themselves (name, email,
   * phone, zip, address, date of birth); every key must be a `knownInfo` slot. See
   * scenarios/user-knowledge.ts. Documentation only: the simulators do not read it.
   */
  knownFrom?: Record<string, string>;
  /** Things the user does not know and must not make up (free text, for LLM simulators). */
  unknownInfo: string[];
  /** The hidden task, in natural language, for LLM simulators. */
  taskInstructions: string;
  /** The goal in structured form, for the agenda-based simulator. */
  goal: UserGoal;
  /** Optional persona this task is written for. Any persona can still be used. */
  personaRef?: string;
}

/**
 * The user's goal as the agenda-based simulator holds it (Schatzmann et al. 2007):
 * constraints are `knownInfo`; requests are things to have done or learnt.
 */
export interface UserGoal {
  /** What the user wants done, in order. Each is offered to the agent as a "want" act. */
  requests: GoalRequest[];
  /**
   * If the agent cannot do a request (refuses, says it's not allowed), does the user accept
   * that outcome and leave satisfied? When false the user pushes back once, then gives up.
   */
  acceptsRefusal?: boolean;
  /**
   * The reason a refusal must give for the user to accept it, when the task expects one (it
   * needs `acceptsRefusal`). The agenda user takes a refusal only from a message that says one
   * of these phrases; a bare "I can't" or an agent's inability ("I could not find you") never
   * counts. Without it, a refusal must still give some reason. Scoring is apart: put the
   * phrase in `communicateInfo` and the look-up that finds it in the gold actions.
   */
  refusalReason?: RefusalReason;
}

/** The reason a task's refusal must give, as phrases the agent's message must contain. */
export interface RefusalReason {
  /** Phrases, any one of which in the agent's refusing message (case- and spacing-insensitive) gives the reason: ["shipped"]. */
  says: string[];
}

export type GoalRequest =
  | {
      /** Have the agent perform an action (a write), e.g. cancel an order. */
      type: 'action';
      /** Short verb phrase in the user's mouth, e.g. "cancel my order". */
      utterance: string;
      /** The tool that achieves it; used to recognise the agent's confirmation request. */
      tool: string;
      /** Argument values the user insists on (slot names from knownInfo or literals). */
      expect: Record<string, string>;
      /** A recommendation: the user accepts only an item that meets hidden preferences. */
      prefer?: ItemPreferences;
    }
  | {
      /** Learn a fact, e.g. the status of an order. */
      type: 'info';
      utterance: string;
      /** Slot name; the request is satisfied when the agent informs this slot. */
      slot: string;
    };

/**
 * Hidden preferences over the records of one table (a catalog): an item the agent offers (by
 * naming its `nameField`, or its id) is accepted when it meets every rule and rejected with
 * the first broken rule's reason; the user leaves, bored, after too many rejections.
 */
export interface ItemPreferences {
  /** The table the items come from, e.g. "films". */
  table: string;
  /** The field the agent names items by, e.g. "title". */
  nameField: string;
  rules: PreferenceRule[];
}

/** One preference: a field's value must equal `is`, be at most `max`, at least `min`, or not be in `notIn`. */
export interface PreferenceRule {
  field: string;
  is?: string | number | boolean;
  max?: number;
  min?: number;
  notIn?: (string | number)[];
  /** What the user says when rejecting an item that breaks it, e.g. "that one is too long, I want under 100 minutes". */
  reason: string;
}

/** A gold action: a tool call the task expects, with the arguments to compare. */
export interface GoldAction {
  name: string;
  arguments: JsonObject;
  /** Which argument names to compare when matching; all of them when absent. */
  compareArgs?: string[];
}

/** The criteria a session is scored on. */
export interface EvaluationCriteria {
  goldActions: GoldAction[];
  /** Database path (dot or bracket notation) with the value it must hold at the end. */
  envAssertions: { path: string; equals: Json }[];
  /** Strings or numbers that must appear in the agent's messages. */
  communicateInfo: string[];
  /** Statements judged by an LLM judge. */
  nlAssertions: string[];
  /** Which criteria make up the reward (a product). */
  rewardBasis: RewardBasis[];
}

export type RewardBasis = 'DB' | 'ACTION' | 'ENV_ASSERTION' | 'COMMUNICATE' | 'NL_ASSERTION';

export type Difficulty = 'easy' | 'medium' | 'hard';

/** One task: a domain, a hidden user goal, the agent's policy and tools, a DB, criteria. */
export interface Scenario {
  id: string;
  /** Which domain's tool implementations run this scenario, e.g. "bookshop". */
  domain: string;
  /** The pack it came from, if any. */
  packId?: string;
  title: string;
  purpose: string;
  difficulty: Difficulty;
  user: UserSide;
  agent: { policy: string; tools: ToolSpec[] };
  initialDb: JsonObject;
  evaluation: EvaluationCriteria;
  /**
   * Whether a correct agent must ask clarifying questions (beyond identifying the user) to
   * do this task, so sessions can be marked as asking too little or too much. Absent: the
   * task makes no claim either way.
   */
  clarification?: ClarificationSpec;
}

/** What a task needs the agent to ask the user, beyond identification. */
export interface ClarificationSpec {
  /** true: the request is ambiguous and only the user can settle it; false: asking is unnecessary. */
  needed: boolean;
  /** How many questions it takes: at least 1 when needed, 0 when not. */
  questions: number;
  /** What each question is about, one entry per question, e.g. "which son (Theo or Jonah)". */
  about: string[];
}

/** A set of scenarios sharing a domain, policy, tools and initial database. */
export interface ScenarioPack {
  formatVersion: 1;
  id: string;
  title: string;
  description: string;
  domain: string;
  policy: string;
  tools: ToolSpec[];
  db: JsonObject;
  tasks: PackTask[];
}

/** A task inside a pack: a scenario without the shared parts. */
export type PackTask = Omit<Scenario, 'domain' | 'packId' | 'agent' | 'initialDb'>;

/* --------------------------------------------------------------- personas */

/** Trait names. Each takes an integer value from 1 to 5. See personas/traits.ts. */
export type TraitName =
  | 'patience'
  | 'verbosity'
  | 'clarity'
  | 'cooperativeness'
  | 'techLiteracy'
  | 'emotion'
  | 'formality'
  | 'noise'
  | 'drift'
  | 'initiative'
  | 'proficiency';

export type TraitValues = Record<TraitName, number>;

/** A simulated user's personality. It changes how they behave, never what they want. */
export interface Persona {
  id: string;
  name: string;
  /** The set it belongs to, if any. */
  setId?: string;
  /** One line a person can scan in a list. */
  summary: string;
  traits: TraitValues;
  /**
   * The asker's role, e.g. "novice", "caregiver", "professional" (vocabulary in
   * personas/traits.ts ROLES; other text is kept as written).
   */
  role: string;
  /** Free-text background: who this person is, in a sentence or two. No task facts. */
  background: string;
  /**
   * A hand-written roleplay policy for LLM simulators. When absent, the policy is rendered
   * from the traits (personas/policy.ts).
   */
  policy?: string;
  /**
   * Step-wise dynamic controls: trait changes during a session. The traits above are the a
   * priori controls, fixed from the first turn.
   */
  controls?: PersonaControl[];
}

/**
 * When a dynamic control fires. `turn` counts the user's own messages from 1; `unhelpful`
 * counts agent messages the user seat rated 2 or lower (satisfaction) in the session so far;
 * `tool_error` counts failed tool calls of the agent that the user seat was shown.
 */
export type ControlTrigger =
  | { type: 'turn'; turn: number }
  | { type: 'unhelpful'; count: number }
  | { type: 'tool_error'; count: number };

/** A trait change during a session: from the turn its trigger fires, these values hold. */
export interface PersonaControl {
  when: ControlTrigger;
  /** The traits that change, with their new values 1–5. */
  set: Partial<TraitValues>;
  /** Why, for people reading the persona, e.g. "loses patience when stonewalled". */
  note?: string;
}

/** A named collection of personas. */
export interface PersonaSet {
  formatVersion: 1;
  id: string;
  title: string;
  description: string;
  personas: Persona[];
}

/* ----------------------------------------------------------- participants */

/** Who can fill a seat. New kinds (llm, human) are added here. */
export type UserSeatKind = 'agenda';
export type AgentSeatKind = 'rule-based';

/** How a seat is filled, as stored with the run and each session. */
export interface SeatConfig {
  kind: string;
  /** Human-readable label, e.g. "Agenda-based simulator". */
  label: string;
  /** Version of the participant's code or prompt, so results stay comparable. */
  version: string;
  /** Free-form settings (model id, sampling…). */
  settings: JsonObject;
}

/* ------------------------------------------------------------------- runs */

/** What to run: the cross product of scenarios × personas × trials. */
export interface RunSpec {
  name: string;
  scenarioIds: string[];
  personaIds: string[];
  user: SeatConfig;
  /** The agent under test; with `agents`, the first entry's seat. */
  agent: SeatConfig;
  /**
   * Several agents under test in one run (issue 14): each entry plays the same tasks, personas,
   * trials and seeds, so their sessions pair up by scenario, persona and trial. Absent: one
   * agent, `agent`. Entry ids are unique within the run; sessions carry theirs (Session.agentEntry).
   */
  agents?: AgentEntry[];
  /** Trials per (scenario, persona) pair: the k of pass^k. */
  trials: number;
  /** Master seed; each session's seed is derived from it. */
  seed: number;
  maxTurns: number;
  maxErrors: number;
  /**
   * conversational: the agent and the user alternate. agentic: the agent also has an
   * `ask_user(question)` tool the simulated user answers from its hidden knowledge.
   */
  mode?: InteractionMode;
}

export type InteractionMode = 'conversational' | 'agentic';

/** One agent of a run that compares several (RunSpec.agents). */
export interface AgentEntry {
  /** Unique within the run, short and stable, e.g. "a1"; part of its sessions' ids. */
  id: string;
  /** What people call it on pages and reports, e.g. "Generic rule-based agent" or "LLM agent · Qwen3 · t=0.7". */
  label: string;
  seat: SeatConfig;
}

/**
 * An agent whose sessions a comparison reads: a run, and the entry within it when the run has
 * several (absent: the run's only agent).
 */
export interface AgentRef {
  runId: string;
  entry?: string;
}

export type RunStatus = 'running' | 'completed' | 'aborted' | 'interrupted';

export interface Run {
  id: string;
  createdAt: number;
  finishedAt?: number;
  status: RunStatus;
  spec: RunSpec;
  /** Titles of the scenarios at run time, so a report survives their deletion. */
  scenarioTitles: Record<string, string>;
  personaNames: Record<string, string>;
  totalSessions: number;
  doneSessions: number;
  passedSessions: number;
  /** Why the run stopped before its sessions, e.g. its models could not be loaded. */
  error?: ErrorRecord;
  /** What the person was warned of when it started (e.g. the models may not fit in memory together). */
  warnings?: string[];
}

/* --------------------------------------------------------------- sessions */

/** Why a conversation ended. */
export type TerminationReason =
  | 'user_stop'
  | 'transfer'
  | 'out_of_scope'
  | 'max_turns'
  | 'too_many_errors'
  | 'agent_error'
  | 'user_error'
  | 'engine_lost'
  /**
   * A model seat's context window filled up (or its first request did not fit): an
   * infrastructure ending, like engine_lost, counted apart from agent and user failures.
   */
  | 'context_exhausted'
  | 'aborted';

export const TERMINATION_REASONS: readonly TerminationReason[] = [
  'user_stop',
  'transfer',
  'out_of_scope',
  'max_turns',
  'too_many_errors',
  'agent_error',
  'user_error',
  'engine_lost',
  'context_exhausted',
  'aborted',
];

/** A control signal a participant can send; the user's map to termination reasons. */
export type ControlSignal = 'stop' | 'transfer' | 'out_of_scope';

/** An error as stored: name and message, never an Error object. */
export interface ErrorRecord {
  name: string;
  message: string;
}

export type Role = 'user' | 'agent';

/**
 * A dialogue act: the semantic content of a message, as used by classical simulators and
 * rule-based agents. Natural-language messages from LLMs carry none; simulators parse them.
 */
export interface DialogueAct {
  /** e.g. inform, request, confirm, affirm, negate, want, bye, thank, refuse, greet. */
  act: string;
  slot?: string;
  value?: string;
  /** A user act offered without being asked (a forthcoming user volunteering details). */
  unprompted?: boolean;
}

/** One message in a session by one seat, with any tool calls it made and their results. */
export interface Turn {
  sessionId: string;
  /** 0-based position in the session. */
  index: number;
  role: Role;
  /** Participant id (and model id where there is one). */
  author: string;
  content: string;
  toolCalls: ToolCall[];
  /** Dialogue acts behind the message, where the participant produced them. */
  acts?: DialogueAct[];
  control?: ControlSignal;
  /** Inner state of a simulator (agenda, goal progress), never shown to the other seat. */
  latent?: JsonObject;
  /** 1–5, where the user simulator rated the previous agent turn. */
  satisfaction?: number;
  /**
   * A thinking model's reasoning before its visible reply, taken out of `content` (see
   * simulation/thinking.ts): never shown to the other seat, hidden in the transcript by default.
   */
  reasoning?: string;
  /** Named flags raised on this turn, e.g. "tool_error". */
  flags: string[];
  /**
   * A user turn's values (ids, emails, amounts, dates) the user could not know: in neither the
   * user side of the scenario nor anything the agent had said to the user (a leak from hidden
   * data, or an invention; see simulation/leak-check.ts). Set with the flag `user_unknown_value`;
   * absent when there are none, and on turns stored before the check.
   */
  unknownValues?: string[];
  /** Wall-clock timing of producing the turn. */
  startedAt: number;
  durationMs: number;
  usage?: TurnUsage;
}

/** Tokens and speed of the model call behind a turn, as the engine reported them. */
export interface TurnUsage {
  /** Prompt tokens actually prefilled (an engine reusing its cache counts only new ones). */
  promptTokens: number;
  completionTokens: number;
  /**
   * Prompt tokens taken from the engine's cache of the previous request instead of being
   * prefilled again (wllama reports it; absent where the engine does not).
   */
  cachedPromptTokens?: number;
  prefillTokensPerSecond?: number;
  decodeTokensPerSecond?: number;
  timeToFirstTokenMs?: number;
  e2eLatencyMs?: number;
  /** Messages in the request, and whether it extended the role's previous request exactly. */
  requestMessages?: number;
  prefixExtending?: boolean;
  /** The integer seed sent with the request. */
  seed?: number;
  finishReason?: string;
}

/** The per-criterion results and the reward of a session. */
export interface SessionScore {
  reward: 0 | 1;
  /** Which criteria made up the reward. */
  basis: RewardBasis[];
  db?: { match: boolean; expectedHash: string; actualHash: string; diff: DbDiffEntry[] };
  /** Each required piece of information and whether the agent's messages contained it. */
  communicate?: { info: string; found: boolean }[];
  envAssertions?: { path: string; expected: Json; actual: Json | undefined; ok: boolean }[];
  /** Gold replay problems and criteria that could not be checked. */
  notes: string[];
  /** Each gold action and the agent's call matched to it, one call per gold action. */
  actions?: ActionMatch[];
  /** Each natural-language assertion with the judge's verdict, or why it was not judged. */
  nlAssertions?: NlAssertionResult[];
  /** The judge that ran, if any: its model, how many requests it took, and its failure. */
  judge?: { model: string; attempts: number; error?: ErrorRecord; clipped?: JudgeClipping };
  /** Every criterion the task has: passed, failed or not scored, and whether it counts. */
  criteria?: CriterionResult[];
  /**
   * The reward, further requiring every gold write action to have been made (matched by a
   * call that succeeded where the gold call succeeds): final-state matching can pass by chance.
   */
  strictReward?: 0 | 1;
  /** Disagreements between the database and the information the agent had to convey. */
  flags?: ScoreFlag[];
  /**
   * How the session ended and whether that ending can earn a reward (only the user stopping,
   * a transfer or out of scope can, as in τ²-bench). With `counts: false` the reward is 0
   * whatever the criteria say. Absent on scores stored before the rule existed.
   */
  ended?: { termination: TerminationReason; counts: boolean };
}

/** One gold action and whether the session made it. */
export interface ActionMatch {
  name: string;
  arguments: JsonObject;
  /** The argument names compared (all of the gold action's when the task lists none). */
  compareArgs: string[];
  /** A write tool (or one the scenario does not describe, counted as a write). */
  write: boolean;
  matched: boolean;
  /** Id of the agent's call matched to this action. */
  callId?: string;
  /** Whether that call succeeded. */
  callOk?: boolean;
}

/**
 * How the transcript was shortened to fit the judge model's context window; absent when the
 * judge read it whole (as every session judged before this existed did).
 */
export interface JudgeClipping {
  /** The judge model's context window (tokens), when the budget came from it. */
  contextTokens?: number;
  /** Most characters the request could have. */
  maxChars: number;
  /** Longest tool result quoted (characters). */
  toolResultMax: number;
  /** Longest message (and tool-call arguments) quoted, when messages were shortened too. */
  messageMax?: number;
  /** Lines (messages and tool calls) left out of the middle of the conversation. */
  linesOmitted: number;
}

/** met / not met by the judge's verdict; not_judged when no judge ran or it failed. */
export type NlVerdict = 'met' | 'not_met' | 'not_judged';

/** One natural-language assertion and its verdict. */
export interface NlAssertionResult {
  assertion: string;
  verdict: NlVerdict;
  /** The judge's one-line reason, or why there is no verdict. */
  reason: string;
}

/** A criterion's outcome for one session. */
export interface CriterionResult {
  criterion: RewardBasis;
  /** Whether it is part of the reward (the task's reward basis). */
  inBasis: boolean;
  /** not_scored: nothing to check it with (no judge, no judged assertion). */
  result: 'pass' | 'fail' | 'not_scored';
}

/**
 * db_right_info_missing: the final database is right but some required information was never
 * conveyed; info_conveyed_db_wrong: all of it was conveyed but the database is wrong.
 */
export type ScoreFlag = 'db_right_info_missing' | 'info_conveyed_db_wrong';

export interface DbDiffEntry {
  path: string;
  expected: Json | undefined;
  actual: Json | undefined;
}

export type SessionStatus = 'running' | 'done';
/** What the results view groups sessions by. */
export type Outcome = 'running' | 'pass' | 'fail' | 'error';

export interface Session {
  id: string;
  runId: string;
  scenarioId: string;
  personaId: string;
  /** 0-based trial number within its (scenario, persona) pair. */
  trial: number;
  seed: number;
  user: SeatConfig;
  agent: SeatConfig;
  /** The run's agent entry this session belongs to (RunSpec.agents); absent in single-agent runs. */
  agentEntry?: string;
  status: SessionStatus;
  outcome: Outcome;
  startedAt: number;
  finishedAt?: number;
  turnCount: number;
  termination?: TerminationReason;
  error?: ErrorRecord;
  /**
   * The database when the session ended, whole. Storage and run bundles keep it as a delta
   * against the scenario's initial database (see diffDb in scenarios/db-delta.ts).
   */
  finalDb?: JsonObject;
  /** The database the gold actions lead to, whole; stored as a delta like `finalDb`. */
  expectedDb?: JsonObject;
  score?: SessionScore;
  /** Agentic mode: how many times the agent called ask_user. */
  questionsAsked?: number;
  /** Canonical hash of the scenario as it ran (its database by hash), and of the persona. */
  scenarioHash?: string;
  personaHash?: string;
  /**
   * Clarifying questions the agent asked, in either mode: ask_user calls and agent messages
   * with a question, leaving out identification, confirmations and offers of help (see
   * metrics/clarification.ts). Absent on sessions that never ran or were stored before.
   */
  clarifyingQuestions?: number;
  /**
   * How many user turns hold a value the user could not know (flag `user_unknown_value`, see
   * simulation/leak-check.ts). Absent on sessions that never ran or were stored before the check.
   */
  userUnknownValueTurns?: number;
  /** The leak check's version (LEAK_CHECK_VERSION) behind `userUnknownValueTurns` and the turns' flags. */
  leakCheckVersion?: string;
  /**
   * Re-gradings against later definitions of the scenario (scenarios/regrade.ts), oldest
   * first: `score` and `outcome` are the latest; each entry keeps what they were before it.
   * `scenarioHash` stays the version the conversation ran. Absent: never re-graded.
   */
  regrades?: SessionRegrade[];
}

/** One re-grading of a stored session: when, against which version, and what it replaced. */
export interface SessionRegrade {
  /** Epoch ms. */
  at: number;
  /** The fingerprint (scenarioFingerprint) of the scenario definition the new score is against. */
  scenarioHash: string;
  /** The score before this re-grading. */
  previous: SessionScore;
  /** The outcome before this re-grading. */
  previousOutcome: Outcome;
}
