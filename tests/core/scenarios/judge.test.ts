import { describe, expect, it } from 'vitest';
import { judgedSession } from './judged-session.ts';
import type { ToolCall, Turn } from '../../../src/core/model/types.ts';
import {
  JUDGE_OUTPUT_SCHEMA,
  JUDGE_SYSTEM_PROMPT,
  judgeAssertions,
  parseJudgeReply,
  renderJudgeRequest,
} from '../../../src/core/scenarios/judge.ts';
import type { SeatFactory } from '../../../src/core/simulation/llm-seat.ts';
import { jsonSchemaGrammar } from '../../../src/core/simulation/json-grammar.ts';
import { runSession } from '../../../src/core/simulation/session.ts';
import { EngineSeat } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import { makeScenario, scenarioWith, scripted, scriptedSeatSettings } from '../fixtures.ts';

const settings = scriptedSeatSettings('tiny-judge');

function judgeOn(script: Script): { engine: ScriptedEngine; make: SeatFactory } {
  const engine = new ScriptedEngine(script);
  return { engine, make: (system) => new EngineSeat(engine, settings, 'judge', 7, system) };
}

const ASSERTIONS = ['The agent confirmed before changing the plan.', 'The agent told the user the new price.'];
const scenario = scenarioWith((s) => {
  s.evaluation.nlAssertions = [...ASSERTIONS];
  s.evaluation.rewardBasis = ['DB', 'NL_ASSERTION'];
});
const setPlan: ToolCall = {
  id: 't1-0',
  name: 'set_plan',
  arguments: { account_id: 'A1', plan: 'premium' },
  result: { ok: true, value: { account_id: 'A1', plan: 'premium' } },
};
const turns: Pick<Turn, 'role' | 'content' | 'toolCalls'>[] = [
  { role: 'user', content: 'Please move A1 to premium.', toolCalls: [] },
  { role: 'agent', content: 'Shall I switch A1 to premium?', toolCalls: [] },
  { role: 'user', content: 'Yes.', toolCalls: [] },
  { role: 'agent', content: 'Done.', toolCalls: [setPlan] },
];
const GOOD = JSON.stringify({
  verdicts: [
    { assertion: 1, met: true, reason: 'It asked "Shall I switch A1 to premium?" first.' },
    { assertion: 2, met: false, reason: 'No price was mentioned.' },
  ],
});

describe('renderJudgeRequest', () => {
  it('shows the transcript with the tool calls and numbers the assertions', () => {
    const text = renderJudgeRequest(ASSERTIONS, turns);
    expect(text).toContain('User: Please move A1 to premium.');
    expect(text).toContain('Agent: Shall I switch A1 to premium?');
    expect(text).toContain('[tool call] set_plan({"account_id":"A1","plan":"premium"}) → {"account_id":"A1","plan":"premium"}');
    expect(text).toContain('1. The agent confirmed before changing the plan.\n2. The agent told the user the new price.');
    expect(text.indexOf('## Transcript')).toBeLessThan(text.indexOf('## Assertions'));
  });

  it('shortens long tool results', () => {
    const big: ToolCall = { ...setPlan, result: { ok: true, value: 'x'.repeat(5000) } };
    const text = renderJudgeRequest(ASSERTIONS, [{ role: 'agent', content: '', toolCalls: [big] }]);
    expect(text.length).toBeLessThan(1200);
    expect(text).toContain('…');
  });
});

describe('parseJudgeReply', () => {
  it('reads verdicts from a code fence or prose around the JSON', () => {
    const r = parseJudgeReply('Here you go:\n```json\n' + GOOD + '\n```', 2);
    expect(r.ok).toBe(true);
    if (r.ok) expect([...r.verdicts]).toEqual([
      [1, { met: true, reason: 'It asked "Shall I switch A1 to premium?" first.' }],
      [2, { met: false, reason: 'No price was mentioned.' }],
    ]);
  });

  it('accepts yes/no words and a bare list, and keeps one line of reason', () => {
    const r = parseJudgeReply('[{"assertion": "1", "met": "yes", "reason": "ok\\nmore"}, {"assertion": 2, "met": "No", "reason": "no"}]', 2);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.verdicts.get(1)).toEqual({ met: true, reason: 'ok' });
  });

  it.each([
    ['no JSON', 'I think both are met.', /no JSON object/],
    ['broken JSON', '{"verdicts": [ {"assertion": 1, "met": tru }', /(no JSON object|does not parse)/],
    ['wrong shape', '{"results": []}', /verdicts/],
    ['a bad met value', '{"verdicts": [{"assertion": 1, "met": "maybe", "reason": ""}]}', /verdicts\.0\.met/],
    ['a missing verdict', '{"verdicts": [{"assertion": 1, "met": true, "reason": "x"}]}', /no verdict for assertion 2/],
    ['an unknown assertion', '{"verdicts": [{"assertion": 1, "met": true}, {"assertion": 2, "met": true}, {"assertion": 3, "met": true}]}', /no assertion 3/],
    ['a duplicate', '{"verdicts": [{"assertion": 1, "met": true}, {"assertion": 1, "met": false}, {"assertion": 2, "met": true}]}', /two verdicts/],
  ])('refuses %s with the problem named', (_label, text, problem) => {
    const r = parseJudgeReply(text, 2);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });
});

