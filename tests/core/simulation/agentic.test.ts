import { describe, expect, it } from 'vitest';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { ASK_USER_TOOL } from '../../../src/core/simulation/orchestrator.ts';
import { createLlmUser } from '../../../src/core/users/llm-user.ts';
import { planSessions, runSession } from '../../../src/core/simulation/session.ts';
import type { SeatFactory } from '../../../src/core/simulation/llm-seat.ts';
import type { RunSpec, Turn } from '../../../src/core/model/types.ts';
import { userSeat } from '../../../src/core/participants.ts';
import { EngineSeat } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import { ACME_DOMAIN, agentTurns, converse, makePersona, makeScenario, say, scripted, scriptedSeatSettings, userTurns } from '../fixtures.ts';

const ask = (question: string) => say('', { toolCalls: [{ name: ASK_USER_TOOL.name, arguments: { question } }] });

function agendaUser() {
  return createAgendaUser({ role: 'user', scenario: makeScenario(), persona: makePersona('baseline') });
}

describe('agentic mode: ask_user', () => {
  it('the simulated user answers from its hidden knowledge, and the answer comes back as the result', async () => {
    const agent = scripted('agent', [ask('What is your email address?'), say('Thanks, all set.')]);
    const r = await converse(agendaUser(), agent, { mode: 'agentic', maxTurns: 4 });
    const call = agentTurns(r.turns)[0]!.toolCalls[0]!;
    expect(call.name).toBe('ask_user');
    expect(call.result.ok).toBe(true);
    expect(JSON.stringify(call.result)).toContain('ana@example.org');
    // The answer is also a user turn, right after the question, and flagged as such.
    const answer = r.turns[call.id.startsWith('t') ? agentTurns(r.turns)[0]!.index + 1 : -1]!;
    expect(answer.role).toBe('user');
    expect(answer.flags).toContain('answer_to_ask_user');
    expect(answer.content).toContain('ana@example.org');
    // The agent acts again with the answer in hand.
    expect(agent.views[1]!.at(-1)!.toolCalls![0]!.result).toEqual(call.result);
  });

  it('says it does not know what its hidden knowledge does not hold, never inventing it', async () => {
    const agent = scripted('agent', [ask("What's your zip code?"), say('OK.')]);
    const r = await converse(agendaUser(), agent, { mode: 'agentic', maxTurns: 4 });
    const result = JSON.stringify(agentTurns(r.turns)[0]!.toolCalls[0]!.result);
    expect(result).toMatch(/don'?t (know|have)|dunno|no idea|not have/i);
    expect(result).not.toMatch(/\b\d{5}\b/);
  });

  it('the question and its answer appear in the user\'s own view of the conversation', async () => {
    const user = scripted('user', [say('I need help with my plan.'), say('A1'), say('bye ###STOP###')]);
    const agent = scripted('agent', [ask('Which account?'), say('Done.')]);
    await converse(user, agent, { mode: 'agentic' });
    const answerView = user.views[1]!;
    expect(answerView.at(-1)).toMatchObject({ from: 'other', content: 'Which account?' });
    const later = user.views[2]!.map((m) => `${m.from}:${m.content}`);
    expect(later).toEqual(['self:I need help with my plan.', 'other:Which account?', 'self:A1', 'other:Done.']);
  });

  it('is an unknown tool in conversational mode, and a question-less call is an error', async () => {
    const conv = await converse(scripted('user', [say('hi'), say('bye ###STOP###')]), scripted('agent', [ask('Which account?'), say('ok')]));
    expect(agentTurns(conv.turns)[0]!.toolCalls[0]!.result).toMatchObject({ ok: false, error: { name: 'UnknownTool' } });
    const bad = await converse(
      scripted('user', [say('hi'), say('bye ###STOP###')]),
      scripted('agent', [say('', { toolCalls: [{ name: 'ask_user', arguments: {} }] }), say('ok')]),
      { mode: 'agentic' },
    );
    expect(agentTurns(bad.turns)[0]!.toolCalls[0]!.result).toMatchObject({ ok: false, error: { name: 'InvalidArguments' } });
    expect(bad.errorCount).toBe(1);
    expect(userTurns(bad.turns).some((t) => t.flags.includes('answer_to_ask_user'))).toBe(false);
  });

  it('a user who stops while answering ends the session', async () => {
    const user = scripted('user', [say('hi'), say('Forget it. ###STOP###')]);
    const r = await converse(user, scripted('agent', [ask('Which account?')]), { mode: 'agentic' });
    expect(r.termination).toBe('user_stop');
  });
});

/* ------------------------------------------------ the LLM user simulator answers ask_user */

/**
 * A stand-in for the simulator's model that knows only what its prompt tells it: it answers
 * the message it is replying to from the "What you know" list of its system prompt, and says it
 * does not know anything else, as the prompt's guidelines tell it to. Structured requests (the
 * inner state, or the rating) get a fixed thought.
 */
function promptBoundModel(): Script {
  return (q) => {
    if (q.responseFormat?.type === 'grammar') {
      return '{"progress": "answering", "emotion": "calm", "beliefAboutAgent": "ok", "satisfaction": 4, "reason": "fair question"}';
    }
    const system = q.messages[0]!.content;
    // The agent's line this reply answers: the last user message that is not a bracketed request.
    const asked = q.messages.filter((m) => m.role === 'user' && !m.content.startsWith('[')).at(-1)?.content.split('\n\n[')[0];
    if (asked === undefined) return 'Hi, I need help with my plan.';
    if (/\bdone\b/i.test(asked)) return 'Thanks, bye ###STOP###';
    const known = system.split('What you know:\n')[1]!.split('\n\n')[0]!.split('\n');
    for (const line of known) {
      const m = line.match(/^- (.+?): (.+)$/);
      if (m && asked.toLowerCase().includes(m[1]!.toLowerCase())) return `It's ${m[2]}.`;
    }
    return system.includes('say you do not know') ? "Sorry, I don't know that." : 'It is 90210.';
  };
}

function llmUser(latentState?: boolean) {
  const engine = new ScriptedEngine(promptBoundModel());
  const make: SeatFactory = (system) => new EngineSeat(engine, scriptedSeatSettings('tiny-user'), 'user', 7, system);
  const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona: makePersona('baseline') }, make, latentState === undefined ? {} : { latentState });
  return { engine, user };
}

