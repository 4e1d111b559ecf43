import { describe, expect, it } from 'vitest';
import type { DialogueAct, Persona, Scenario, Turn } from '../../../src/core/model/types.ts';
import { agendaParamsFromTraits, createAgendaUser } from '../../../src/core/users/agenda.ts';
import { evaluateSession } from '../../../src/core/scenarios/evaluator.ts';
import { createRefuseAllAgent } from '../../../src/core/agents/refuse-all.ts';
import {
  ACME_DOMAIN,
  converse,
  makePersona,
  makeScenario,
  PERSONAS,
  say,
  scenarioWith,
  scripted,
  userTurns,
  type ScriptStep,
} from '../fixtures.ts';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

function agendaUser(persona: Persona = PERSONAS.baseline, scenario: Scenario = makeScenario()) {
  return createAgendaUser({ role: 'user', scenario, persona });
}

const ask = (slot: string, text: string) => say(text, { acts: [{ act: 'request', slot }] });
const confirm = (summary: string) =>
  say(`Shall I ${summary}?`, { acts: [{ act: 'confirm', slot: 'set_plan', value: summary }] });
const reqmore = say('Is there anything else I can help with?', { acts: [{ act: 'reqmore' }] });
const setPlan = (plan: string) =>
  say('', { toolCalls: [{ name: 'set_plan', arguments: { account_id: 'A1', plan } }] });

/** A cooperative agent: asks for both slots, confirms the right values, acts, reports done. */
function cooperativeAgent(): ScriptStep[] {
  return [
    ask('account_id', 'What is your account id?'),
    ask('plan', 'Which plan would you like?'),
    confirm('switch account A1 to the premium plan'),
    setPlan('premium'),
    say('Done: account A1 is now on the premium plan.', { acts: [{ act: 'done', slot: 'set_plan' }] }),
  ];
}

const actsOf = (turns: readonly Turn[]): DialogueAct[] => userTurns(turns).flatMap((t) => t.acts ?? []);
const lastUser = (turns: readonly Turn[]) => userTurns(turns).at(-1)!;

describe('agenda user: reaching the goal', () => {
  it.each(SEEDS.slice(0, 5))('stops with goal_met once a cooperative agent reports done (seed %i)', async (seed) => {
    const scenario = makeScenario();
    const agent = scripted('agent', cooperativeAgent(), { fallback: reqmore });
    const r = await converse(agendaUser(PERSONAS.baseline, scenario), agent, { seed, scenario });
    expect(r.termination).toBe('user_stop');
    const last = lastUser(r.turns);
    expect(last.control).toBe('stop');
    expect(last.latent).toMatchObject({ outcome: 'goal_met', requests: ['done'] });
    expect(last.acts?.some((a) => a.act === 'bye')).toBe(true);
    // It does not stop before the agent said it was done.
    const doneAt = r.turns.findIndex((t) => t.acts?.some((a) => a.act === 'done'));
    expect(userTurns(r.turns).filter((t) => t.control === 'stop').every((t) => t.index > doneAt)).toBe(true);
    // And the conversation did the job.
    expect(evaluateSession(scenario, ACME_DOMAIN, r).reward).toBe(1);
  });

  it('answers requested slots with the values from knownInfo', async () => {
    const agent = scripted('agent', cooperativeAgent(), { fallback: reqmore });
    const r = await converse(agendaUser(PERSONAS.terse), agent, { seed: 3 });
    const informs = actsOf(r.turns).filter((a) => a.act === 'inform');
    expect(informs.length).toBeGreaterThan(0);
    for (const a of informs) expect(a.value).toBe(makeScenario().user.knownInfo[a.slot!]);
  });

  it('never informs the same slot twice in one message', async () => {
    // The baseline user volunteers its account id; when the agent asks for it before the
    // volunteered act was said, the answer and the volunteered act must not both be said.
    for (const seed of SEEDS) {
      const agent = scripted('agent', cooperativeAgent(), { fallback: reqmore });
      const r = await converse(agendaUser(), agent, { seed });
      for (const t of userTurns(r.turns)) {
        const slots = (t.acts ?? []).filter((a) => a.act === 'inform').map((a) => a.slot);
        expect(new Set(slots).size, `seed ${seed}, turn ${t.index}: "${t.content}"`).toBe(slots.length);
      }
    }
  });
});

