import {
  conversationFromTurns,
  deriveSeed,
  extractProfile,
  MAX_IMPORT_BYTES,
  MAX_POPULATION,
  parseConversationsJsonl,
  personasLike,
  type Conversation,
  type ExtractedProfile,
  type Persona,
  type PersonaSet,
  type ProfileResult,
  type SeatFactory,
  type Session,
  type ValidationIssue,
} from '../core/index.ts';
import { EngineSeat } from '../engine/seat.ts';
import type { PersonaSetInfo, Storage } from '../storage/repo.ts';
import { app, describeError } from './app.svelte.ts';
import { EnginePool } from './engines.svelte.ts';
import { parseGgufRef } from './gguf-source.ts';
import { resolveRoleModels, type RoleModels } from './model-sources.ts';
import { ROLES_KEY, roleModelRef, type RoleSettings } from './models.svelte.ts';

/*
 * "Users like these": conversations (an imported file, read in the page and never uploaded,
 * or the stored sessions of a run) go to the judge role's model, which extracts a profile in
 * the trait schema from each; new personas are then sampled around the profiles and saved as
 * a persona set. Every failure (a bad line, a conversation without a user, a malformed judge
 * answer) is kept as data beside the conversation it concerns.
 */

/** A conversation ready for extraction, with what the page shows for it. */
export interface ConversationEntry {
  conversation: Conversation;
  /** Short name: the conversation id, or the persona of a stored session. Names sampled personas. */
  label: string;
  /** How many messages the user wrote. */
  userMessages: number;
  /** Where it came from, where the label alone does not say (a session's task and trial). */
  detail?: string;
}

/** Something in the source that was not read, and why. */
export interface SkippedItem {
  /** Where in the source: `line 3`, `[2]`, or a session id. */
  where: string;
  reason: string;
}

/** One conversation's extraction: waiting, under way, finished with a result, or not run. */
export interface ExtractionRow {
  entry: ConversationEntry;
  status: 'waiting' | 'running' | 'done' | 'cancelled';
  result?: ProfileResult;
  /** Whether a successful profile is used for sampling. */
  use: boolean;
}

/** What the panel is doing now. */
export type ProfilesPhase = 'idle' | 'reading' | 'loading' | 'extracting';

/** Most conversations the page sends to the judge in one go. */
export const MAX_EXTRACT = 200;
/** Most tokens the judge may write for one profile: eleven traits with quotes need more than a verdict. */
export const PROFILE_MAX_TOKENS = 1024;
/** Default spread of sampled traits around a profile, in levels (as personasLike). */
export const DEFAULT_SPREAD = 0.75;

export interface ProfilesDeps {
  /** The page's storage, once open. */
  storage: () => Storage | undefined;
  /** The judge role's model, ready to load (throws when none is chosen). */
  resolveJudge: () => Promise<RoleModels>;
  /** Saves a persona set whole, or refuses it (ValidationError) and writes nothing. */
  saveSet: (set: PersonaSet) => Promise<PersonaSetInfo>;
  /** Persona ids already stored, so a suggested set id does not collide. */
  takenIds: () => readonly string[];
}

const defaultDeps: ProfilesDeps = {
  storage: () => (app.ready ? app.storage : undefined),
  resolveJudge: () => resolveRoleModels(['judge']),
  saveSet: (set) => app.savePersonaSet(set, 'users like these'),
  takenIds: () => app.personas.map((p) => p.id),
};

/**
 * The judge seat with room for a whole profile: the pool's judge sampling is sized for a
 * verdict per assertion, so the same seat is rebuilt with a larger max_tokens.
 */
export function withMaxTokens(factory: SeatFactory, maxTokens: number): SeatFactory {
  return (system) => {
    const seat = factory(system);
    if (!(seat instanceof EngineSeat)) return seat;
    const settings = { ...seat.settings, sampling: { ...seat.settings.sampling, max_tokens: maxTokens } };
    return new EngineSeat(seat.engine, settings, seat.role, seat.sessionSeed, system);
  };
}

/**
 * Reads conversations from a file's text: JSONL (one conversation a line), a JSON array of
 * conversations, one JSON conversation, or `{ "conversations": [...] }`. Each conversation is
 * in a format parseConversationsJsonl reads (MirrorBench `turns` or OpenAI-style `messages`).
 */
