import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EngineSeat, type EngineSeatSettings } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import type { TraitValues } from '../../../src/core/model/types.ts';
import { validatePersonaSet } from '../../../src/core/model/schema.ts';
import { conversationFromTurns, parseConversationsJsonl, type Conversation } from '../../../src/core/personas/conversations.ts';
import {
  extractProfile,
  JUDGE_RESPONSE_SCHEMA,
  personasLike,
  readJudgeAnswer,
  renderTranscript,
  type ExtractedProfile,
} from '../../../src/core/personas/profile.ts';
import { BASELINE_TRAITS, TRAIT_NAMES, TRAITS } from '../../../src/core/personas/traits.ts';
import type { SeatFactory } from '../../../src/core/simulation/llm-seat.ts';
import { jsonSchemaGrammar } from '../../../src/core/simulation/json-grammar.ts';

const HUMAN = fileURLToPath(new URL('../../../../shared/data/human-conversations/', import.meta.url));
const FILES = ['oasst1_mirror.jsonl', 'clariq_mirror.jsonl', 'chatbot_arena_mirror.jsonl'];
const haveHuman = existsSync(`${HUMAN}${FILES[0]}`);

const settings: EngineSeatSettings = {
  engine: 'scripted',
  model: 'tiny-judge',
  sampling: { temperature: 0, top_p: 1, max_tokens: 600, frequency_penalty: 0, presence_penalty: 0 },
  resetChatEachRequest: false,
  sharedEngine: false,
};

function judgeOn(script: Script): { engine: ScriptedEngine; make: SeatFactory } {
  const engine = new ScriptedEngine(script);
  return { engine, make: (system) => new EngineSeat(engine, settings, 'judge', 1, system) };
}

const CONVERSATION: Conversation = {
  id: 'c1',
  messages: [
    { role: 'user', content: 'hey my thing broke again, can u fix it' },
    { role: 'assistant', content: 'Sorry to hear that. Which device is it?' },
    { role: 'user', content: 'the laptop. pls hurry i have a meeting' },
  ],
};

/** A valid judge answer with these traits; quotes for patience and formality. */
function answer(traits: Partial<TraitValues> = {}, quotes: Record<string, string[]> = {}): string {
  const t = { ...BASELINE_TRAITS, ...traits };
  return JSON.stringify({
    traits: Object.fromEntries(TRAIT_NAMES.map((n) => [n, { value: t[n], evidence: quotes[n] ?? [] }])),
    role: 'Professional',
    background: 'Someone with a busy working day.',
    summary: 'Casual, hurried, short messages.',
  });
}

