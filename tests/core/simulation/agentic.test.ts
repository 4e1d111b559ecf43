import { describe, expect, it } from 'vitest';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { ASK_USER_TOOL } from '../../../src/core/simulation/orchestrator.ts';
import { agentTurns, converse, makePersona, makeScenario, say, scripted, userTurns } from '../fixtures.ts';

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
