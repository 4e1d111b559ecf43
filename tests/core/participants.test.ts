import { describe, expect, it } from 'vitest';
import { AGENT_SEATS, seatConfig, toggleValue, userSeat } from '../../src/core/participants.ts';
import { EngineSeat } from '../../src/engine/seat.ts';
import { ScriptedEngine } from '../../src/engine/scripted.ts';
import type { JsonObject } from '../../src/core/model/types.ts';
import { makePersona, makeScenario, scriptedSeatSettings } from './fixtures.ts';

describe('seat settings', () => {
  it('stores every toggle of the LLM user simulator, its default when not chosen', () => {
    const llm = userSeat('llm');
    expect(llm.toggles?.map((t) => [t.key, t.label, t.default])).toEqual([['latentState', 'Simulator writes its inner state before each reply', true]]);
    expect(seatConfig(llm).settings).toEqual({ latentState: true });
    expect(seatConfig(llm, { latentState: false }).settings).toEqual({ latentState: false });
    expect(seatConfig(userSeat('agenda')).settings).toEqual({});
    expect(seatConfig(AGENT_SEATS[0]!).settings).toEqual({});
  });

  it('refuses a setting the seat does not have, or one that is not true or false, naming it', () => {
    expect(() => seatConfig(userSeat('agenda'), { latentState: false })).toThrow('The Agenda-based simulator has no setting "latentState".');
    expect(() => seatConfig(userSeat('llm'), { latent: true })).toThrow('has no setting "latent". Known: latentState.');
    expect(() => seatConfig(userSeat('llm'), { latentState: 'no' as unknown as boolean })).toThrow(
      'The LLM user simulator\'s setting "latentState" must be true or false, not "no".',
    );
    expect(() => toggleValue(userSeat('llm'), 'latentState', { latentState: 1 })).toThrow('must be true or false, not 1');
    expect(toggleValue(userSeat('llm'), 'latentState', {})).toBe(true);
  });

  it.each([
    [{ latentState: true }, 'grammar'],
    [{ latentState: false }, undefined],
    [{}, 'grammar'],
  ] as [JsonObject, string | undefined][])('passes the stored settings %j to the LLM user simulator', async (settings, firstFormat) => {
    const engine = new ScriptedEngine((q) => (q.responseFormat ? '{"progress": "a", "emotion": "b", "beliefAboutAgent": "c"}' : 'Hello.'));
    const seats: string[] = [];
    const user = userSeat('llm').create(
      { role: 'user', scenario: makeScenario(), persona: makePersona(), seed: 4 },
      {
        makeSeat: (role, seed) => {
          seats.push(`${role}:${seed}`);
          return (system) => new EngineSeat(engine, scriptedSeatSettings('u'), role, seed, system);
        },
      },
      settings,
    );
    const reply = await user.nextMessage([], { turnIndex: 0, rng: () => 0.5 });
    expect(seats).toEqual(['user:4']);
    expect(engine.requests[0]!.responseFormat?.type).toBe(firstFormat);
    expect(reply.content).toBe('Hello.');
    expect(reply.latent === undefined).toBe(firstFormat === undefined);
  });
});