describe('profile extraction with a scripted judge', () => {
  it('asks with the trait schema and a JSON response format, and reads a valid answer', async () => {
    const { engine, make } = judgeOn([
      answer({ patience: 2, formality: 1 }, { patience: ['pls hurry i have a meeting'], formality: ['hey my thing broke', 'Dear Sir'] }),
    ]);
    const r = await extractProfile(CONVERSATION, make);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.attempts).toBe(1);
    expect(r.profile.traits.patience).toBe(2);
    expect(r.profile.traits.formality).toBe(1);
    expect(r.profile.role).toBe('professional');
    expect(r.profile.judge).toBe('tiny-judge');
    // A quote really in the user's messages is found; an invented one is not.
    expect(r.profile.evidence.patience).toEqual([{ quote: 'pls hurry i have a meeting', found: true }]);
    expect(r.profile.evidence.formality).toEqual([
      { quote: 'hey my thing broke', found: true },
      { quote: 'Dear Sir', found: false },
    ]);
    const q = engine.requests[0]!;
    // A grammar generated from the schema (bounded whitespace), not json_object.
    expect(q.responseFormat).toEqual({ type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(JUDGE_RESPONSE_SCHEMA)) });
    const system = q.messages[0]!.content;
    for (const t of TRAITS) {
      expect(system).toContain(t.name);
      expect(system).toContain(t.anchors[5]);
    }
    expect(q.messages.at(-1)!.content).toContain('[3] USER: the laptop. pls hurry i have a meeting');
  });

  it('retries once on a malformed answer, naming the problems, then succeeds', async () => {
    const bad = JSON.stringify({ traits: { patience: { value: 9, evidence: [] } }, role: 'x', background: '', summary: 's' });
    const { engine, make } = judgeOn([`Sure! Here it is:\n${bad}`, '```json\n' + answer({ noise: 4 }) + '\n```']);
    const r = await extractProfile(CONVERSATION, make);
    expect(r.ok && r.attempts).toBe(2);
    expect(r.ok && r.profile.traits.noise).toBe(4);
    const retry = engine.requests[1]!.messages.at(-1)!.content;
    expect(retry).toContain('could not be used');
    expect(retry).toContain('traits.patience.value: must be at most 5 (got 9)');
    expect(retry).toContain('traits.verbosity: is required but missing');
    // The retry extends the same conversation: the first answer is in its history.
    expect(engine.requests[1]!.messages.some((m) => m.role === 'assistant' && m.content.includes('Sure! Here it is'))).toBe(true);
  });

  it('returns an error result, not an exception, after a second malformed answer', async () => {
    const { make } = judgeOn(['I cannot rate this user.', '{"traits": {"patience": {"value": 3, "evidence": []']);
    const r = await extractProfile(CONVERSATION, make);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.attempts).toBe(2);
    expect(r.error.name).toBe('MalformedJudgeOutput');
    expect(r.error.message).toContain('malformed twice');
    expect(r.error.issues[0]!.message).toMatch(/could not be read/);
    expect(r.raw).toEqual(['I cannot rate this user.', '{"traits": {"patience": {"value": 3, "evidence": []']);
  });

  it('returns an engine failure as an error result', async () => {
    const { make } = judgeOn([{ error: { name: 'EngineLostError', message: 'GPU lost' } }]);
    const r = await extractProfile(CONVERSATION, make);
    expect(r).toMatchObject({ ok: false, attempts: 1, error: { name: 'JudgeError', message: 'The judge failed: EngineLostError: GPU lost' } });
  });

  it('refuses unknown fields and wrong types in the answer, with paths', () => {
    const extra = JSON.parse(answer());
    extra.traits.charm = { value: 3, evidence: [] };
    extra.traits.clarity.value = 'high';
    const r = readJudgeAnswer(JSON.stringify(extra), CONVERSATION, 'j');
    expect(r.profile).toBeUndefined();
    expect(r.issues).toEqual(
      expect.arrayContaining([
        { path: 'traits', message: 'unknown field "charm"' },
        { path: 'traits.clarity.value', message: 'must be a number, got "high"' },
      ]),
    );
  });
});

describe('users like this one', () => {
  const profile: ExtractedProfile = {
    conversationId: 'oasst-abc',
    traits: { ...BASELINE_TRAITS, patience: 2, emotion: 4 },
    role: 'caregiver',
    background: 'Looks after a sick parent.',
    summary: 's',
    evidence: Object.fromEntries(TRAIT_NAMES.map((n) => [n, []])) as unknown as ExtractedProfile['evidence'],
    judge: 'j',
  };

  it('samples the same personas for the same seed, close to the profile', () => {
    const a = personasLike([profile], { size: 30, seed: 3, spread: 0.75 });
    expect(personasLike([profile], { size: 30, seed: 3, spread: 0.75 })).toEqual(a);
    expect(personasLike([profile], { size: 30, seed: 4, spread: 0.75 })).not.toEqual(a);
    for (const p of a) {
      expect(p.role).toBe('caregiver');
      expect(p.background).toBe(profile.background);
      for (const n of TRAIT_NAMES) expect(Math.abs(p.traits[n] - profile.traits[n]), n).toBeLessThanOrEqual(4);
    }
    const meanPatience = a.reduce((s, p) => s + p.traits.patience, 0) / a.length;
    expect(meanPatience).toBeGreaterThan(1.5);
    expect(meanPatience).toBeLessThan(3);
    // They vary around it, not all copies.
    expect(new Set(a.map((p) => JSON.stringify(p.traits))).size).toBeGreaterThan(10);
    expect(() => validatePersonaSet({ formatVersion: 1, id: 'like', title: 't', description: 'd', personas: a })).not.toThrow();
  });

  it('copies the profile with spread 0 and takes several profiles in turn', () => {
    const other = { ...profile, conversationId: 'x', traits: { ...BASELINE_TRAITS, verbosity: 5 } };
    const list = personasLike([profile, other], { size: 4, seed: 1, spread: 0 });
    expect(list.map((p) => p.traits)).toEqual([profile.traits, other.traits, profile.traits, other.traits]);
    expect(list[0]!.name).toBe('Like oasst-abc #01');
    expect(personasLike([], { size: 3, seed: 1 })).toEqual([]);
  });
});

