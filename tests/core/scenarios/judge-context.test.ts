/**
 * The judge's request fitted to the judge model's context window: tool results shrink first,
 * then long messages, then lines leave the middle of the conversation behind a marker; the
 * assertions are never cut, and a window too small for them alone sends nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgedSession } from './judged-session.ts';
import type { JsonObject, ToolCall } from '../../../src/core/model/types.ts';
import { importTau2Domain } from '../../../src/core/index.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import {
  describeJudgeClipping,
  fitJudgeRequest,
  judgeAssertions,
  judgeRequestBudget,
  omittedLinesMarker,
  renderJudgeRequest,
  type JudgedTurn,
} from '../../../src/core/scenarios/judge.ts';
import type { SeatFactory } from '../../../src/core/simulation/llm-seat.ts';
import { runSession } from '../../../src/core/simulation/session.ts';
import { sessionSchema } from '../../../src/storage/bundle-schema.ts';
import { EngineSeat, contextTokensOf, engineSeatFactory } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import { scenarioWith, scriptedSeatSettings } from '../fixtures.ts';

const settings = scriptedSeatSettings('tiny-judge');

/** A scripted judge whose factory says the model's context window, as the engine layer does. */
function judgeOn(script: Script, contextTokens?: number): { engine: ScriptedEngine; make: SeatFactory } {
  const engine = new ScriptedEngine(script);
  const make = (system: string) => new EngineSeat(engine, settings, 'judge', 7, system);
  return { engine, make: contextTokens === undefined ? make : Object.assign(make, { contextTokens }) };
}

const ASSERTIONS = ['The agent confirmed before changing the plan.', 'The agent told the user the new price.'];
const verdicts = (n: number) =>
  JSON.stringify({ verdicts: Array.from({ length: n }, (_, i) => ({ assertion: i + 1, met: true, reason: 'shown' })) });

const shortTurns: JudgedTurn[] = [
  { role: 'user', content: 'Please move A1 to premium.', toolCalls: [] },
  { role: 'agent', content: 'Done.', toolCalls: [{ id: 't1-0', name: 'set_plan', arguments: { account_id: 'A1' }, result: { ok: true, value: { plan: 'premium' } } }] },
];

/** A synthetic 40-turn session: long tool results, some long messages, a distinctive last line. */
function longSession(turnCount = 40): JudgedTurn[] {
  const turns: JudgedTurn[] = [];
  for (let i = 0; i < turnCount; i++) {
    if (i % 2 === 0) {
      turns.push({ role: 'user', content: `User message ${i}: ${'please look at my order '.repeat(i % 6 === 0 ? 30 : 2)}`, toolCalls: [] });
    } else {
      const call: ToolCall = {
        id: `t${i}-0`,
        name: 'get_order_details',
        arguments: { order_id: `#W${1000 + i}` },
        result: { ok: true, value: { order_id: `#W${1000 + i}`, items: Array.from({ length: 6 }, (_, k) => ({ item_id: `${i}${k}`, price: 10 + k })) } },
      };
      turns.push({ role: 'agent', content: `Agent reply ${i}: I looked up order #W${1000 + i}.`, toolCalls: [call] });
    }
  }
  turns.push({ role: 'agent', content: 'FINAL: your exchange is done and the refund goes to your card.', toolCalls: [] });
  return turns;
}

/** The transcript section of a request, one entry per line. */
const transcriptLines = (request: string) => request.slice('## Transcript\n'.length, request.indexOf('\n\n## Assertions')).split('\n');
const toolResults = (request: string) => transcriptLines(request).filter((l) => l.startsWith('  [tool call]')).map((l) => l.slice(l.indexOf(' → ') + 3));