describe('agenda user: corrections and unknowns', () => {
  const wrongThenRight = (): ScriptStep[] => [
    ask('account_id', 'What is your account id?'),
    confirm('switch account A1 to the basic plan'),
    confirm('switch account A1 to the premium plan'),
    setPlan('premium'),
    say('All done.', { acts: [{ act: 'done', slot: 'set_plan' }] }),
  ];

  it('negates a confirmation with a wrong value and never affirms it', async () => {
    for (const seed of SEEDS) {
      const agent = scripted('agent', wrongThenRight(), { fallback: reqmore });
      const r = await converse(agendaUser(), agent, { seed });
      const wrongAt = r.turns.findIndex((t) => t.content.includes('basic plan'));
      const reply = r.turns[wrongAt + 1]!;
      expect(reply.role).toBe('user');
      expect(reply.acts?.[0]).toEqual({ act: 'negate' });
      expect(reply.acts?.some((a) => a.act === 'affirm')).toBe(false);
      // The right confirmation is affirmed.
      const rightAt = r.turns.findIndex((t) => t.content.includes('premium plan?'));
      expect(r.turns[rightAt + 1]!.acts?.[0]).toEqual({ act: 'affirm' });
      // No user act ever claims the wrong value.
      expect(actsOf(r.turns).some((a) => a.value === 'basic')).toBe(false);
    }
  });

  it('corrects a wrong confirmation with the right value in the same message', async () => {
    for (const seed of SEEDS) {
      const agent = scripted('agent', wrongThenRight(), { fallback: reqmore });
      const r = await converse(agendaUser(), agent, { seed });
      const wrongAt = r.turns.findIndex((t) => t.content.includes('basic plan'));
      const reply = r.turns[wrongAt + 1]!;
      expect(reply.acts?.[0]).toEqual({ act: 'negate' });
      expect(reply.acts, `seed ${seed}: "${reply.content}"`).toContainEqual({ act: 'inform', slot: 'plan', value: 'premium' });
      expect(reply.content).toContain('premium');
    }
  });

  it('corrects a fact the agent states wrongly', async () => {
    const agent = scripted('agent', [
      say('I have your email as ana@exmaple.org.', { acts: [{ act: 'inform', slot: 'email', value: 'ana@exmaple.org' }] }),
    ], { fallback: reqmore });
    const user = agendaUser(PERSONAS.terse);
    const r = await converse(user, agent, { seed: 5, maxTurns: 6 });
    const acts = actsOf(r.turns.slice(2));
    expect(acts[0]).toEqual({ act: 'negate' });
    expect(acts).toContainEqual({ act: 'inform', slot: 'email', value: 'ana@example.org' });
  });

  it('says it does not know a slot missing from knownInfo, and never invents one', async () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const agent = scripted('agent', [
        ask('zip', 'What is your zip code?'),
        ask('date_of_birth', 'And your date of birth?'),
      ], { fallback: reqmore });
      const r = await converse(agendaUser(), agent, { seed, maxTurns: 8 });
      const acts = actsOf(r.turns);
      expect(acts).toContainEqual({ act: 'dont_know', slot: 'zip' });
      expect(acts).toContainEqual({ act: 'dont_know', slot: 'date_of_birth' });
      expect(acts.some((a) => a.act !== 'dont_know' && (a.slot === 'zip' || a.slot === 'date_of_birth'))).toBe(false);
      expect(userTurns(r.turns).some((t) => /\d{5}/.test(t.content))).toBe(false);
    }
  });
});