describe('agentic mode: ask_user answered by the LLM user simulator', () => {
  it.each([true, false])('answers a question inside its hidden knowledge with the fact (inner state %s)', async (latentState) => {
    const { engine, user } = llmUser(latentState);
    const agent = scripted('agent', [ask('What is your email address?'), say('Thanks, all set.')]);
    const r = await converse(user, agent, { mode: 'agentic', maxTurns: 4 });
    const asking = agentTurns(r.turns)[0]!;
    const call = asking.toolCalls[0]!;
    expect(call).toMatchObject({ name: 'ask_user', arguments: { question: 'What is your email address?' } });
    expect(call.result).toEqual({ ok: true, value: { answer: "It's ana@example.org." } });
    // The answer is a user turn of the simulator, right after the question, flagged as such.
    const answer = r.turns[asking.index + 1]!;
    expect(answer).toMatchObject({ role: 'user', author: 'llm-user/tiny-user', content: "It's ana@example.org." });
    expect(answer.flags).toContain('answer_to_ask_user');
    expect(answer.satisfaction).toBe(4);
    // The question reached the simulator as the agent's message (a "user" line), never as a tool.
    const spoken = engine.requests.filter((q) => q.responseFormat === undefined);
    expect(spoken[1]!.messages.some((m) => m.role === 'user' && m.content.startsWith('What is your email address?'))).toBe(true);
    expect(engine.requests.every((q) => q.messages.every((m) => m.role !== 'tool'))).toBe(true);
    expect(spoken[1]!.messages[0]!.content).toContain('ana@example.org');
    // The agent gets the answer once, as the call's result, not again as a message.
    expect(agent.views[1]!.at(-1)!.toolCalls![0]!.result).toEqual(call.result);
    expect(agent.views[1]!.filter((m) => m.from === 'other').map((m) => m.content)).toEqual(['Hi, I need help with my plan.']);
  });

  it("says it does not know what its hidden knowledge does not hold, as its prompt tells it", async () => {
    const { engine, user } = llmUser();
    const agent = scripted('agent', [ask("What's your zip code?"), say('OK.')]);
    const r = await converse(user, agent, { mode: 'agentic', maxTurns: 4 });
    const prompt = engine.requests[0]!.messages[0]!.content;
    expect(prompt).toMatch(/What you do not know \(never make these up\):\n- zip code/);
    expect(prompt).toContain('say you do not know');
    const call = agentTurns(r.turns)[0]!.toolCalls[0]!;
    expect(call.result).toEqual({ ok: true, value: { answer: "Sorry, I don't know that." } });
    expect(JSON.stringify(call.result)).not.toMatch(/\b\d{5}\b/);
    expect(userTurns(r.turns).filter((t) => t.flags.includes('answer_to_ask_user')).map((t) => t.content)).toEqual(["Sorry, I don't know that."]);
  });

  it('counts the questions on the session, each answer recorded as a user turn', async () => {
    const spec: RunSpec = {
      name: 'agentic llm',
      scenarioIds: ['upgrade-plan'],
      personaIds: ['baseline'],
      user: { kind: 'llm', label: 'LLM user simulator', version: 'test', settings: { latentState: false } },
      agent: { kind: 'scripted', label: 'Scripted', version: 'test', settings: {} },
      trials: 1,
      seed: 3,
      maxTurns: 30,
      maxErrors: 3,
      mode: 'agentic',
    };
    const [plan] = planSessions('run1', spec, [makeScenario()], [makePersona('baseline')]);
    let t = 0;
    const engine = new ScriptedEngine(promptBoundModel());
    const turns: Turn[] = [];
    const session = await runSession(plan!, {
      runId: 'run1',
      spec,
      domain: ACME_DOMAIN,
      // The seat as the runner builds it: from the run spec's stored settings.
      createUser: (ctx) =>
        userSeat('llm').create(ctx, { makeSeat: (role, seed) => (system) => new EngineSeat(engine, scriptedSeatSettings('tiny-user'), role, seed, system) }, spec.user.settings),
      onTurn: (turn) => void turns.push(turn),
      createAgent: () =>
        scripted('agent', [
          ask('What is your account id?'),
          ask("What's your zip code?"),
          say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
          say('Done: you are on premium now.'),
        ]),
      now: () => (t += 10),
    });
    expect(session.questionsAsked).toBe(2);
    expect(session.termination).toBe('user_stop');
    expect(session.outcome).toBe('pass');
    const answers = turns.filter((x) => x.flags.includes('answer_to_ask_user'));
    expect(answers.map((x) => [x.role, x.content])).toEqual([
      ['user', "It's A1."],
      ['user', "Sorry, I don't know that."],
    ]);
    // latentState false in the spec: rated, but no inner state.
    expect(answers.map((x) => x.satisfaction)).toEqual([4, 4]);
    expect(turns.some((x) => x.latent?.progress !== undefined)).toBe(false);
  });
});
