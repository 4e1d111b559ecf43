/**
 * zod schemas for the lines of a run bundle (JSONL export, formatVersion 2). They mirror
 * Run, Session and Turn in core/model/types.ts and DbChange in core/scenarios/db-delta.ts;
 * the compile-time checks at the bottom fail when a field is added there and not here.
 *
 * Version 2 added "db" lines (each initial database once) and the session line's "dbs" (its
 * final and expected databases as deltas against one of them). Version 1 held whole databases
 * in "session.finalDb" / "session.expectedDb", which version 2 still reads (for sessions stored
 * without a known initial database), so a version-1 file reads as a version-2 one without
 * "db" lines.
 *
 * A session's "regrades" (its re-gradings against later scenario definitions, each with the
 * score it replaced) is optional within version 2: bundles without it read as before.
 *
 * Objects strip unknown keys (rather than reject them) so that a bundle written by a newer
 * version of the app with extra optional fields still imports, minus those fields. The line
 * envelopes themselves are strict.
 */
import { z } from 'zod';
import type { Run, RunSpec, Session, SessionRegrade, SessionScore, ToolErrorName, Turn } from '../core/model/types.ts';
import { TERMINATION_REASONS } from '../core/model/types.ts';
import type { DbChange } from '../core/scenarios/db-delta.ts';
import type { SessionDbsDelta } from './db.ts';

/** The bundle format this code writes. */
export const RUN_BUNDLE_FORMAT_VERSION = 2;
/** The bundle formats this code reads: older ones through a migration (see above). */
export const READABLE_RUN_BUNDLE_VERSIONS = [1, 2] as const;
/** A format this code reads. */
export type RunBundleFormatVersion = (typeof READABLE_RUN_BUNDLE_VERSIONS)[number];

const json = z.json();
const jsonObject = z.record(z.string(), json);
const count = z.number().int().nonnegative();
const time = z.number();

const seatConfig = z.object({
  kind: z.string(),
  label: z.string(),
  version: z.string(),
  settings: jsonObject,
});

const errorRecord = z.object({ name: z.string(), message: z.string() });
const rewardBasis = z.enum(['DB', 'ACTION', 'ENV_ASSERTION', 'COMMUNICATE', 'NL_ASSERTION']);

export const runSchema = z.object({
  id: z.string().min(1),
  createdAt: time,
  finishedAt: time.optional(),
  status: z.enum(['running', 'completed', 'aborted', 'interrupted']),
  spec: z.object({
    name: z.string(),
    scenarioIds: z.array(z.string()),
    personaIds: z.array(z.string()),
    user: seatConfig,
    agent: seatConfig,
    agents: z.array(z.object({ id: z.string().min(1), label: z.string(), seat: seatConfig })).optional(),
    trials: count,
    seed: z.number(),
    maxTurns: count,
    maxErrors: count,
    mode: z.enum(['conversational', 'agentic']).optional(),
  }),
  scenarioTitles: z.record(z.string(), z.string()),
  personaNames: z.record(z.string(), z.string()),
  totalSessions: count,
  doneSessions: count,
  passedSessions: count,
  error: errorRecord.optional(),
  warnings: z.array(z.string()).optional(),
});

const dbDiffEntry = z
  .object({ path: z.string(), expected: json.optional(), actual: json.optional() })
  // DbDiffEntry's keys are required but may hold undefined, which JSON cannot carry.
  .transform((e) => ({ path: e.path, expected: e.expected, actual: e.actual }));