describe('judgeRequestBudget', () => {
  it('takes 2 replies of 60 tokens per assertion and 3 characters per token off the window', () => {
    expect(judgeRequestBudget(4096, 3) - judgeRequestBudget(4096, 4)).toBe(2 * 60 * 3);
    expect(judgeRequestBudget(4097, 3) - judgeRequestBudget(4096, 3)).toBe(3);
    expect(judgeRequestBudget(4096, 3)).toBeLessThan(4096 * 3);
    expect(judgeRequestBudget(300, 5)).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a window of %s tokens, naming it', (n) => {
    expect(() => judgeRequestBudget(n, 2)).toThrow(/context window must be a positive whole number of tokens \(got/);
  });
});

describe('fitJudgeRequest', () => {
  const long = longSession();
  const full = renderJudgeRequest(ASSERTIONS, long);

  it('leaves a request that fits exactly as renderJudgeRequest writes it, with no clipping recorded', () => {
    for (const turns of [shortTurns, long]) {
      const text = renderJudgeRequest(ASSERTIONS, turns);
      expect(fitJudgeRequest(ASSERTIONS, turns, text.length)).toEqual({ ok: true, text });
    }
  });

  it('keeps every request within its budget, down to the smallest that holds the assertions', () => {
    const failing = fitJudgeRequest(ASSERTIONS, long, 0);
    expect(failing.ok).toBe(false);
    const least = failing.ok ? 0 : failing.minimumChars;
    for (let budget = least; budget <= full.length + 10; budget += 37) {
      const fit = fitJudgeRequest(ASSERTIONS, long, budget);
      expect(fit.ok, `budget ${budget}`).toBe(true);
      if (fit.ok) expect(fit.text.length, `budget ${budget}`).toBeLessThanOrEqual(budget);
    }
    expect(fitJudgeRequest(ASSERTIONS, long, least - 1).ok).toBe(false);
  });

  it('shortens tool results before messages, and both before leaving lines out', () => {
    const stage = (budget: number): number => {
      const fit = fitJudgeRequest(ASSERTIONS, long, budget);
      if (!fit.ok) throw new Error(`budget ${budget} did not fit`);
      const c = fit.clipped;
      if (!c) return 0;
      if (c.linesOmitted > 0) return 6;
      return { 120: 1, 40: 2 }[c.toolResultMax as 120 | 40] + (c.messageMax === 400 ? 1 : c.messageMax === 200 ? 2 : 0);
    };
    const seen: number[] = [];
    for (let budget = full.length; budget > 1500; budget -= 50) seen.push(stage(budget));
    // As the budget shrinks the stage only ever goes up, and every stage is reached.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen)).toEqual(new Set([0, 1, 2, 3, 4, 6]));
    // Just under the full length: tool results at 120 characters, nothing else touched.
    const first = fitJudgeRequest(ASSERTIONS, long, full.length - 1);
    expect(first.ok && first.clipped).toEqual({ maxChars: full.length - 1, toolResultMax: 120, linesOmitted: 0 });
    if (first.ok) {
      expect(toolResults(first.text).every((r) => r.length <= 121)).toBe(true);
      expect(toolResults(first.text).some((r) => r.length === 121 && r.endsWith('…'))).toBe(true);
      expect(first.text).not.toContain('left out to fit');
    }
  });

  it('leaves out lines from the middle, keeps the beginning and the end, and counts them in the marker', () => {
    const fit = fitJudgeRequest(ASSERTIONS, long, 2500, 4096);
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    const all = fitJudgeRequest(ASSERTIONS, long, 1e9);
    const lines = transcriptLines(fit.text);
    const marker = lines.findIndex((l) => l.startsWith('[… '));
    expect(marker).toBeGreaterThan(0);
    const omitted = fit.clipped!.linesOmitted;
    expect(lines[marker]).toBe(omittedLinesMarker(omitted));
    expect(lines[marker]).toMatch(/^\[… \d+ lines of the conversation left out to fit the judge's context …\]$/);
    expect(fit.clipped).toEqual({ contextTokens: 4096, maxChars: 2500, toolResultMax: 40, messageMax: 200, linesOmitted: omitted });
    // The kept lines and the omitted count add up to the whole conversation, one line per entry.
    const entryCount = long.reduce((n, t) => n + (t.content.trim() ? 1 : 0) + t.toolCalls.length, 0);
    expect(lines.length - 1 + omitted).toBe(entryCount);
    // The beginning and the end are kept: the opening message and the final reply.
    expect(lines[0]).toMatch(/^User: User message 0:/);
    expect(lines.at(-1)).toBe('Agent: FINAL: your exchange is done and the refund goes to your card.');
    // The end gets more room than the beginning.
    expect(lines.length - 1 - marker).toBeGreaterThan(marker);
    // The assertions are all there, whole.
    expect(fit.text).toContain('## Assertions\n1. The agent confirmed before changing the plan.\n2. The agent told the user the new price.');
    expect(all.ok && all.clipped).toBe(undefined);
  });

  it('is deterministic', () => {
    expect(fitJudgeRequest(ASSERTIONS, long, 2000)).toEqual(fitJudgeRequest(ASSERTIONS, longSession(), 2000));
  });
});

describe('judgeAssertions within the judge model context window', () => {
  const scenario = scenarioWith((s) => {
    s.evaluation.nlAssertions = [...ASSERTIONS];
  });

  it('sends a short session byte for byte as before and records no clipping', async () => {
    const { engine, make } = judgeOn([verdicts(2)], 4096);
    const j = await judgeAssertions(make, { scenario, turns: shortTurns });
    expect(engine.requests[0]!.messages[1]!.content).toBe(renderJudgeRequest(ASSERTIONS, shortTurns));
    expect(j).toEqual({ results: ASSERTIONS.map((assertion) => ({ assertion, verdict: 'met', reason: 'shown' })), model: 'tiny-judge', attempts: 1 });
  });

  it('without a known window sends the whole transcript, however long', async () => {
    const long = longSession();
    const { engine, make } = judgeOn([verdicts(2)]);
    const j = await judgeAssertions(make, { scenario, turns: long });
    expect(engine.requests[0]!.messages[1]!.content).toBe(renderJudgeRequest(ASSERTIONS, long));
    expect(j.clipped).toBeUndefined();
  });

  it("fits a long session to the factory's window and records how it was shortened", async () => {
    const long = longSession();
    const { engine, make } = judgeOn([verdicts(2)], 2048);
    const j = await judgeAssertions(make, { scenario, turns: long });
    const sent = engine.requests[0]!.messages[1]!.content;
    const budget = judgeRequestBudget(2048, 2);
    expect(sent.length).toBeLessThanOrEqual(budget);
    expect(renderJudgeRequest(ASSERTIONS, long).length).toBeGreaterThan(budget);
    expect(j.results.map((r) => r.verdict)).toEqual(['met', 'met']);
    expect(j.clipped).toMatchObject({ contextTokens: 2048, maxChars: budget, toolResultMax: 40, messageMax: 200 });
    expect(j.clipped!.linesOmitted).toBeGreaterThan(0);
    expect(sent).toContain(omittedLinesMarker(j.clipped!.linesOmitted));
    expect(describeJudgeClipping(j.clipped!)).toBe(
      `The judge read a shortened transcript (tool results cut to 40 characters, messages to 200, ${j.clipped!.linesOmitted} lines left out) to fit its 2,048-token window.`,
    );
  });

  it('takes a window or a character budget given by the caller over the factory', async () => {
    const long = longSession();
    const a = judgeOn([verdicts(2)], 2048);
    await judgeAssertions(a.make, { scenario, turns: long }, { contextTokens: 8192 });
    expect(a.engine.requests[0]!.messages[1]!.content.length).toBeLessThanOrEqual(judgeRequestBudget(8192, 2));
    expect(a.engine.requests[0]!.messages[1]!.content.length).toBeGreaterThan(judgeRequestBudget(2048, 2));
    const b = judgeOn([verdicts(2)]);
    const j = await judgeAssertions(b.make, { scenario, turns: long }, { maxRequestChars: 3000 });
    expect(b.engine.requests[0]!.messages[1]!.content.length).toBeLessThanOrEqual(3000);
    expect(j.clipped).toMatchObject({ maxChars: 3000 });
    expect(j.clipped!.contextTokens).toBeUndefined();
  });

  it('sends nothing and names the window when the assertions alone do not fit', async () => {
    const many = Array.from({ length: 12 }, (_, i) => `Assertion ${i + 1}: ${'the agent must say the exact refund amount and the card it goes to. '.repeat(3)}`);
    const big = scenarioWith((s) => {
      s.evaluation.nlAssertions = many;
    });
    const { engine, make } = judgeOn([verdicts(12)], 2048);
    const j = await judgeAssertions(make, { scenario: big, turns: shortTurns });
    expect(engine.requests).toHaveLength(0);
    expect(j.attempts).toBe(0);
    expect(j.results).toHaveLength(12);
    for (const r of j.results) {
      expect(r.verdict).toBe('not_judged');
      expect(r.reason).toMatch(/^Not judged: The 12 assertions alone need [\d,]+ characters, more than the [\d,]+ that the judge's 2,048-token context window leaves/);
    }
    expect(j.error?.name).toBe('JudgeContextTooSmall');
  });

  it('records a bad window as not judged, naming it, without asking the model', async () => {
    const { engine, make } = judgeOn([verdicts(2)]);
    const j = await judgeAssertions(make, { scenario, turns: shortTurns }, { contextTokens: -5 });
    expect(engine.requests).toHaveLength(0);
    expect(j.results.every((r) => r.verdict === 'not_judged' && r.reason.includes('(got -5)'))).toBe(true);
  });
});

describe('the clipping on the session score', () => {
  const scenario = scenarioWith((s) => {
    s.evaluation.nlAssertions = [...ASSERTIONS];
    s.evaluation.rewardBasis = ['DB', 'NL_ASSERTION'];
  });
  const { plan, deps } = judgedSession(scenario);
  const run = (judge: SeatFactory) => runSession(plan, deps(() => judge));

  it('is stored with the judge on the score, and survives the bundle schema', async () => {
    // The smallest window that still holds the assertions clips even this short session.
    let window = 1;
    while (judgeRequestBudget(window, 2) < 330) window++;
    const { engine, make } = judgeOn([verdicts(2)], window);
    const session = await run(make);
    const sent = engine.requests[0]!.messages[1]!.content;
    expect(sent.length).toBeLessThanOrEqual(judgeRequestBudget(window, 2));
    const clipped = session.score!.judge!.clipped!;
    expect(clipped).toMatchObject({ contextTokens: window, maxChars: judgeRequestBudget(window, 2) });
    expect(sent).toMatch(/…/);
    expect(describeJudgeClipping(clipped)).toMatch(new RegExp(`^The judge read a shortened transcript \\(.*\\) to fit its ${window}-token window\\.$`));
    const parsed = sessionSchema.shape.score.unwrap().shape.judge.unwrap().parse(session.score!.judge);
    expect(parsed.clipped).toEqual(clipped);
  });

  it('is absent when the judge read the whole transcript', async () => {
    const { make } = judgeOn([verdicts(2)], 4096);
    const session = await run(make);
    expect(session.score!.judge).toEqual({ model: 'tiny-judge', attempts: 1 });
  });
});

describe('the judge seat knows its context window', () => {
  it('from wllama nCtx or the web-llm record, and not otherwise', () => {
    const engine = new ScriptedEngine([]);
    expect(engineSeatFactory(engine, { ...settings, runtime: { nCtx: 2048 } }, 'judge', 1).contextTokens).toBe(2048);
    expect(engineSeatFactory(engine, { ...settings, runtime: { contextWindowSize: 4096 } }, 'judge', 1).contextTokens).toBe(4096);
    expect(engineSeatFactory(engine, settings, 'judge', 1).contextTokens).toBeUndefined();
    expect(contextTokensOf({ nCtx: 'big' } as JsonObject)).toBeUndefined();
  });
});

describe('a τ²-bench retail gold session', () => {
  const dir = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail');
  const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
  const scenarios = importTau2Domain({ domain: 'retail', db: JSON.parse(read('db.json')) as JsonObject, tasks: JSON.parse(read('tasks.json')), policy: read('policy.md') });

  /** The gold actions as the agent's calls, a user and an agent line around each, real results. */
  function goldSession(id: string): { turns: JudgedTurn[]; assertions: string[] } {
    const s = scenarios.find((x) => x.id === id)!;
    const env = createEnvironment(s);
    const turns: JudgedTurn[] = [{ role: 'user', content: s.user.reasonForContact || 'Hi, I need help with my orders.', toolCalls: [] }];
    s.evaluation.goldActions.forEach((a, i) => {
      const call: ToolCall = { id: `t${i}-0`, name: a.name, arguments: a.arguments, result: env.call(a.name, a.arguments) };
      turns.push({ role: 'agent', content: `Let me take care of that (step ${i + 1}).`, toolCalls: [call] });
      turns.push({ role: 'user', content: 'Yes, go ahead please.', toolCalls: [] });
    });
    turns.push({ role: 'agent', content: 'Everything is done. Is there anything else?', toolCalls: [] });
    return { turns, assertions: s.evaluation.nlAssertions.length ? s.evaluation.nlAssertions : ASSERTIONS };
  }

  it('the longest gold session of the busiest tasks fits 4,096- and 2,048-token windows, its end kept', () => {
    // Replaying every task takes seconds: the five with the most gold actions are enough.
    const busiest = [...scenarios].sort((a, b) => b.evaluation.goldActions.length - a.evaluation.goldActions.length).slice(0, 5);
    const sessions = busiest.map((s) => ({ id: s.id, ...goldSession(s.id) }));
    const lengthOf = (x: (typeof sessions)[number]) => renderJudgeRequest(x.assertions, x.turns).length;
    const longest = sessions.reduce((best, x) => (lengthOf(x) > lengthOf(best) ? x : best));
    const { turns, assertions } = longest;
    const before = renderJudgeRequest(assertions, turns);
    const calls = turns.reduce((n, t) => n + t.toolCalls.length, 0);
    for (const window of [4096, 2048]) {
      const budget = judgeRequestBudget(window, assertions.length);
      const fit = fitJudgeRequest(assertions, turns, budget, window);
      expect(fit.ok).toBe(true);
      if (!fit.ok) continue;
      expect(fit.text.length).toBeLessThanOrEqual(budget);
      expect(fit.text === before).toBe(before.length <= budget);
      expect(fit.text.endsWith(before.slice(before.indexOf('\n\n## Assertions')))).toBe(true);
      expect(transcriptLines(fit.text).at(-1)).toBe('Agent: Everything is done. Is there anything else?');
      console.info(
        `[judge-context] ${longest.id}: ${calls} gold calls, ${turns.length} turns, ${assertions.length} assertions; ` +
          `request ${before.length} → ${fit.text.length} characters (budget ${budget} for ${window} tokens); clipped ${JSON.stringify(fit.clipped)}`,
      );
    }
    // A synthetic 40-turn session with long tool results, for a 4,096-token window.
    const synthetic = longSession();
    const budget = judgeRequestBudget(4096, 2);
    const fit = fitJudgeRequest(ASSERTIONS, synthetic, budget, 4096);
    const full = renderJudgeRequest(ASSERTIONS, synthetic);
    expect(full.length).toBeGreaterThan(budget);
    expect(fit.ok && fit.text.length <= budget).toBe(true);
    console.info(`[judge-context] synthetic 40 turns: request ${full.length} → ${fit.ok ? fit.text.length : '-'} characters (budget ${budget} for 4096 tokens); clipped ${JSON.stringify(fit.ok && fit.clipped)}`);
  });
});