describe('agenda user: persona effects', () => {
  /** An agent that never moves the task forward. */
  const stalling = () => scripted('agent', [], { fallback: say('Please hold on a moment.') });

  it('an impatient user gives up on a stalling agent sooner than a patient one', async () => {
    const patient = await converse(agendaUser(PERSONAS.baseline), stalling(), { seed: 1, maxTurns: 200 });
    const impatient = await converse(agendaUser(PERSONAS.impatient), stalling(), { seed: 1, maxTurns: 200 });
    for (const r of [patient, impatient]) {
      expect(r.termination).toBe('user_stop');
      expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'gave_up' });
      expect(lastUser(r.turns).acts).toContainEqual({ act: 'bye', value: 'gave_up' });
    }
    expect(impatient.turns.length).toBeLessThan(patient.turns.length);
    // Patience is in agent turns without progress: one more user message than that.
    expect(userTurns(impatient.turns)).toHaveLength(agendaParamsFromTraits(PERSONAS.impatient.traits).patienceTurns + 1);
    expect(userTurns(patient.turns)).toHaveLength(agendaParamsFromTraits(PERSONAS.baseline.traits).patienceTurns + 1);
  });

  it('grows less satisfied while the agent stalls', async () => {
    const r = await converse(agendaUser(makePersona('upset', { emotion: 5 })), stalling(), { seed: 2, maxTurns: 200 });
    const sat = userTurns(r.turns).flatMap((t) => (t.satisfaction === undefined ? [] : [t.satisfaction]));
    expect(sat.length).toBeGreaterThan(2);
    expect(sat.at(-1)!).toBeLessThan(sat[0]!);
    expect(sat.every((s) => s >= 1 && s <= 5)).toBe(true);
  });

  it('a reluctant user deflects a request for details at least sometimes; a cooperative one never', async () => {
    const deflections = async (persona: Persona) => {
      let n = 0;
      for (const seed of SEEDS) {
        const agent = scripted('agent', [ask('account_id', 'What is your account id?'), ask('account_id', 'I need your account id, please?')], {
          fallback: reqmore,
        });
        const r = await converse(agendaUser(persona), agent, { seed, maxTurns: 5 });
        const acts = actsOf(r.turns);
        if (acts.some((a) => a.act === 'deflect' && a.slot === 'account_id')) {
          n++;
          // Asked again, it answers: a slot is deflected once at most.
          expect(acts.filter((a) => a.act === 'deflect')).toHaveLength(1);
          expect(acts).toContainEqual({ act: 'inform', slot: 'account_id', value: 'A1' });
        }
      }
      return n;
    };
    expect(await deflections(PERSONAS.reluctant)).toBeGreaterThan(0);
    expect(await deflections(PERSONAS.baseline)).toBe(0);
  });

  it('a terse user says one act per message (a greeting aside); a verbose one sometimes more', async () => {
    const counts = async (persona: Persona) => {
      const out: number[] = [];
      for (const seed of SEEDS.slice(0, 4)) {
        const agent = scripted('agent', cooperativeAgent(), { fallback: reqmore });
        const r = await converse(agendaUser(persona), agent, { seed });
        out.push(...userTurns(r.turns).map((t) => (t.acts ?? []).filter((a) => a.act !== 'greet').length));
      }
      return out;
    };
    const terse = await counts(PERSONAS.terse);
    expect(terse.every((n) => n === 1)).toBe(true);
    expect(Math.max(...(await counts(PERSONAS.verbose)))).toBeGreaterThan(1);
  });

  it.each([
    ['vague', PERSONAS.vague],
    ['vague and verbose', makePersona('vague-verbose', { clarity: 1, verbosity: 5 })],
  ])('a %s user opens vaguely and says what they want only on a later turn', async (_label, persona) => {
    for (const seed of SEEDS) {
      const user = agendaUser(persona);
      const agent = scripted('agent', [say('How can I help you today?', { acts: [{ act: 'request', slot: 'intent' }] })], {
        fallback: reqmore,
      });
      const r = await converse(user, agent, { seed, maxTurns: 3 });
      const first = r.turns[0]!;
      expect(first.acts?.some((a) => a.act === 'want' && a.slot === '0'), `seed ${seed}: "${first.content}"`).toBe(false);
      expect(r.turns[2]!.acts?.some((a) => a.act === 'want' && a.slot === '0')).toBe(true);
    }
  });

  it('a clear user states the request in the opening message or right after the greeting', async () => {
    const agent = scripted('agent', [say('Hello!')], { fallback: reqmore });
    const r = await converse(agendaUser(PERSONAS.baseline), agent, { seed: 1, maxTurns: 3 });
    const firstTwo = actsOf(r.turns);
    expect(firstTwo).toContainEqual({ act: 'want', slot: '0', value: 'switch my plan to premium' });
  });
});

