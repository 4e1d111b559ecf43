import { describe, expect, it } from 'vitest';
import { EngineSeat, type EngineSeatSettings } from '../../../src/engine/seat.ts';
import { ScriptedEngine, type Script } from '../../../src/engine/scripted.ts';
import type { ChatRequest } from '../../../src/engine/types.ts';
import type { Persona, PersonaControl, ToolCall } from '../../../src/core/model/types.ts';
import {
  ControlState,
  describeTrigger,
  netChanges,
  recordControls,
  unreachableControls,
} from '../../../src/core/personas/controls.ts';
import { levelInstruction } from '../../../src/core/personas/traits.ts';
import type { SeatFactory } from '../../../src/core/simulation/llm-seat.ts';
import type { ViewMessage } from '../../../src/core/simulation/participant.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { createLlmUser, SPEAK_REQUEST } from '../../../src/core/users/llm-user.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';
import { converse, makePersona, makeScenario, say, scripted, userScript, userTurns } from '../fixtures.ts';

const settings: EngineSeatSettings = {
  engine: 'scripted',
  model: 'tiny-user',
  sampling: { temperature: 0.8, top_p: 0.9, max_tokens: 80, frequency_penalty: 0, presence_penalty: 0 },
  resetChatEachRequest: false,
  sharedEngine: false,
};

function seatOn(script: Script): { engine: ScriptedEngine; make: SeatFactory } {
  const engine = new ScriptedEngine(script);
  return { engine, make: (system) => new EngineSeat(engine, settings, 'user', 5, system) };
}

const withControls = (controls: PersonaControl[], traits: Partial<Persona['traits']> = {}): Persona => ({
  ...makePersona('dynamic', traits),
  controls,
});

const lastMessage = (q: ChatRequest) => q.messages[q.messages.length - 1]!.content;
const isThought = (q: ChatRequest) => q.responseFormat?.type === 'grammar';
const NOTE = '[Your character changes from this message on';

describe('ControlState', () => {
  it('fires each control once, in list order, when its trigger holds', () => {
    const state = new ControlState(
      withControls([
        { when: { type: 'turn', turn: 3 }, set: { patience: 2 } },
        { when: { type: 'unhelpful', count: 2 }, set: { emotion: 5, patience: 1 } },
        { when: { type: 'tool_error', count: 1 }, set: { emotion: 4 } },
      ]),
    );
    expect(state.step({ userTurn: 1, unhelpful: 1, toolErrors: 0 })).toEqual([]);
    const t3 = state.step({ userTurn: 3, unhelpful: 2, toolErrors: 0 });
    expect(t3.map((f) => f.index)).toEqual([0, 1]);
    expect(netChanges(t3)).toEqual([
      { trait: 'patience', from: 5, to: 1 },
      { trait: 'emotion', from: 1, to: 5 },
    ]);
    expect(state.traits.patience).toBe(1);
    // Already fired: nothing again, however long the triggers keep holding.
    expect(state.step({ userTurn: 4, unhelpful: 5, toolErrors: 0 })).toEqual([]);
    const err = state.step({ userTurn: 5, unhelpful: 5, toolErrors: 1 });
    expect(err[0]!.changes).toEqual([{ trait: 'emotion', from: 5, to: 4 }]);
  });

  it('records a flag per changed trait and the details, and nothing for a control that changes nothing', () => {
    const state = new ControlState(withControls([{ when: { type: 'turn', turn: 1 }, set: { patience: 5 }, note: 'same as before' }]));
    const fired = state.step({ userTurn: 1, unhelpful: 0, toolErrors: 0 });
    const rec = recordControls(fired);
    expect(rec.flags).toEqual([]);
    expect(rec.latent).toEqual({ personaControls: [{ control: 0, when: 'at user turn 1', changes: {}, note: 'same as before' }] });
    expect(describeTrigger({ type: 'unhelpful', count: 1 })).toBe('after 1 unhelpful agent turn');
    expect(describeTrigger({ type: 'tool_error', count: 3 })).toBe('after 3 tool errors');
  });

  it('names scheduled controls a run can never reach', () => {
    const p = withControls([
      { when: { type: 'turn', turn: 20 }, set: { patience: 1 } },
      { when: { type: 'turn', turn: 2 }, set: { patience: 1 } },
      { when: { type: 'unhelpful', count: 40 }, set: { patience: 1 } },
    ]);
    expect(unreachableControls(p, 40).map((u) => u.index)).toEqual([]);
    expect(unreachableControls(p, 38)).toEqual([{ index: 0, message: 'control 1 fires at user turn 20, which a run of 38 turns never reaches' }]);
  });
});