const sessionScore = z
  .object({
    reward: z.union([z.literal(0), z.literal(1)]),
    basis: z.array(rewardBasis),
    db: z
      .object({
        match: z.boolean(),
        expectedHash: z.string(),
        actualHash: z.string(),
        diff: z.array(dbDiffEntry),
      })
      .optional(),
    communicate: z.array(z.object({ info: z.string(), found: z.boolean() })).optional(),
    envAssertions: z
      .array(
        z
          .object({ path: z.string(), expected: json, actual: json.optional(), ok: z.boolean() })
          .transform((e) => ({ path: e.path, expected: e.expected, actual: e.actual, ok: e.ok })),
      )
      .optional(),
    notes: z.array(z.string()),
    actions: z
      .array(
        z.object({
          name: z.string(),
          arguments: jsonObject,
          compareArgs: z.array(z.string()),
          write: z.boolean(),
          matched: z.boolean(),
          callId: z.string().optional(),
          callOk: z.boolean().optional(),
        }),
      )
      .optional(),
    nlAssertions: z
      .array(z.object({ assertion: z.string(), verdict: z.enum(['met', 'not_met', 'not_judged']), reason: z.string() }))
      .optional(),
    judge: z
      .object({
        model: z.string(),
        attempts: count,
        error: errorRecord.optional(),
        clipped: z
          .object({
            contextTokens: count.optional(),
            maxChars: count,
            toolResultMax: count,
            messageMax: count.optional(),
            linesOmitted: count,
          })
          .optional(),
      })
      .optional(),
    criteria: z
      .array(
        z.object({
          criterion: rewardBasis,
          inBasis: z.boolean(),
          result: z.enum(['pass', 'fail', 'not_scored']),
        }),
      )
      .optional(),
    strictReward: z.union([z.literal(0), z.literal(1)]).optional(),
    flags: z.array(z.enum(['db_right_info_missing', 'info_conveyed_db_wrong'])).optional(),
    ended: z.object({ termination: z.enum(TERMINATION_REASONS), counts: z.boolean() }).optional(),
  });

export const sessionSchema = z.object({
  id: z.string().min(1),
  runId: z.string().min(1),
  scenarioId: z.string(),
  personaId: z.string(),
  trial: count,
  seed: z.number(),
  user: seatConfig,
  agent: seatConfig,
  agentEntry: z.string().min(1).optional(),
  status: z.enum(['running', 'done']),
  outcome: z.enum(['running', 'pass', 'fail', 'error']),
  startedAt: time,
  finishedAt: time.optional(),
  turnCount: count,
  termination: z.enum(TERMINATION_REASONS).optional(),
  error: errorRecord.optional(),
  finalDb: jsonObject.optional(),
  expectedDb: jsonObject.optional(),
  score: sessionScore.optional(),
  questionsAsked: count.optional(),
  scenarioHash: z.string().optional(),
  personaHash: z.string().optional(),
  clarifyingQuestions: count.optional(),
  userUnknownValueTurns: count.optional(),
  leakCheckVersion: z.string().optional(),
  regrades: z
    .array(
      z.object({
        at: time,
        scenarioHash: z.string(),
        previous: sessionScore,
        previousOutcome: z.enum(['running', 'pass', 'fail', 'error']),
      }),
    )
    .optional(),
});

const toolCall = z.object({
  id: z.string(),
  name: z.string(),
  arguments: jsonObject,
  result: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value: json }),
    z.object({
      ok: z.literal(false),
      error: z.object({
        name: z.enum(['DomainError', 'InvalidArguments', 'UnknownTool', 'ToolCrashed', 'MalformedCall']),
        message: z.string(),
      }),
    }),
  ]),
});

export const turnSchema = z.object({
  sessionId: z.string().min(1),
  index: count,
  role: z.enum(['user', 'agent']),
  author: z.string(),
  content: z.string(),
  toolCalls: z.array(toolCall),
  acts: z
    .array(z.object({ act: z.string(), slot: z.string().optional(), value: z.string().optional() }))
    .optional(),
  control: z.enum(['stop', 'transfer', 'out_of_scope']).optional(),
  latent: jsonObject.optional(),
  satisfaction: z.number().optional(),
  flags: z.array(z.string()),
  unknownValues: z.array(z.string()).optional(),
  reasoning: z.string().optional(),
  startedAt: time,
  durationMs: z.number().nonnegative(),
  usage: z
    .object({
      promptTokens: count,
      completionTokens: count,
      cachedPromptTokens: count.optional(),
      prefillTokensPerSecond: z.number().optional(),
      decodeTokensPerSecond: z.number().optional(),
      timeToFirstTokenMs: z.number().optional(),
      e2eLatencyMs: z.number().optional(),
      requestMessages: count.optional(),
      prefixExtending: z.boolean().optional(),
      seed: z.number().optional(),
      finishReason: z.string().optional(),
    })
    .optional(),
});

const table = z.string();
export const dbChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set'), table, key: z.string(), value: json }),
  z.object({ op: z.literal('delete'), table, key: z.string() }),
  z.object({ op: z.literal('setItem'), table, index: count, value: json }),
  z.object({ op: z.literal('truncate'), table, length: count }),
  z.object({ op: z.literal('replace'), table, value: json }),
  z.object({ op: z.literal('drop'), table }),
  z.object({ op: z.literal('order'), table: table.optional(), keys: z.array(z.string()) }),
]);