describe('agenda user: refusals', () => {
  const refuse = say('I am sorry, plan changes are not allowed on this account.', {
    acts: [{ act: 'refuse', slot: 'set_plan', value: 'not allowed' }],
  });

  it('accepts a refusal and leaves when the goal allows it', async () => {
    const scenario = scenarioWith((s) => (s.user.goal.acceptsRefusal = true));
    const agent = scripted('agent', [ask('account_id', 'Account id?'), refuse], { fallback: reqmore });
    const r = await converse(agendaUser(PERSONAS.baseline, scenario), agent, { seed: 4, scenario });
    expect(r.termination).toBe('user_stop');
    expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'refused_accepted', requests: ['refused'] });
    expect(actsOf(r.turns).some((a) => a.act === 'complain')).toBe(false);
  });

  it('pushes back once, then gives up, when the goal does not accept refusals', async () => {
    const agent = scripted('agent', [ask('account_id', 'Account id?'), refuse, refuse], { fallback: reqmore });
    const r = await converse(agendaUser(), agent, { seed: 4 });
    expect(r.termination).toBe('user_stop');
    const refusals = r.turns.filter((t) => t.acts?.some((a) => a.act === 'refuse'));
    expect(refusals).toHaveLength(2);
    const afterFirst = r.turns[refusals[0]!.index + 1]!;
    expect(afterFirst.acts?.[0]).toEqual({ act: 'complain', value: 'refused' });
    expect(afterFirst.control).toBeUndefined();
    expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'gave_up' });
    expect(lastUser(r.turns).index).toBeGreaterThan(refusals[1]!.index);
  });
});

describe('agenda user: a refusal must be earned', () => {
  /** A goal that accepts a refusal, with the reason it must give when `says` is set. */
  const refusable = (says?: string[]) =>
    scenarioWith((s) => {
      s.user.goal.acceptsRefusal = true;
      if (says) s.user.goal.refusalReason = { says };
    });
  const frozen = ['frozen contract'];
  const accepted = (turns: readonly Turn[]) => userTurns(turns).some((t) => t.latent?.['outcome'] === 'refused_accepted');

  it('does not accept "I cannot identify you" as the refusal the task expects: it pushes back, says its request again, and gives up with a stop', async () => {
    const agent = scripted('agent', [ask('account_id', 'Account id?')], { fallback: say("I'm sorry, I cannot identify you.") });
    const r = await converse(agendaUser(PERSONAS.baseline, refusable(frozen)), agent, { seed: 3, scenario: refusable(frozen), maxTurns: 60 });
    expect(r.termination).toBe('user_stop');
    expect(accepted(r.turns)).toBe(false);
    expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'gave_up' });
    const acts = actsOf(r.turns);
    expect(acts).toContainEqual({ act: 'complain', value: 'refused' });
    expect(acts).toContainEqual({ act: 'want', slot: 'instead', value: 'switch my plan to premium' });
  });

  it('does not take other inabilities for a refusal either, even where the goal names no reason', async () => {
    for (const text of ["I couldn't get your user id.", "I can't locate that account.", 'I could not find an account with those details.']) {
      const agent = scripted('agent', [], { fallback: say(text) });
      const r = await converse(agendaUser(PERSONAS.baseline, refusable()), agent, { seed: 5, scenario: refusable(), maxTurns: 60 });
      expect(accepted(r.turns), text).toBe(false);
      expect(lastUser(r.turns).latent, text).toMatchObject({ outcome: 'gave_up' });
    }
  });

  it("does not accept the do-nothing agent's bare refusal, with or without a named reason, and runs out of patience", async () => {
    for (const scenario of [refusable(frozen), refusable()]) {
      const r = await converse(agendaUser(PERSONAS.baseline, scenario), createRefuseAllAgent(), { seed: 7, scenario, maxTurns: 60 });
      expect(r.termination).toBe('user_stop');
      expect(accepted(r.turns)).toBe(false);
      expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'gave_up', requests: ['stated'] });
      // The baseline persona's patience (5) bears twelve turns without progress.
      expect(userTurns(r.turns).length).toBeGreaterThanOrEqual(agendaParamsFromTraits(PERSONAS.baseline.traits).patienceTurns);
    }
  });

  it('accepts the refusal that gives the named reason, in any case and spacing', async () => {
    const agent = scripted('agent', [ask('account_id', 'Account id?'), say('Unfortunately I cannot change the plan: account A1 is on a Frozen-Contract until March.')], { fallback: reqmore });
    const r = await converse(agendaUser(PERSONAS.baseline, refusable(frozen)), agent, { seed: 4, scenario: refusable(frozen) });
    expect(r.termination).toBe('user_stop');
    expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'refused_accepted', requests: ['refused'] });
    expect(actsOf(r.turns).some((a) => a.act === 'complain')).toBe(false);
  });

  it('does not accept a refusal that gives another reason than the one the task names', async () => {
    const agent = scripted('agent', [ask('account_id', 'Account id?')], { fallback: say('I cannot change the plan because plan changes are closed on weekends.') });
    const r = await converse(agendaUser(PERSONAS.baseline, refusable(frozen)), agent, { seed: 4, scenario: refusable(frozen), maxTurns: 60 });
    expect(accepted(r.turns)).toBe(false);
    expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'gave_up' });
  });

  it('a goal that names no reason accepts a refusal that gives one, never a bare one', async () => {
    const reasoned = scripted('agent', [ask('account_id', 'Account id?'), say("I'm sorry, I can't switch it, because account A1 is on a frozen contract.")], { fallback: reqmore });
    const r = await converse(agendaUser(PERSONAS.baseline, refusable()), reasoned, { seed: 4, scenario: refusable() });
    expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'refused_accepted' });
    for (const bare of ["I'm sorry, I can't help with that.", 'Unfortunately that is not possible under our policy.', "I'm afraid I'm not able to do that."]) {
      const agent = scripted('agent', [ask('account_id', 'Account id?')], { fallback: say(bare) });
      const b = await converse(agendaUser(PERSONAS.baseline, refusable()), agent, { seed: 4, scenario: refusable(), maxTurns: 60 });
      expect(accepted(b.turns), bare).toBe(false);
      expect(lastUser(b.turns).latent, bare).toMatchObject({ outcome: 'gave_up' });
    }
  });

  it('a refusal act from an agent that sends acts is judged by its words too', async () => {
    const bare = say("Sorry, I can't do that.", { acts: [{ act: 'refuse', slot: 'set_plan', value: "Sorry, I can't do that." }] });
    const agent = scripted('agent', [ask('account_id', 'Account id?')], { fallback: bare });
    const r = await converse(agendaUser(PERSONAS.baseline, refusable(frozen)), agent, { seed: 2, scenario: refusable(frozen), maxTurns: 60 });
    expect(accepted(r.turns)).toBe(false);
  });
});