describe('dynamic controls in the LLM user simulator', () => {
  it('changes the prompt from the turn a scheduled control takes effect, and records it there', async () => {
    const { engine, make } = seatOn(userScript(['Hello, I need a plan change.', 'It is A1.', 'Premium.', 'Thanks ###STOP###']));
    const persona = withControls([{ when: { type: 'turn', turn: 2 }, set: { patience: 1, emotion: 5 }, note: 'late for a train' }]);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona }, make, { latentState: false });
    const agent = scripted('agent', [say('Which account?'), say('Which plan?'), say('Done.')]);
    const r = await converse(user, agent);
    // The spoken requests (each answer is rated first, in a request of its own).
    const [q1, q2, q3] = engine.requests.filter((q) => !isThought(q));
    // Turn 1: the persona as written; the system prompt never changes.
    expect(lastMessage(q1!)).not.toContain(NOTE);
    expect(q1!.messages[0]!.content).toContain(levelInstruction('patience', 5));
    // Turn 2: the note rides on this turn's request, with the new instructions.
    expect(lastMessage(q2!)).toContain(NOTE);
    expect(lastMessage(q2!)).toContain(levelInstruction('patience', 1));
    expect(lastMessage(q2!)).toContain(levelInstruction('emotion', 5));
    expect(q2!.messages[0]).toEqual(q1!.messages[0]);
    // Turn 3: no new note; the earlier one stays in the history the model sees.
    expect(lastMessage(q3!)).not.toContain(NOTE);
    expect(q3!.messages.filter((m) => m.content.includes(NOTE))).toHaveLength(1);

    const turns = userTurns(r.turns);
    expect(turns[0]!.flags.filter((f) => f.startsWith('persona_control'))).toEqual([]);
    expect(turns[1]!.flags).toEqual(expect.arrayContaining(['persona_control:patience=1', 'persona_control:emotion=5']));
    expect(turns[1]!.latent?.personaControls).toEqual([
      { control: 0, when: 'at user turn 2', changes: { patience: [5, 1], emotion: [1, 5] }, note: 'late for a train' },
    ]);
    expect(turns[2]!.flags.filter((f) => f.startsWith('persona_control'))).toEqual([]);
  });

  it('fires on the n-th agent turn the simulator rated unhelpful, after rating it, before speaking', async () => {
    const thoughts = [
      '{"progress": "start", "emotion": "calm", "beliefAboutAgent": "?"}',
      '{"progress": "stuck", "emotion": "annoyed", "beliefAboutAgent": "slow", "satisfaction": 2, "reason": "asked again"}',
      '{"progress": "ok", "emotion": "fine", "beliefAboutAgent": "ok", "satisfaction": 4, "reason": "fine"}',
      '{"progress": "stuck", "emotion": "angry", "beliefAboutAgent": "useless", "satisfaction": 1, "reason": "again"}',
    ];
    const speech = ['Hi, plan change please.', 'I said A1.', 'Premium.', 'Come on ###STOP###'];
    let s = 0;
    let t = 0;
    const { engine, make } = seatOn((q) => (isThought(q) ? thoughts[t++]! : speech[s++]!));
    const persona = withControls([{ when: { type: 'unhelpful', count: 2 }, set: { cooperativeness: 1 } }]);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona }, make);
    const agent = scripted('agent', [say('Hello?'), say('Which plan?'), say('Hello?')]);
    const r = await converse(user, agent);
    const spoken = engine.requests.filter((q) => !isThought(q));
    const thought = engine.requests.filter(isThought);
    // Ratings 2 (turn 2) and 1 (turn 4) are the unhelpful ones: the control fires on turn 4.
    expect(spoken.slice(0, 3).every((q) => !lastMessage(q).includes(NOTE))).toBe(true);
    expect(lastMessage(spoken[3]!)).toContain(NOTE);
    expect(lastMessage(spoken[3]!)).toContain(levelInstruction('cooperativeness', 1));
    expect(lastMessage(spoken[3]!).endsWith(SPEAK_REQUEST)).toBe(true);
    expect(lastMessage(thought[3]!)).not.toContain(NOTE);
    const turns = userTurns(r.turns);
    expect(turns.map((u) => u.flags.includes('persona_control:cooperativeness=1'))).toEqual([false, false, false, true]);
    expect(turns[3]!.latent).toMatchObject({ progress: 'stuck', personaControls: [{ when: 'after 2 unhelpful agent turns' }] });
  });

  it('fires on tool errors the user seat is shown', async () => {
    const { engine, make } = seatOn(userScript(['Hi.', 'Hm, OK.']));
    const persona = withControls([{ when: { type: 'tool_error', count: 1 }, set: { emotion: 4 } }]);
    const user = createLlmUser({ role: 'user', scenario: makeScenario(), persona }, make, { latentState: false });
    const failed: ToolCall = { id: 't1-0', name: 'get_account', arguments: {}, result: { ok: false, error: { name: 'DomainError', message: 'Account not found' } } };
    const ctx = (turnIndex: number) => ({ turnIndex, rng: mulberry32(1) });
    await user.nextMessage([], ctx(0));
    const view: ViewMessage[] = [
      { from: 'self', content: 'Hi.', turnIndex: 0 },
      { from: 'other', content: 'Something went wrong on my side.', toolCalls: [failed], turnIndex: 1 },
    ];
    const reply = await user.nextMessage(view, ctx(2));
    expect(lastMessage(engine.requests.filter((q) => !isThought(q))[1]!)).toContain(levelInstruction('emotion', 4));
    expect(reply.flags).toContain('persona_control:emotion=4');
  });
});