export const sessionDbsDeltaSchema = z.object({
  baseHash: z.string().min(1),
  finalDelta: z.array(dbChangeSchema).optional(),
  expectedDelta: z.array(dbChangeSchema).optional(),
});

/** Line 1 of a bundle. */
export const runLineSchema = z
  .strictObject({
    type: z.literal('run'),
    formatVersion: z
      .literal(READABLE_RUN_BUNDLE_VERSIONS)
      .describe('The bundle format: 2 is written today; 1 (whole databases on session lines) still reads.'),
    /** ISO 8601 time of the export. */
    exportedAt: z.string().describe('ISO 8601 time of the export.'),
    run: runSchema.describe('The run: its spec (tasks, personas, seats, trials, seed, limits), status and counts.'),
  })
  .describe('Line 1: the run.');

/** An initial database that sessions' deltas apply to, once per bundle (version 2). */
export const dbLineSchema = z
  .strictObject({
    type: z.literal('db'),
    /** `canonicalHash(db)`; checked on reading. */
    hash: z.string().min(1).describe('The canonical hash of "db" (checked on import); session lines name it in "dbs.baseHash".'),
    db: jsonObject.describe('An initial database: table name to records (an object by key, or an array).'),
  })
  .describe('An initial database that sessions start from, once per bundle, before the sessions that use it (version 2).');

/** Every session line of a version-1 bundle: one session with all its turns. */
export const sessionLineSchemaV1 = z.strictObject({
  type: z.literal('session'),
  session: sessionSchema,
  turns: z.array(turnSchema),
});

/** One session with all its turns, and its databases as deltas where it has them. */
export const sessionLineSchema = z
  .strictObject({
    type: z.literal('session'),
    session: sessionSchema.describe('The session: spec ids, seats, seed, outcome, ending and score.'),
    dbs: sessionDbsDeltaSchema
      .describe('Its final and expected databases as changes against the "db" line named by "baseHash".')
      .optional(),
    turns: z.array(turnSchema).describe('Every turn of the conversation, by index.'),
  })
  .describe('One session with all its turns.');

/**
 * Any one line of a bundle this code reads, told apart by "type": what the published JSON
 * Schema (public/schemas/run-bundle-line.schema.json, scripts/gen-schemas.ts) describes. A
 * version-1 session line is a version-2 one without "dbs", so this covers both versions.
 */
export const runBundleLineSchema = z.discriminatedUnion('type', [runLineSchema, dbLineSchema, sessionLineSchema]);

/* Compile-time drift checks against types.ts: a field added there and not here, or a parsed
 * shape the app's type does not accept, fails type checking here. */
type Missing<T, S> = Exclude<keyof T, keyof S>;
type NoneMissing<M extends never> = M;
type Assignable<A extends B, B> = [A, B];
type _Covered = [
  NoneMissing<Missing<Run, z.output<typeof runSchema>>>,
  NoneMissing<Missing<Session, z.output<typeof sessionSchema>>>,
  NoneMissing<Missing<Turn, z.output<typeof turnSchema>>>,
  NoneMissing<Missing<RunSpec, z.output<typeof runSchema>['spec']>>,
  NoneMissing<Missing<SessionScore, NonNullable<z.output<typeof sessionSchema>['score']>>>,
  NoneMissing<Missing<SessionRegrade, NonNullable<z.output<typeof sessionSchema>['regrades']>[number]>>,
  Assignable<z.output<typeof runSchema>, Run>,
  Assignable<z.output<typeof sessionSchema>, Session>,
  Assignable<z.output<typeof turnSchema>, Turn>,
  Assignable<z.output<typeof dbChangeSchema>, DbChange>,
  Assignable<DbChange, z.output<typeof dbChangeSchema>>,
  Assignable<z.output<typeof sessionDbsDeltaSchema>, SessionDbsDelta>,
  NoneMissing<Missing<SessionDbsDelta, z.output<typeof sessionDbsDeltaSchema>>>,
  // Every error name a tool result can carry must import (MalformedCall once did not).
  Assignable<ToolErrorName, Extract<z.output<typeof toolCall>['result'], { ok: false }>['error']['name']>,
];