describe('judgeAssertions', () => {
  it('asks once with the system prompt and a JSON response format, and stores each verdict and reason', async () => {
    const { engine, make } = judgeOn([GOOD]);
    const j = await judgeAssertions(make, { scenario, turns });
    expect(j).toEqual({
      results: [
        { assertion: ASSERTIONS[0], verdict: 'met', reason: 'It asked "Shall I switch A1 to premium?" first.' },
        { assertion: ASSERTIONS[1], verdict: 'not_met', reason: 'No price was mentioned.' },
      ],
      model: 'tiny-judge',
      attempts: 1,
    });
    expect(engine.requests).toHaveLength(1);
    const req = engine.requests[0]!;
    expect(req.messages[0]).toEqual({ role: 'system', content: JUDGE_SYSTEM_PROMPT });
    expect(req.messages[1]!.content).toBe(renderJudgeRequest(ASSERTIONS, turns));
    // A grammar generated from the schema (bounded whitespace), not json_object.
    expect(req.responseFormat).toEqual({ type: 'grammar', grammar: jsonSchemaGrammar(JSON.parse(JUDGE_OUTPUT_SCHEMA)) });
  });

  it('retries once on malformed output, telling the model what was wrong', async () => {
    const { engine, make } = judgeOn(['Both look fine to me.', GOOD]);
    const j = await judgeAssertions(make, { scenario, turns });
    expect(j.attempts).toBe(2);
    expect(j.error).toBeUndefined();
    expect(j.results.map((r) => r.verdict)).toEqual(['met', 'not_met']);
    const retry = engine.requests[1]!.messages;
    // The retry extends the conversation: the bad reply, then the complaint.
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: 'Both look fine to me.' });
    expect(retry.at(-1)!.content).toMatch(/could not be used: the reply holds no JSON object/);
  });

  it('records the assertions as not judged, with the error, after a second malformed reply', async () => {
    const { engine, make } = judgeOn(['nope', '{"verdicts": [{"assertion": 1, "met": true, "reason": "asked first"}]}']);
    const j = await judgeAssertions(make, { scenario, turns });
    expect(engine.requests).toHaveLength(2);
    expect(j.attempts).toBe(2);
    // What was readable is kept; the rest has no verdict.
    expect(j.results[0]).toEqual({ assertion: ASSERTIONS[0], verdict: 'met', reason: 'asked first' });
    expect(j.results[1]).toMatchObject({ assertion: ASSERTIONS[1], verdict: 'not_judged' });
    expect(j.results[1]!.reason).toMatch(/could not be read after a retry: no verdict for assertion 2/);
    expect(j.error).toEqual({ name: 'MalformedJudgeReply', message: 'no verdict for assertion 2' });
  });

  it('turns an engine failure into data instead of throwing', async () => {
    const { make } = judgeOn([{ error: { name: 'EngineLostError', message: 'GPU device lost' } }]);
    const j = await judgeAssertions(make, { scenario, turns });
    expect(j.error).toEqual({ name: 'EngineLostError', message: 'GPU device lost' });
    expect(j.results.every((r) => r.verdict === 'not_judged' && r.reason.includes('GPU device lost'))).toBe(true);
  });

  it('sends nothing when the task has no NL assertions', async () => {
    const { engine, make } = judgeOn([GOOD]);
    const j = await judgeAssertions(make, { scenario: makeScenario(), turns });
    expect(j.results).toEqual([]);
    expect(engine.requests).toHaveLength(0);
  });
});

describe('runSession with a judge', () => {
  const { plan, deps } = judgedSession(scenario);

  it('judges the finished conversation and counts the verdicts in the reward', async () => {
    const { engine, make } = judgeOn([GOOD]);
    const seeds: number[] = [];
    const session = await runSession(plan, deps((seed) => (seeds.push(seed), make)));
    expect(seeds).toEqual([plan.seed]);
    expect(session.score!.db!.match).toBe(true);
    expect(session.score!.nlAssertions!.map((a) => a.verdict)).toEqual(['met', 'not_met']);
    expect(session.score!.judge).toEqual({ model: 'tiny-judge', attempts: 1 });
    expect(session.score!.reward).toBe(0);
    expect(session.outcome).toBe('fail');
    // The judge read the real transcript, the agent's tool call included.
    expect(engine.requests[0]!.messages[1]!.content).toContain('[tool call] set_plan(');
  });

  it('without a judge, passes on the database and says NL assertions were not judged', async () => {
    const session = await runSession(plan, deps());
    expect(session.outcome).toBe('pass');
    expect(session.score!.nlAssertions!.every((a) => a.verdict === 'not_judged')).toBe(true);
    expect(session.score!.notes.some((n) => n.includes('NL_ASSERTION') && n.includes('left out of the reward'))).toBe(true);
  });

  it('does not ask the judge about a session that ended in an error', async () => {
    const { engine, make } = judgeOn([GOOD]);
    const session = await runSession(plan, {
      ...deps(() => make),
      createAgent: () => scripted('agent', [{ throws: { name: 'EngineError', message: 'model crashed' } }]),
    });
    expect(session.outcome).toBe('error');
    expect(engine.requests).toHaveLength(0);
    expect(session.score!.nlAssertions![0]!.reason).toMatch(/session ended in an error/);
  });
});
