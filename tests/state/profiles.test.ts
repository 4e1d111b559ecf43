import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validatePersonaSet } from '../../src/core/model/schema.ts';
import type { PersonaSet, TraitValues } from '../../src/core/model/types.ts';
import { BASELINE_TRAITS, TRAIT_MAX, TRAIT_MIN, TRAIT_NAMES } from '../../src/core/personas/traits.ts';
import { ScriptedEngine, type Script } from '../../src/engine/scripted.ts';
import type { ChatRequest } from '../../src/engine/types.ts';
import type { LoadableModel } from '../../src/state/engines.svelte.ts';
import { ROLES_KEY } from '../../src/state/models.svelte.ts';
import { PROFILE_MAX_TOKENS, ProfilesState, readConversationFile } from '../../src/state/profiles.svelte.ts';
import type { Storage } from '../../src/storage/repo.ts';
import { dropTestStorage, makeRun, makeSession, makeTurn, openTestStorage } from '../storage/fixtures.ts';

/*
 * The "Users like these" state with a scripted judge behind a real EnginePool: reading a file
 * or stored sessions (with what was skipped and why), extraction with a valid and a malformed
 * judge, cancelling, the missing judge, and sampling saved as a persona set.
 */

const FILE = [
  JSON.stringify({ conversation_id: 'alpha', task_description: 'Wants a refund.', turns: [
    { role: 'user', content: 'hi, i want my money back pls. the kettle leaks' },
    { role: 'assistant', content: 'Sorry to hear that. Do you have the order number?' },
    { role: 'user', content: 'no idea where it is tbh' },
  ] }),
  '{ this is not json',
  JSON.stringify({ id: 'beta', messages: [
    { role: 'system', content: 'You are helpful.' },
    { role: 'user', content: 'Could you kindly explain how to reset my router? I have tried twice already.' },
    { role: 'assistant', content: 'Hold the reset button for ten seconds.' },
  ] }),
  JSON.stringify({ conversation_id: 'gamma', turns: [{ role: 'assistant', content: 'Hello, how can I help?' }] }),
  JSON.stringify({ conversation_id: 'delta', turns: 'oops' }),
].join('\n');

/** A valid judge answer with these traits and quotes. */
function answer(traits: Partial<TraitValues>, quotes: Record<string, string[]>, role = 'novice'): string {
  const t = { ...BASELINE_TRAITS, ...traits };
  return JSON.stringify({
    traits: Object.fromEntries(TRAIT_NAMES.map((n) => [n, { value: t[n], evidence: quotes[n] ?? [] }])),
    role,
    background: 'Someone sorting out a purchase at home.',
    summary: 'Short, casual, a little impatient.',
  });
}

/** The transcript part of a judge request names the conversation by its first user line. */
const about = (r: ChatRequest, text: string) => r.messages.some((m) => m.role === 'user' && m.content.includes(text));

let storage: Storage;
let saved: PersonaSet[];
let loads: number;
let engines: ScriptedEngine[];

function judgeModel(script: Script, opts: { delayMs?: number } = {}): LoadableModel {
  return {
    engine: 'wllama',
    modelId: 'gguf:judge',
    label: 'tiny-judge.gguf',
    async describe() {
      return { label: 'tiny-judge.gguf', context: { tokens: 2048, source: 'model', defaultTokens: 2048 } };
    },
    async load(onProgress) {
      loads++;
      onProgress(1, 'ready');
      const e = new ScriptedEngine(script, { delayMs: opts.delayMs ?? 0, chunkChars: 8 });
      engines.push(e);
      return e;
    },
  };
}

function stateWith(script: Script, opts: { delayMs?: number } = {}): ProfilesState {
  const model = judgeModel(script, opts);
  return new ProfilesState({
    storage: () => storage,
    resolveJudge: async () => ({ models: { judge: model }, shared: false, resetChat: false, constrainToolCalls: false }),
    saveSet: async (set) => {
      // The page's save path validates the whole set before writing anything.
      const valid = validatePersonaSet(set, 'test');
      saved.push(valid);
      await storage.putPersonaSet({ id: valid.id, title: valid.title, description: valid.description }, valid.personas, { builtin: false });
      return { id: valid.id, title: valid.title, description: valid.description };
    },
    takenIds: () => ['like-3-01', 'like-3-02'],
  });
}

beforeEach(async () => {
  storage = openTestStorage();
  saved = [];
  loads = 0;
  engines = [];
});
afterEach(async () => {
  await dropTestStorage(storage);
});