export function readConversationFile(text: string, source: string): { conversations: Conversation[]; skipped: SkippedItem[] } {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    // Not one JSON value: JSONL, whose bad lines are reported one by one.
    whole = undefined;
  }
  const list = Array.isArray(whole)
    ? whole
    : whole && typeof whole === 'object' && Array.isArray((whole as { conversations?: unknown }).conversations)
      ? (whole as { conversations: unknown[] }).conversations
      : null;
  if (!list) {
    const r = parseConversationsJsonl(text, source);
    return { conversations: r.conversations, skipped: r.issues.map(skippedOf) };
  }
  // Each element becomes one line, so the JSONL reader's checks apply; `line N` is item N − 1.
  const r = parseConversationsJsonl(list.map((x) => JSON.stringify(x) ?? 'null').join('\n'), source);
  const renamed = r.conversations.map((c) => (c.id.startsWith(`${source}#`) ? { ...c, id: `${source}[${Number(c.id.slice(source.length + 1)) - 1}]` } : c));
  return {
    conversations: renamed,
    skipped: r.issues.map((i) => skippedOf({ ...i, path: i.path.replace(/^line (\d+)/, (_, n: string) => `[${Number(n) - 1}]`) })),
  };
}

function skippedOf(i: ValidationIssue): SkippedItem {
  const m = /^(line \d+|\[\d+\])\.?(.*)$/.exec(i.path);
  return m ? { where: m[1]!, reason: m[2] ? `${m[2]}: ${i.message}` : i.message } : { where: i.path || '(file)', reason: i.message };
}

function entryOf(conversation: Conversation, label = conversation.id, detail?: string): ConversationEntry {
  return { conversation, label, userMessages: conversation.messages.filter((m) => m.role === 'user').length, ...(detail ? { detail } : {}) };
}

/** The panel's state: the source, the extraction, and the sampled personas. */
export class ProfilesState {
  /** Conversations read from the source, in order. */
  conversations = $state.raw<ConversationEntry[]>([]);
  /** What the source held that could not be read. */
  skipped = $state.raw<SkippedItem[]>([]);
  /** Where the conversations came from, in words. */
  sourceLabel = $state<string | null>(null);
  /** A source that could not be read at all (too large, no storage). */
  sourceError = $state<string | null>(null);
  /** How many of the conversations go to the judge (the first ones). */
  limit = $state(10);

  /** The judge role's model reference as chosen on the Models page; null: none chosen. */
  judgeRef = $state<string | null>(null);
  /** A readable name for it (a GGUF model's file name). */
  judgeLabel = $state<string | null>(null);
  /** Whether judgeRef has been read yet. */
  judgeChecked = $state(false);

  phase = $state<ProfilesPhase>('idle');
  rows = $state.raw<ExtractionRow[]>([]);
  /** A failure of the extraction as a whole (the model could not load). */
  error = $state<string | null>(null);
  /** The engines holding the judge's model; kept between extractions, released by dispose(). */
  pool = $state.raw<EnginePool | null>(null);

  size = $state(12);
  seed = $state(1);
  spread = $state(DEFAULT_SPREAD);
  sampled = $state.raw<Persona[]>([]);
  sampleError = $state<string | null>(null);
  setId = $state('');
  setTitle = $state('');
  saved = $state<string | null>(null);
  saveError = $state<string | null>(null);

  readonly #deps: ProfilesDeps;
  #controller: AbortController | null = null;
  #poolRef: string | null = null;

  constructor(deps: Partial<ProfilesDeps> = {}) {
    this.#deps = { ...defaultDeps, ...deps };
  }

  busy = $derived(this.phase !== 'idle');
  done = $derived(this.rows.filter((r) => r.status === 'done').length);
  profiles = $derived(this.rows.flatMap((r) => (r.result?.ok ? [r.result.profile] : [])));
  failed = $derived(this.rows.filter((r) => r.result && !r.result.ok).length);
  cancelled = $derived(this.rows.filter((r) => r.status === 'cancelled').length);
  /** Profiles chosen for sampling, named after their conversation's label. */
  chosen = $derived(this.rows.flatMap((r) => (r.use && r.result?.ok ? [{ ...r.result.profile, conversationId: r.entry.label }] : [])));

  /** Reads which model plays the judge (the Models page's choice), for the panel to show. */
  async checkJudge(): Promise<string | null> {
    const storage = this.#deps.storage();
    const saved = (await storage?.getSetting<Partial<RoleSettings>>(ROLES_KEY)) ?? {};
    const ref = roleModelRef(saved, 'judge') || null;
    let label = ref;
    const gguf = ref ? parseGgufRef(ref) : null;
    if (gguf !== null) label = (await storage?.getGgufModel(gguf))?.name ?? gguf;
    this.judgeRef = ref;
    this.judgeLabel = label;
    this.judgeChecked = true;
    return ref;
  }