describe('agenda user: determinism and text-only agents', () => {
  const transcript = async (seed: number, persona: Persona = makePersona('noisy', { noise: 4, drift: 4, formality: 1 })) => {
    const agent = scripted('agent', cooperativeAgent(), { fallback: reqmore });
    const r = await converse(agendaUser(persona), agent, { seed });
    return userTurns(r.turns).map((t) => t.content);
  };

  it('gives the same messages for the same seed, and different ones across seeds', async () => {
    const a = await transcript(11);
    expect(a.length).toBeGreaterThan(2);
    expect(await transcript(11)).toEqual(a);
    const all = await Promise.all([11, 12, 13, 14].map((s) => transcript(s)));
    expect(new Set(all.map((t) => JSON.stringify(t))).size).toBeGreaterThan(1);
  });

  it('works end to end with an agent that sends text only', async () => {
    const scenario = makeScenario();
    for (const seed of SEEDS.slice(0, 5)) {
      const agent = scripted('agent', [
        say('Could you tell me your account id?'),
        say('Which plan would you like?'),
        say('Shall I switch account A1 to the premium plan?'),
        setPlan('premium'),
        say('Your plan has been changed to premium.'),
      ], { fallback: say('Is there anything else I can help with?') });
      const r = await converse(agendaUser(PERSONAS.baseline, scenario), agent, { seed, scenario });
      expect(r.termination).toBe('user_stop');
      expect(lastUser(r.turns).latent).toMatchObject({ outcome: 'goal_met' });
      const acts = actsOf(r.turns);
      expect(acts).toContainEqual({ act: 'affirm' });
      expect(acts.some((a) => a.act === 'complain')).toBe(false);
      expect(r.finalDb).toMatchObject({ accounts: { A1: { plan: 'premium' } } });
    }
  });
});