const chooseJudge = () => storage.putSetting(ROLES_KEY, { mode: 'per-role', user: '', agent: '', judge: 'gguf:judge', shared: '' });

describe('readConversationFile', () => {
  it('reads MirrorBench and OpenAI-style lines and names every skipped line with its reason', () => {
    const r = readConversationFile(FILE, 'mine.jsonl');
    expect(r.conversations.map((c) => c.id)).toEqual(['alpha', 'beta']);
    expect(r.conversations[1]!.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(r.skipped.map((s) => s.where)).toEqual(['line 2', 'line 4', 'line 5']);
    expect(r.skipped[0]!.reason).toMatch(/^not valid JSON/);
    expect(r.skipped[1]!.reason).toBe('has no user message');
    expect(r.skipped[2]!.reason).toBe('turns: must be a list of messages');
  });

  it('reads a JSON array (or { conversations }) with item positions instead of lines', () => {
    const items = FILE.split('\n').filter((l) => l.startsWith('{"')).map((l) => JSON.parse(l));
    const r = readConversationFile(JSON.stringify([...items, 42], null, 2), 'mine.json');
    expect(r.conversations.map((c) => c.id)).toEqual(['alpha', 'beta']);
    expect(r.skipped).toEqual([
      { where: '[2]', reason: 'has no user message' },
      { where: '[3]', reason: 'turns: must be a list of messages' },
      { where: '[4]', reason: 'must be a JSON object' },
    ]);
    const wrapped = readConversationFile(JSON.stringify({ conversations: [{ messages: [{ role: 'user', content: 'hello' }] }] }), 'w.json');
    expect(wrapped.conversations.map((c) => c.id)).toEqual(['w.json[0]']);
  });
});

describe('ProfilesState', () => {
  it('without a judge model it says so and loads nothing', async () => {
    const s = stateWith([]);
    s.readText(FILE, 'mine.jsonl');
    await s.extract();
    expect(s.judgeChecked).toBe(true);
    expect(s.judgeRef).toBeNull();
    expect(s.rows).toEqual([]);
    expect(loads).toBe(0);
  });

  it('extracts a profile per conversation, keeps a malformed judge answer as data, and samples users like these', async () => {
    await chooseJudge();
    const s = stateWith((r) =>
      about(r, 'money back')
        ? answer({ patience: 1, formality: 1, noise: 4 }, { patience: ['i want my money back pls'], formality: ['tbh', 'Dear Sir or Madam'] }, 'Novice')
        : 'Once upon a time there was a little judge who liked stories.',
    );
    s.readText(FILE, 'mine.jsonl');
    expect(s.conversations.map((c) => c.label)).toEqual(['alpha', 'beta']);
    expect(s.conversations.map((c) => c.userMessages)).toEqual([2, 1]);
    await s.extract();
    expect(s.error).toBeNull();
    expect(s.phase).toBe('idle');
    expect(s.judgeLabel).toBe('tiny-judge.gguf');
    expect(s.rows.map((r) => r.status)).toEqual(['done', 'done']);
    const ok = s.rows[0]!.result!;
    const bad = s.rows[1]!.result!;
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.profile.traits).toMatchObject({ patience: 1, formality: 1, noise: 4 });
    expect(ok.profile.role).toBe('novice');
    expect(ok.profile.evidence.formality).toEqual([
      { quote: 'tbh', found: true },
      { quote: 'Dear Sir or Madam', found: false },
    ]);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.name).toBe('MalformedJudgeOutput');
    expect(bad.attempts).toBe(2);
    expect(bad.raw).toHaveLength(2);
    // Each judge request had room for a whole profile.
    expect(engines[0]!.requests.every((r) => r.sampling.max_tokens === PROFILE_MAX_TOKENS)).toBe(true);
    expect(s.profiles).toHaveLength(1);
    expect(s.failed).toBe(1);

    s.size = 6;
    s.seed = 3;
    s.spread = 1;
    s.sample();
    expect(s.sampleError).toBeNull();
    expect(s.sampled).toHaveLength(6);
    for (const p of s.sampled) {
      expect(p.role).toBe('novice');
      expect(p.name).toMatch(/^Like alpha #0\d$/);
      for (const n of TRAIT_NAMES) expect(p.traits[n]).toBeGreaterThanOrEqual(TRAIT_MIN), expect(p.traits[n]).toBeLessThanOrEqual(TRAIT_MAX);
    }
    // Around the profile, not copies of it (spread 1), and the same seed gives the same personas.
    expect(new Set(s.sampled.map((p) => JSON.stringify(p.traits))).size).toBeGreaterThan(1);
    const first = JSON.stringify(s.sampled);
    s.sample();
    expect(JSON.stringify(s.sampled)).toBe(first);
    // like-3 is taken by stored personas, so the suggested set id moves on.
    expect(s.setId).toBe('like-3-2');

    await s.save();
    expect(s.saveError).toBeNull();
    expect(s.saved).toContain('6 personas');
    expect(saved[0]!.personas.map((p) => p.id)).toEqual(['like-3-2-01', 'like-3-2-02', 'like-3-2-03', 'like-3-2-04', 'like-3-2-05', 'like-3-2-06']);
    expect(saved[0]!.description).toContain('tiny-judge.gguf');
    expect((await storage.listPersonaSets()).map((x) => x.id)).toContain('like-3-2');

    // A second extraction reuses the loaded judge.
    await s.extract();
    expect(loads).toBe(1);
    s.dispose();
    expect(s.pool).toBeNull();
  });

  it('refuses to sample with no profile chosen or a bad size, and a bad set id is refused whole', async () => {
    await chooseJudge();
    const s = stateWith(() => answer({}, {}));
    s.readText(FILE, 'mine.jsonl');
    s.limit = 1;
    await s.extract();
    expect(s.rows).toHaveLength(1);
    s.size = 0;
    s.sample();
    expect(s.sampleError).toMatch(/^Size must be a whole number/);
    expect(s.sampled).toEqual([]);
    s.size = 3;
    s.toggleUse('alpha');
    s.sample();
    expect(s.sampleError).toMatch(/^No profile to sample around/);
    s.toggleUse('alpha');
    s.sample();
    expect(s.sampled).toHaveLength(3);
    s.setId = 'bad id!';
    await s.save();
    expect(s.saveError).toMatch(/id/);
    expect(saved).toEqual([]);
  });

  it('cancel stops after the conversation in flight, which is not counted as a judge failure', async () => {
    await chooseJudge();
    const many = Array.from({ length: 4 }, (_, i) => JSON.stringify({ id: `c${i}`, messages: [{ role: 'user', content: `question number ${i}` }] })).join('\n');
    let s!: ProfilesState;
    s = stateWith(
      (_r, i) => {
        // The second request starts: cancel while it streams.
        if (i === 1) setTimeout(() => s.cancel(), 5);
        return answer({}, {});
      },
      { delayMs: 2 },
    );
    s.readText(many, 'many.jsonl');
    expect(s.limit).toBe(4);
    await s.extract();
    expect(s.rows.map((r) => r.status)).toEqual(['done', 'cancelled', 'cancelled', 'cancelled']);
    expect(s.failed).toBe(0);
    expect(s.error).toBeNull();
    expect(s.phase).toBe('idle');
  });

  it('reads stored sessions as conversations and skips those without a user message', async () => {
    const run = makeRun('r1');
    await storage.createRun(run);
    const a = makeSession('r1', 's1', 'p1', 0, 'pass');
    const b = makeSession('r1', 's1', 'p2', 1, 'fail');
    const c = makeSession('r1', 's2', 'p1', 0, 'error');
    for (const x of [a, b, c]) await storage.putSession(x);
    for (let i = 0; i < 4; i++) await storage.appendTurn(makeTurn(a.id, i));
    await storage.appendTurn(makeTurn(b.id, 1));
    const s = stateWith([]);
    const sessions = await s.listSessions('r1');
    expect(sessions).toHaveLength(3);
    await s.readSessions(sessions, 'run r1', { personas: run.personaNames, scenarios: run.scenarioTitles });
    expect(s.sourceLabel).toBe('run r1');
    expect(s.conversations.map((e) => [e.label, e.detail])).toEqual([['Ana t1', 'Cancel an order, trial 1']]);
    expect(s.conversations[0]!.conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(s.skipped).toEqual(
      expect.arrayContaining([
        { where: b.id, reason: 'has no user message' },
        { where: c.id, reason: 'no turns stored' },
      ]),
    );
    expect(s.skipped).toHaveLength(2);
  });

  it('refuses a file over the size limit without reading it', () => {
    const s = stateWith([]);
    s.readText('', 'huge.jsonl', 50 * 1024 * 1024);
    expect(s.sourceError).toMatch(/^huge\.jsonl is over 20 MB/);
    expect(s.conversations).toEqual([]);
  });
});