describe('dynamic controls in the agenda simulator', () => {
  /** An agent that never makes progress: the user eventually gives up. */
  const stonewall = () => scripted('agent', [], { fallback: say('Hmm, let me see.') });

  it('takes its parameters from the traits in force from the turn a control fires, and records it there', async () => {
    const scenario = makeScenario();
    const calm = await converse(createAgendaUser({ role: 'user', scenario, persona: makePersona('calm') }), stonewall(), { maxTurns: 80 });
    const persona = withControls([{ when: { type: 'turn', turn: 2 }, set: { patience: 1 } }]);
    const hurried = await converse(createAgendaUser({ role: 'user', scenario, persona }), stonewall(), { maxTurns: 80 });
    const calmTurns = userTurns(calm.turns);
    const hurriedTurns = userTurns(hurried.turns);
    // Patience 5 tolerates 12 turns without progress, patience 1 four.
    expect(calmTurns.at(-1)!.latent?.outcome).toBe('gave_up');
    expect(hurriedTurns.at(-1)!.latent?.outcome).toBe('gave_up');
    expect(hurriedTurns.length).toBeLessThan(calmTurns.length - 5);
    expect(hurriedTurns[0]!.flags).toEqual([]);
    expect(hurriedTurns[1]!.flags).toEqual(['persona_control:patience=1']);
    expect(hurriedTurns[1]!.latent?.personaControls).toEqual([{ control: 0, when: 'at user turn 2', changes: { patience: [5, 1] } }]);
    expect(hurriedTurns.slice(2).every((t) => t.flags.length === 0)).toBe(true);
  });

  it('fires on its own satisfaction ratings: the first agent turn rated 2 or lower', async () => {
    const persona = withControls([{ when: { type: 'unhelpful', count: 1 }, set: { formality: 5 } }], { emotion: 5, formality: 1 });
    const r = await converse(createAgendaUser({ role: 'user', scenario: makeScenario(), persona }), stonewall(), { maxTurns: 12 });
    const turns = userTurns(r.turns);
    const at = turns.findIndex((t) => t.flags.includes('persona_control:formality=5'));
    expect(at).toBeGreaterThan(0);
    expect(turns[at]!.satisfaction).toBeLessThanOrEqual(2);
    expect(turns.slice(0, at).every((t) => t.satisfaction === undefined || t.satisfaction > 2)).toBe(true);
  });
});