describe('conversation reader', () => {
  it('reads mirror JSONL and OpenAI-style chat lines, and names bad lines', () => {
    const text = [
      JSON.stringify({ dataset: 'x', conversation_id: 'a', task_description: 'Wants help.', turns: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }),
      '',
      JSON.stringify({ messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: 'yo' }] }),
      '{ not json',
      JSON.stringify({ turns: [{ role: 'assistant', content: 'only me' }] }),
      JSON.stringify({ turns: [{ role: 'user' }] }),
    ].join('\n');
    const r = parseConversationsJsonl(text, 'mine.jsonl');
    expect(r.conversations.map((c) => c.id)).toEqual(['a', 'mine.jsonl#3']);
    expect(r.conversations[0]!.task).toBe('Wants help.');
    expect(r.conversations[1]!.messages).toEqual([{ role: 'user', content: 'yo' }]);
    expect(r.issues.map((i) => i.path)).toEqual(['line 4', 'line 5', 'line 6.turns[0]']);
  });

  it('turns a stored session into a conversation', () => {
    const c = conversationFromTurns('s1', [
      { role: 'user', content: 'hi' },
      { role: 'agent', content: '' },
      { role: 'agent', content: 'Hello!' },
    ]);
    expect(c.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello!' },
    ]);
  });

  it.skipIf(!haveHuman)('reads the real human conversations in ../shared/data and profiles some of them end to end', async () => {
    const all: Conversation[] = [];
    for (const f of FILES) {
      const text = readFileSync(`${HUMAN}${f}`, 'utf8');
      const r = parseConversationsJsonl(text, f);
      expect(r.issues, f).toEqual([]);
      // One conversation a line (the README says 200 each; the arena file holds 195).
      expect(r.conversations.length, f).toBe(text.split('\n').filter((l) => l.trim()).length);
      expect(r.conversations.length, f).toBeGreaterThan(150);
      all.push(...r.conversations);
    }
    expect(all.every((c) => c.messages.some((m) => m.role === 'user'))).toBe(true);
    // A judge that quotes the first words of the first user message it is shown.
    const { make } = judgeOn((q) => {
      const first = /\[1\] USER: (.*)/.exec(q.messages.at(-1)!.content)?.[1] ?? '';
      const quote = first.split(/\s+/).slice(0, 4).join(' ');
      return answer({ verbosity: first.length > 200 ? 5 : 2 }, { verbosity: [quote] });
    });
    const sample = [all[0]!, all[200]!, all[400]!, all[401]!];
    const profiles: ExtractedProfile[] = [];
    for (const c of sample) {
      expect(renderTranscript(c).length).toBeLessThan(10_000);
      const r = await extractProfile(c, make);
      expect(r.ok, c.id).toBe(true);
      if (r.ok) {
        expect(r.profile.evidence.verbosity[0]!.found, c.id).toBe(true);
        profiles.push(r.profile);
      }
    }
    const like = personasLike(profiles, { size: 8, seed: 2 });
    expect(like).toHaveLength(8);
  });
});
