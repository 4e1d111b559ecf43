import { describe, expect, it } from 'vitest';
import { agentTurns, converse, say, scripted, userTurns } from '../fixtures.ts';

describe('unreadable tool calls', () => {
  it('become MalformedCall error results the agent sees, count as errors, and the agent acts again', async () => {
    const user = scripted('user', [say('Change my plan please'), say('thanks ###STOP###')]);
    const agent = scripted('agent', [
      say('', { invalidToolCalls: [{ raw: '<tool_call>{"name": "get_account", "arguments": {', message: 'The JSON inside <tool_call> is cut off.' }] }),
      say('Sorry, which account?'),
    ]);
    const r = await converse(user, agent);
    const bad = agentTurns(r.turns)[0]!;
    expect(bad.toolCalls).toHaveLength(1);
    expect(bad.toolCalls[0]!.result).toEqual({ ok: false, error: { name: 'MalformedCall', message: 'The JSON inside <tool_call> is cut off.' } });
    // Marked like any failed call, though the reply had no readable call beside it.
    expect(bad.flags).toContain('tool_error');
    expect(r.errorCount).toBe(1);
    // The agent was asked again straight away and saw its failed call.
    expect(r.turns[2]!.role).toBe('agent');
    expect(agent.views[1]!.at(-1)!.toolCalls![0]!.result.ok).toBe(false);
    expect(r.termination).toBe('user_stop');
  });

  it('count toward maximum errors', async () => {
    const bad = say('', { invalidToolCalls: [{ raw: '{', message: 'not JSON' }] });
    const r = await converse(scripted('user', [say('hi')]), scripted('agent', [], { fallback: bad }), { maxErrors: 3 });
    expect(r.termination).toBe('too_many_errors');
    expect(r.errorCount).toBe(3);
  });
});

describe('premature stop flag', () => {
  const confirm = say('Shall I go ahead and change account A1 to premium?');
  it('is raised when the user says yes and stops before the agent acted', async () => {
    const user = scripted('user', [say('Upgrade A1 to premium'), say('Yes please. ###STOP###')]);
    const r = await converse(user, scripted('agent', [confirm]));
    expect(userTurns(r.turns)[1]!.flags).toContain('premature_stop');
  });

  it('is raised when the user said yes, the agent answered without acting, and the user stops', async () => {
    const user = scripted('user', [say('Upgrade A1'), say('Yes, go ahead.'), say('bye ###STOP###')]);
    const r = await converse(user, scripted('agent', [confirm, say('Great, anything else?')]));
    expect(userTurns(r.turns)[2]!.flags).toContain('premature_stop');
  });

  it('is not raised once the write has happened', async () => {
    const user = scripted('user', [say('Upgrade A1'), say('Yes, go ahead.'), say('thanks, bye ###STOP###')]);
    const agent = scripted('agent', [
      confirm,
      say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan: 'premium' } }] }),
      say('Done, you are on premium now.'),
    ]);
    const r = await converse(user, agent);
    expect(r.turns.flatMap((t) => t.toolCalls).some((c) => c.name === 'set_plan' && c.result.ok)).toBe(true);
    expect(userTurns(r.turns).at(-1)!.flags).not.toContain('premature_stop');
  });

  it('is not raised for a plain goodbye after an answer', async () => {
    const user = scripted('user', [say('What plan am I on? A1'), say('ok thanks, bye ###STOP###')]);
    const r = await converse(user, scripted('agent', [say('You are on basic.')]));
    expect(userTurns(r.turns)[1]!.flags).not.toContain('premature_stop');
  });
});

describe('streaming', () => {
  it('passes each seat\'s streamed text to onDelta with the seat that wrote it', async () => {
    const deltas: [string, string][] = [];
    const user = scripted('user', [
      (_v, ctx) => {
        ctx.onDelta?.('Hel');
        ctx.onDelta?.('lo');
        return say('Hello');
      },
      say('bye ###STOP###'),
    ]);
    const agent = scripted('agent', [
      (_v, ctx) => {
        ctx.onDelta?.('Hi!');
        return say('Hi!');
      },
    ]);
    await converse(user, agent, { onDelta: (role, text) => deltas.push([role, text]) });
    expect(deltas).toEqual([['user', 'Hel'], ['user', 'lo'], ['agent', 'Hi!']]);
  });
});
