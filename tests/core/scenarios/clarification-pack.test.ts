/**
 * The clarification pack (public/packs/clarification.json), a pharmacy refill line where
 * some requests are under-specified on purpose and others are complete. Generic per-task
 * checks live in all-packs.test.ts; here: the file is what its generator writes, the records
 * hang together, the declarative tools enforce the refill rules with clear domain errors, the
 * structured `clarification` field agrees with each task's purpose and judged assertion, the
 * opening request of a task that needs asking does not give the answer away, a guess is a
 * valid action that scores 0, and the agenda user answers a clarifying question from its
 * hidden facts (and the question is counted as one).
 */
import { describe, expect, it } from 'vitest';
import type { GoldAction, JsonObject, Scenario } from '../../../src/core/model/types.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { evaluateSession, readPath, replayGold } from '../../../src/core/scenarios/evaluator.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { buildClarificationPack } from '../../../scripts/gen-packs/clarification.ts';
import { clarificationVerdict, countClarifyingQuestions } from '../../../src/core/metrics/clarification.ts';
import { error, expectDeclarativePack, loadPack, userWaitsFor, value, waitedFor, type Obj } from './pack-fixture.ts';
import { converse, makePersona, say, scripted, type ScriptStep } from '../fixtures.ts';

const { pack, scenarios, scenario, table, env } = loadPack('clarification');

const TODAY = String((pack.db['meta'] as Obj)['today']);

const isWrite = (s: Scenario, a: GoldAction) => s.agent.tools.find((t) => t.name === a.name)?.kind === 'write';
/** The questions a task needs beyond identification, from its structured field. */
const questionsOf = (s: Scenario) => s.clarification!.questions;

describe('clarification pack: file', () => {
  it('is exactly what scripts/gen-packs/clarification.ts generates', () => {
    expect(pack).toEqual(JSON.parse(JSON.stringify(buildClarificationPack())));
  });

  it('is fully declarative and validates without any domain code', () => {
    expectDeclarativePack(pack, 'clarification');
  });

  it('hands clinical questions to a pharmacist with a transfer tool', () => {
    const e = env();
    expect(e.isTransfer('transfer_to_pharmacist')).toBe(true);
    expect(e.isTransfer('request_refill_pickup')).toBe(false);
    expect(value(e.call('transfer_to_pharmacist', { summary: 'Asks about a double dose.' }))).toMatch(/Transfer successful/);
  });

  it("states today's date, the same as the database's, and the rule against guessing", () => {
    expect(pack.policy).toContain(`Today's date is ${TODAY}`);
    expect(pack.policy).toMatch(/Never guess/);
    expect(pack.policy).toMatch(/Do not ask for anything the caller has already said/);
  });
});

describe('clarification pack: database', () => {
  const patients = table('patients');
  const rxs = table('prescriptions');

  it('has dozens of patients and a hundred prescriptions', () => {
    expect(Object.keys(patients).length).toBeGreaterThanOrEqual(50);
    expect(Object.keys(rxs).length).toBeGreaterThanOrEqual(100);
  });

  it('has consistent references and refill states', () => {
    for (const [id, p] of Object.entries(patients)) {
      expect(p['id']).toBe(id);
      if (p['default_store'] !== null) expect(table('stores')[String(p['default_store'])], id).toBeDefined();
      for (const other of p['can_order_for'] as string[]) expect(patients[other], `${id} orders for ${other}`).toBeDefined();
      expect(p['delivery_eligible']).toBe(p['city'] !== 'Ashby');
    }
    for (const [id, r] of Object.entries(rxs)) {
      expect(r['id']).toBe(id);
      expect(patients[String(r['patient_id'])], id).toBeDefined();
      expect(table('prescribers')[String(r['prescriber_id'])], id).toBeDefined();
      const status = r['refill_status'];
      if (status === 'eligible') expect(Number(r['refills_remaining']), id).toBeGreaterThan(0);
      if (status === 'too_soon') expect(String(r['eligible_from']) > TODAY, id).toBe(true);
      if (status === 'no_refills' || status === 'expired') expect(r['refills_remaining'], id).toBe(0);
    }
    for (const [key, f] of Object.entries(table('open_refills'))) {
      expect(f['rx_id']).toBe(key);
      expect(rxs[key]!['patient_id']).toBe(f['patient_id']);
      expect(rxs[key]!['refill_status'], key).toBe('eligible');
      if (f['method'] === 'pickup') expect(table('stores')[String(f['store_id'])], key).toBeDefined();
    }
  });

  it('has the look-alikes the tasks are about', () => {
    const stores = Object.values(table('stores'));
    expect(stores.filter((s) => s['name'] === 'Main Street').map((s) => s['city'])).toEqual(['Riverton', 'Fairview']);
    expect(stores.filter((s) => s['district'] === 'Downtown')).toHaveLength(2);
    expect(Object.values(patients).filter((p) => p['name'] === 'Linda Park')).toHaveLength(2);
  });
});