  #setSource(label: string, conversations: ConversationEntry[], skipped: SkippedItem[]): void {
    this.sourceLabel = label;
    this.conversations = conversations;
    this.skipped = skipped;
    this.sourceError = null;
    this.limit = Math.min(Math.max(conversations.length, 1), 10);
    this.rows = [];
    this.sampled = [];
    this.saved = null;
    this.error = null;
  }

  /** Reads conversations from a file's text, in this page (nothing is uploaded). */
  readText(text: string, name: string, size = new Blob([text]).size): void {
    if (this.busy) return;
    if (size > MAX_IMPORT_BYTES) {
      this.#setSource(name, [], []);
      this.sourceError = `${name} is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB; nothing was read.`;
      return;
    }
    const r = readConversationFile(text, name);
    this.#setSource(name, r.conversations.map((c) => entryOf(c)), r.skipped);
    if (r.conversations.length === 0 && r.skipped.length === 0) this.sourceError = `${name} holds no conversations.`;
  }

  /** Reads a chosen file in the page. */
  async readFile(file: File): Promise<void> {
    if (file.size > MAX_IMPORT_BYTES) return this.readText('', file.name, file.size);
    this.readText(await file.text(), file.name, file.size);
  }

  /** A run's sessions, for choosing which to read. */
  async listSessions(runId: string): Promise<Session[]> {
    const storage = this.#deps.storage();
    return storage ? storage.listSessions(runId) : [];
  }

  /**
   * Reads stored sessions as conversations: the simulated user's turns are the "user", the
   * agent's the assistant's. `names` gives persona and scenario ids readable names (a run's
   * personaNames and scenarioTitles) for the labels.
   */
  async readSessions(
    sessions: readonly Session[],
    label: string,
    names: { personas?: Record<string, string>; scenarios?: Record<string, string> } = {},
  ): Promise<void> {
    if (this.busy) return;
    const storage = this.#deps.storage();
    if (!storage) {
      this.sourceError = 'The page storage is not open yet.';
      return;
    }
    this.phase = 'reading';
    try {
      const entries: ConversationEntry[] = [];
      const skipped: SkippedItem[] = [];
      for (const s of sessions) {
        const turns = await storage.listTurns(s.id);
        const c = conversationFromTurns(s.id, turns);
        if (c.messages.length === 0) skipped.push({ where: s.id, reason: 'no turns stored' });
        else if (!c.messages.some((m) => m.role === 'user')) skipped.push({ where: s.id, reason: 'has no user message' });
        else {
          const persona = names.personas?.[s.personaId] ?? s.personaId;
          entries.push(entryOf(c, `${persona} t${s.trial + 1}`, `${names.scenarios?.[s.scenarioId] ?? s.scenarioId}, trial ${s.trial + 1}`));
        }
      }
      this.#setSource(label, entries, skipped);
    } catch (err) {
      this.sourceError = `The sessions could not be read: ${describeError(err)}`;
    } finally {
      this.phase = 'idle';
    }
  }

  /**
   * Extracts a profile from each of the first `limit` conversations with the judge role's
   * model, one at a time; a cancel stops after the conversation in flight.
   */
  async extract(): Promise<void> {
    if (this.busy || this.conversations.length === 0) return;
    this.error = null;
    this.sampled = [];
    this.saved = null;
    const ref = await this.checkJudge();
    if (!ref) return;
    const n = Math.min(Math.max(1, Math.floor(this.limit) || 1), this.conversations.length, MAX_EXTRACT);
    const entries = this.conversations.slice(0, n);
    this.rows = entries.map((entry) => ({ entry, status: 'waiting', use: true }));
    const controller = new AbortController();
    this.#controller = controller;
    const { signal } = controller;
    try {
      const pool = await this.#loadJudge(ref, signal);
      if (!pool) return;
      this.phase = 'extracting';
      for (let i = 0; i < entries.length; i++) {
        if (signal.aborted) break;
        this.#setRow(i, { status: 'running' });
        const c = entries[i]!.conversation;
        // Temperature 0, but a seed per conversation keeps any sampling repeatable.
        const seat = withMaxTokens(pool.makeSeat('judge', deriveSeed(0, 'profile', c.id)), PROFILE_MAX_TOKENS);
        const result = await extractProfile(c, seat, { signal });
        // A cancelled request comes back cut short: that is no verdict on the judge.
        if (signal.aborted) break;
        this.#setRow(i, { status: 'done', result });
        if (!result.ok && /EngineLostError/.test(result.error.message)) await pool.recover('judge', signal);
      }
    } catch (err) {
      if (!signal.aborted) this.error = `The extraction stopped: ${describeError(err)}`;
    } finally {
      this.rows = this.rows.map((r) => (r.status === 'done' ? r : { ...r, status: 'cancelled' }));
      this.phase = 'idle';
      this.#controller = null;
    }
  }

  /** The judge's engines, loaded once and reused while the Models page's choice stays the same. */
  async #loadJudge(ref: string, signal: AbortSignal): Promise<EnginePool | null> {
    if (this.pool && this.#poolRef === ref) return this.pool;
    this.#release();
    this.phase = 'loading';
    const pool = new EnginePool();
    this.pool = pool;
    try {
      const roleModels = await this.#deps.resolveJudge();
      // Only the judge is loaded here, so there is nothing to share an engine with.
      await pool.prepare(roleModels.models, { shared: false, resetChatEachRequest: roleModels.resetChat, signal });
      this.#poolRef = ref;
      this.judgeLabel = pool.settingsFor('judge').label;
      return pool;
    } catch (err) {
      this.#release();
      if (!signal.aborted) this.error = `The judge's model could not be loaded: ${describeError(err)}`;
      return null;
    }
  }

  #setRow(i: number, patch: Partial<ExtractionRow>): void {
    this.rows = this.rows.map((r, j) => (j === i ? { ...r, ...patch } : r));
  }

  /** Stops the extraction (and a model load) as soon as the judge lets go. */
  cancel(): void {
    this.#controller?.abort();
  }

  /** Whether a profile is used for sampling. */
  toggleUse(conversationId: string): void {
    this.rows = this.rows.map((r) => (r.entry.conversation.id === conversationId ? { ...r, use: !r.use } : r));
    this.sampled = [];
  }

  /** Samples "users like these" around the chosen profiles; a bad setting is an error in words. */
  sample(): void {
    this.sampleError = null;
    this.saved = null;
    this.saveError = null;
    const problem =
      this.chosen.length === 0
        ? 'No profile to sample around: extract at least one, and keep it chosen.'
        : !Number.isInteger(this.size) || this.size < 1 || this.size > MAX_POPULATION
          ? `Size must be a whole number from 1 to ${MAX_POPULATION}.`
          : !Number.isInteger(this.seed) || this.seed < 0
            ? 'The seed must be a whole number, 0 or more.'
            : !Number.isFinite(this.spread) || this.spread < 0 || this.spread > 3
              ? 'Spread must be from 0 to 3 levels.'
              : null;
    if (problem) {
      this.sampled = [];
      this.sampleError = problem;
      return;
    }
    this.sampled = personasLike(this.chosen, { size: this.size, seed: this.seed, spread: this.spread });
    const taken = new Set(this.#deps.takenIds().map((id) => id.replace(/-\d+$/, '')));
    let id = `like-${this.seed}`;
    for (let k = 2; taken.has(id); k++) id = `like-${this.seed}-${k}`;
    this.setId = id;
    this.setTitle = `Users like these: ${this.sampled.length} from ${this.chosen.length} profile${this.chosen.length === 1 ? '' : 's'} (seed ${this.seed})`;
  }

  /** Saves the sampled personas as one persona set; ids follow the set id. */
  async save(): Promise<void> {
    this.saved = null;
    this.saveError = null;
    const id = this.setId.trim();
    if (this.sampled.length === 0 || !id) return;
    const width = Math.max(2, String(this.sampled.length).length);
    const personas = this.sampled.map((p, i) => ({ ...p, id: `${id}-${String(i + 1).padStart(width, '0')}`, setId: id }));
    // All rows come from one extraction, so one judge; its readable name where there is one.
    const judge = this.judgeLabel ?? [...new Set(this.chosen.map((p: ExtractedProfile) => p.judge))].join(', ');
    try {
      const info = await this.#deps.saveSet({
        formatVersion: 1,
        id,
        title: this.setTitle.trim() || id,
        description: `${personas.length} personas sampled around ${this.chosen.length} profile(s) extracted by ${judge} from ${this.sourceLabel ?? 'conversations'} (spread ${this.spread}, seed ${this.seed}).`,
        personas,
      });
      this.saved = `Saved “${info.title}”: ${personas.length} personas. Choose it on the New run page.`;
    } catch (err) {
      this.saveError = describeError(err);
    }
  }

  /** Cancels any extraction and releases the judge's model (GPU memory). */
  dispose(): void {
    this.#controller?.abort();
    this.#release();
  }

  #release(): void {
    this.pool?.dispose();
    this.pool = null;
    this.#poolRef = null;
  }
}

/** The page's one panel state: kept across tab switches, so profiles survive a visit elsewhere. */
export const profiles = new ProfilesState();