describe('clarification pack: tools', () => {
  it('identifies a patient only by name and date of birth together', () => {
    const e = env();
    expect(value(e.call('find_patient', { name: 'linda park', date_of_birth: '1984-01-30' }))['id']).toBe('PT-1020');
    expect(value(e.call('find_patient', { name: 'Linda Park', date_of_birth: '1961-07-23' }))['id']).toBe('PT-1001');
    expect(error(e.call('find_patient', { name: 'Linda Park', date_of_birth: '1961-07-24' }))).toBe('No patient named Linda Park born 1961-07-24.');
  });

  it('queues a pickup refill built only from the records', () => {
    const e = env();
    expect(value(e.call('request_refill_pickup', { rx_id: 'rx-4410022', store_id: 's101' }))).toMatchObject({
      rx_id: 'RX-4410022',
      drug: 'amlodipine 5 mg',
      patient: 'Linda Park',
      pickup_at: 'Elm Street, 212 Elm Street, Riverton',
    });
    expect(readPath(e.snapshot(), 'open_refills.RX-4410022')).toEqual({
      rx_id: 'RX-4410022',
      patient_id: 'PT-1001',
      drug: 'amlodipine 5 mg',
      method: 'pickup',
      store_id: 'S101',
      deliver_to: null,
      status: 'queued',
      requested_on: TODAY,
    });
    expect(error(e.call('request_refill_pickup', { rx_id: 'RX-4410022', store_id: 'S102' }))).toBe('A refill of amlodipine 5 mg (RX-4410022) is already queued.');
  });

  it('refuses refills the rules forbid, with the reason and what to offer', () => {
    const e = env();
    expect(error(e.call('request_refill_pickup', { rx_id: 'RX-1', store_id: 'S101' }))).toBe('Prescription not found: RX-1.');
    expect(error(e.call('request_refill_pickup', { rx_id: 'RX-4410021', store_id: 'S999' }))).toMatch(/^Store not found: S999\./);
    expect(error(e.call('request_refill_pickup', { rx_id: 'RX-4550163', store_id: 'S102' }))).toBe(
      'Too soon to refill zolpidem 5 mg (RX-4550163): it can be refilled from 2027-04-20.',
    );
    expect(error(e.call('request_refill_pickup', { rx_id: 'RX-4510121', store_id: 'S101' }))).toMatch(/^No refills left on RX-4510121 .*renewal/);
    expect(error(e.call('request_refill_delivery', { rx_id: 'RX-4440051' }))).toMatch(/Owen Fletcher's address in Ashby is outside the delivery area/);
    expect(error(e.call('request_refill_delivery', { rx_id: 'RX-4500113' }))).toBe('zolpidem is a controlled medicine: it must be picked up in person.');
  });

  it('cancels or moves only queued refills', () => {
    const e = env();
    expect(error(e.call('cancel_refill', { rx_id: 'RX-4500111' }))).toMatch(/already ready: it can no longer be cancelled/);
    expect(error(e.call('cancel_refill', { rx_id: 'RX-4410022' }))).toBe('No open refill for prescription RX-4410022.');
    value(e.call('cancel_refill', { rx_id: 'RX-4470082' }));
    expect(readPath(e.snapshot(), 'open_refills.RX-4470082')).toBeUndefined();
    expect(readPath(e.snapshot(), 'open_refills.RX-4470081.status')).toBe('queued');
    value(e.call('request_refill_delivery', { rx_id: 'RX-4530141' }));
    expect(error(e.call('change_refill_store', { rx_id: 'RX-4530141', store_id: 'S104' }))).toBe('The refill of atorvastatin 10 mg is a delivery, not a pickup.');
    expect(value(e.call('change_refill_store', { rx_id: 'RX-4520131', store_id: 'S105' }))['pickup_at']).toBe('Market Square, 301 Market Square, Riverton');
  });

  it('sends a renewal only when no refill is possible, once', () => {
    const e = env();
    expect(error(e.call('request_renewal', { rx_id: 'RX-4410022' }))).toMatch(/can still be refilled/);
    expect(value(e.call('request_renewal', { rx_id: 'RX-4510121' }))).toMatchObject({ prescriber: 'Dr. Anita Shah' });
    expect(error(e.call('request_renewal', { rx_id: 'RX-4510121' }))).toBe(`A renewal of RX-4510121 was already sent on ${TODAY}.`);
  });
});

describe('clarification pack: tasks', () => {
  it('gives every task a clarification field that agrees with its purpose and judged assertion', () => {
    const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const s of scenarios) {
      const c = s.clarification;
      expect(c, s.id).toBeDefined();
      expect(c!.needed, s.id).toBe(c!.questions > 0);
      expect(c!.about, s.id).toHaveLength(c!.questions);
      // The purpose says the same in words: "Clarification needed: yes (2 questions: a; b)."
      const stated = /^Clarification needed: (yes|no) \((\d+) questions?(?:: (.*?))?(?:\)\.| beyond identification)/.exec(s.purpose);
      expect(stated, s.id).not.toBeNull();
      expect(stated![1], s.id).toBe(c!.needed ? 'yes' : 'no');
      expect(Number(stated![2]), s.id).toBe(c!.questions);
      if (c!.needed) expect(stated![3], s.id).toBe(c!.about.join('; '));
      expect(s.evaluation.nlAssertions[0], s.id).toMatch(
        c!.needed ? new RegExp(`asks the caller ${escape(c!.about.join(' and '))} instead of guessing`) : /asks no clarifying question/,
      );
    }
  });

  it('keeps titles plain: the field, not a tag in the text, says what to ask', () => {
    for (const s of scenarios) expect(s.title, s.id).not.toMatch(/\[clarify/);
    expect(pack.description).toContain(`${scenarios.filter((s) => s.clarification!.needed).length} needing clarification`);
  });

  it('mixes tasks that need asking with tasks that do not, at every difficulty', () => {
    const counts = scenarios.map(questionsOf);
    expect(pack.tasks.length).toBeGreaterThanOrEqual(12);
    expect(counts.filter((n) => n === 0).length).toBeGreaterThanOrEqual(5);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
    expect(counts.some((n) => n >= 2)).toBe(true);
    for (const d of ['easy', 'medium', 'hard']) expect(pack.tasks.some((t) => t.difficulty === d), d).toBe(true);
  });

  it('opens every task with the caller identified, and hides the answer only where asking is needed', () => {
    for (const s of scenarios) {
      const first = s.user.goal.requests[0]!;
      const said = first.utterance.toLowerCase();
      expect(said, s.id).toContain(s.user.knownInfo['name']!.toLowerCase());
      expect(said, s.id).toContain(s.user.knownInfo['date_of_birth']!);
      if (first.type !== 'action') continue;
      // The facts the agent's confirmation must state: slots of knownInfo, or literals.
      const facts = Object.values(first.expect).map((v) => s.user.knownInfo[v] ?? v);
      for (const fact of facts) {
        if (questionsOf(s) > 0) expect(said, `${s.id} gives away ${fact}`).not.toContain(fact.toLowerCase());
        else expect(said, `${s.id} leaves out ${fact}`).toContain(fact.toLowerCase());
      }
    }
  });

  /** The plausible guess for each task that needs asking: a valid action on the wrong thing. */
  const GUESSES: Record<string, GoldAction[]> = {
    'which-blood-pressure': [{ name: 'request_refill_pickup', arguments: { rx_id: 'RX-4410021', store_id: 'S101' } }],
    'two-main-streets': [{ name: 'request_refill_pickup', arguments: { rx_id: 'RX-4440051', store_id: 'S102' } }],
    'which-child': [{ name: 'request_refill_pickup', arguments: { rx_id: 'RX-4450061', store_id: 'S104' } }],
    'which-daughter-and-method': [
      { name: 'request_refill_delivery', arguments: { rx_id: 'RX-4460071' } },
      { name: 'request_refill_pickup', arguments: { rx_id: 'RX-4460072', store_id: 'S102' } },
    ],
    'cancel-which-refill': [{ name: 'cancel_refill', arguments: { rx_id: 'RX-4470081' } }],
    'two-strengths': [{ name: 'request_refill_pickup', arguments: { rx_id: 'RX-4490101', store_id: 'S106' } }],
    'downtown-store-move': [{ name: 'change_refill_store', arguments: { rx_id: 'RX-4520131', store_id: 'S104' } }],
    'pickup-or-delivery': [{ name: 'request_refill_pickup', arguments: { rx_id: 'RX-4530141', store_id: 'S102' } }],
  };

  it('lists a guess for every task that needs asking', () => {
    const asking = scenarios.filter((s) => questionsOf(s) > 0).map((s) => s.id.replace(/^clarification-/, ''));
    expect(Object.keys(GUESSES).sort()).toEqual(asking.sort());
  });

  for (const [id, guesses] of Object.entries(GUESSES)) {
    it(`${id}: each guess is a valid action, and scores 0`, () => {
      const s = scenario(id);
      const expected = replayGold(s);
      const reads = s.evaluation.goldActions.filter((a) => !isWrite(s, a));
      for (const guess of guesses) {
        const guessed = replayGold({ ...s, evaluation: { ...s.evaluation, goldActions: [...reads, guess] } });
        expect(guessed.results.every((r) => r.ok), JSON.stringify(guessed.results)).toBe(true);
        const turns = [{ role: 'agent' as const, content: s.evaluation.communicateInfo.join(' '), toolCalls: [] }];
        expect(evaluateSession(s, undefined, { termination: 'user_stop', finalDb: guessed.db, turns }, expected).reward).toBe(0);
      }
    });
  }

  it('runs "which blood-pressure medicine" end to end: the agenda user answers the question', async () => {
    const s = scenario('which-blood-pressure');
    const call = (name: string, args: JsonObject) => say('', { toolCalls: [{ name, arguments: args }] });
    const agent: ScriptStep[] = [
      call('find_patient', { name: 'Linda Park', date_of_birth: '1961-07-23' }),
      call('list_prescriptions', { patient_id: 'PT-1001' }),
      say('You have two blood pressure prescriptions, lisinopril 10 mg and amlodipine 5 mg. Which medication would you like refilled?'),
      say('Shall I refill amlodipine 5 mg for pickup at Elm Street, Riverton?'),
      call('request_refill_pickup', { rx_id: 'RX-4410022', store_id: 'S101' }),
      say('Your refill has been queued; it will be ready tomorrow after 2 pm.'),
    ];
    const r = await converse(
      createAgendaUser({ role: 'user', scenario: s, persona: makePersona('baseline') }),
      scripted('agent', agent, { fallback: say('Is there anything else I can help with?') }),
      { scenario: s, environment: createEnvironment(s), seed: 5 },
    );
    const user = r.turns.filter((t) => t.role === 'user');
    expect(user[0]!.content).toContain('Linda Park');
    expect(user.map((t) => t.content).join('\n')).toMatch(/amlodipine/i);
    expect(r.termination).toBe('user_stop');
    expect(evaluateSession(s, undefined, r).reward).toBe(1);
    // The one question about the medicine counts; the confirmation and the closing offer do not.
    expect(countClarifyingQuestions(r.turns)).toBe(1);
    expect(clarificationVerdict(s.clarification!, countClarifyingQuestions(r.turns))).toBe('about_right');
  });
});

describe('clarification pack: what the user wants to learn', () => {
  it('every value the agent must convey is one the user asks for (a goal info request on that value) or the reason of the refusal it waits for', () => {
    let checked = 0;
    for (const t of pack.tasks) {
      for (const info of t.evaluation.communicateInfo) {
        expect(userWaitsFor(t, info), `${t.id}: ${info} is not among ${JSON.stringify(waitedFor(t))}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
