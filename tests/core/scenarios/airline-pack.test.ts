/**
 * The Skylark Air pack (public/packs/airline.json). The generic per-task checks (gold replay
 * scores 1, a dropped write or a changed compared argument scores 0, the agenda user can start
 * every task) run for every built-in pack in all-packs.test.ts; here: the file is what its
 * generator writes and is listed as built-in, the schedule and reservations hang together,
 * the declarative tools enforce the policy, refusal tasks really are refused by the tools, and
 * the amounts the agent must tell come from the tools.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/core/model/types.ts';
import { validateScenarioPack } from '../../../src/core/model/schema.ts';
import { hoursBetween } from '../../../src/core/scenarios/domains/airline.ts';
import { DOMAINS } from '../../../src/core/scenarios/domains/index.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { evaluateSession, readPath, replayGold } from '../../../src/core/scenarios/evaluator.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { buildAirlinePack } from '../../../scripts/gen-packs/airline.ts';
import { expectEarnedRefusal, inRefusalReason, loadPack, numbersIn, PUBLIC, refusal, userWaitsFor, value, waitedFor, type Obj } from './pack-fixture.ts';
import { converse, makePersona, say, scripted, type ScriptStep } from '../fixtures.ts';

const { pack, scenarios, scenario, table, env } = loadPack('airline');

const meta = pack.db['meta'] as Obj;
const now = String(meta['now']);


describe('airline pack: file', () => {
  it('is exactly what scripts/gen-packs/airline.ts generates', () => {
    expect(pack).toEqual(JSON.parse(JSON.stringify(buildAirlinePack())));
  });

  it('is listed in public/builtin.json, so all-packs.test.ts runs the per-task checks on it', () => {
    const manifest = JSON.parse(readFileSync(`${PUBLIC}builtin.json`, 'utf8')) as { packs: string[] };
    expect(manifest.packs).toContain('packs/airline.json');
  });

  it('passes the validation the page applies, with the airline domain code', () => {
    const catalog = { toolsOf: (d: string) => (Object.hasOwn(DOMAINS, d) ? Object.keys(DOMAINS[d]!.tools) : undefined) };
    expect(() => validateScenarioPack(structuredClone(pack), catalog, 'airline.json')).not.toThrow();
    expect(() => validateScenarioPack(structuredClone(pack), { toolsOf: () => undefined }, 'airline.json')).toThrow(/every tool needs an "impl"/);
  });

  it('writes declarative tools wherever no clock or arithmetic is needed', () => {
    expect(pack.id).toBe('airline');
    expect(pack.domain).toBe('airline');
    const how = Object.fromEntries(pack.tools.map((t) => [t.name, `${t.kind}:${t.impl?.type ?? 'code'}`]));
    expect(how).toEqual({
      get_member: 'read:declarative',
      find_member_by_email: 'read:declarative',
      get_reservation: 'read:declarative',
      get_flight_status: 'read:declarative',
      search_flights: 'read:declarative',
      cancel_reservation: 'write:code',
      change_flight: 'write:code',
      add_checked_bags: 'write:code',
      issue_compensation: 'write:code',
      set_meal_preference: 'write:declarative',
      transfer_to_human: 'read:declarative',
    });
    for (const t of pack.tools) expect(t.parameters['additionalProperties'], t.name).toBe(false);
  });

  it("states today's date and time, the same as the database's, and the rules the tools enforce", () => {
    expect(pack.policy).toContain(`Today's date is ${String(meta['today'])} and the time is ${now.slice(11)}`);
    expect(now.slice(0, 10)).toBe(meta['today']);
    for (const rule of ['within 24 hours of booking', '$100 per passenger', 'basic economy fares are not refundable', '$75 per passenger', 'waived for gold', 'same origin and destination', '$40', 'at most 5 bags', 'blue $50, silver $100, gold $150', 'blue $100, silver $150, gold $200', '3 hours or more']) {
      expect(pack.policy.toLowerCase(), rule).toContain(rule.toLowerCase());
    }
  });
});

describe('airline pack: database', () => {
  const flights = table('flights');
  const members = table('members');
  const reservations = table('reservations');

  it('is the size of a small airline', () => {
    expect(Object.keys(flights).length).toBeGreaterThanOrEqual(200);
    expect(Object.keys(members).length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(reservations).length).toBeGreaterThanOrEqual(60);
    const statuses = new Set(Object.values(flights).map((f) => f['status']));
    expect(statuses).toEqual(new Set(['scheduled', 'delayed', 'departed', 'landed', 'cancelled']));
    expect(new Set(Object.values(members).map((m) => m['tier']))).toEqual(new Set(['blue', 'silver', 'gold']));
    expect(new Set(Object.values(reservations).map((r) => r['fare_class']))).toEqual(new Set(['basic_economy', 'economy', 'business']));
  });

  it('has flights whose ids, statuses and times agree with the clock', () => {
    const airports = Object.keys(table('airports'));
    for (const [id, f] of Object.entries(flights)) {
      expect(id).toBe(`${String(f['flight_number'])}-${String(f['date'])}`);
      expect(f['id']).toBe(id);
      expect(airports).toContain(f['origin']);
      expect(airports).toContain(f['destination']);
      const departure = `${String(f['date'])}T${String(f['departs'])}`;
      if (f['status'] === 'landed' || f['status'] === 'departed') expect(departure <= now, id).toBe(true);
      if (f['status'] === 'scheduled') expect(departure > now, id).toBe(true);
      if (f['status'] === 'delayed') {
        expect(Number(f['delay_minutes'])).toBeGreaterThan(0);
        expect(`${String(f['date'])}T${String(f['estimated_departure'])}` > now, id).toBe(true);
      }
      const fares = f['fares'] as Obj;
      expect(Number(fares['basic_economy'])).toBeLessThan(Number(fares['economy']));
      expect(Number(fares['economy'])).toBeLessThan(Number(fares['business']));
    }
  });

  it('links members and reservations both ways, with prices from the fares', () => {
    const emails = Object.values(members).map((m) => String(m['email']));
    expect(new Set(emails).size).toBe(emails.length);
    for (const [id, m] of Object.entries(members)) {
      expect(m['id']).toBe(id);
      for (const rid of m['reservation_ids'] as string[]) expect(reservations[rid]?.['member_id'], rid).toBe(id);
    }
    for (const [id, r] of Object.entries(reservations)) {
      expect(id).toMatch(/^[A-Z0-9]{6}$/);
      expect(members[String(r['member_id'])]!['reservation_ids'] as string[]).toContain(id);
      const passengers = r['passengers'] as Obj[];
      expect(passengers[0]!['name']).toBe(members[String(r['member_id'])]!['name']);
      const ids = r['flights'] as string[];
      const price = ids.reduce((s, f) => s + Number((flights[f]!['fares'] as Obj)[String(r['fare_class'])]), 0) * passengers.length;
      expect(r['price_paid'], id).toBe(price);
      expect(hoursBetween(String(r['booked_at']), now), id).toBeGreaterThan(0);
    }
  });
});

describe('airline pack: declarative tools', () => {
  it('finds members by id and email, and flights by number and date', () => {
    const e = env();
    expect(value(e.call('get_member', { member_id: 'm-40101' }))['name']).toBe('Priya Raman');
    expect(refusal(e, 'get_member', { member_id: 'M-1' })).toBe('Member not found: M-1.');
    expect(value(e.call('find_member_by_email', { email: 'LENA.FISCHER@example.com' }))['id']).toBe('M-40103');
    expect(value(e.call('get_flight_status', { flight_number: 'SK205', date: '2026-06-12' }))).toMatchObject({ status: 'delayed', estimated_departure: '19:00' });
    expect(refusal(e, 'get_flight_status', { flight_number: 'SK999', date: '2026-06-12' })).toBe('No flight SK999 on 2026-06-12.');
    const found = value(e.call('search_flights', { origin: 'BOS', destination: 'ORD', date: '2026-06-15' }))['flights'] as Obj[];
    expect(found.map((f) => f['flight_number'])).toEqual(['SK101', 'SK105', 'SK109']);
    expect(refusal(e, 'search_flights', { origin: 'BOS', destination: 'LAX', date: '2026-06-15' })).toBe('No flights from BOS to LAX on 2026-06-15.');
  });

  it('sets a special meal only on active economy or business reservations, and only when it changes', () => {
    const e = env();
    expect(value(e.call('set_meal_preference', { reservation_id: 'ML3B6V', meal: 'vegan' }))['meal']).toBe('vegan');
    expect((e.snapshot()['reservations'] as Record<string, Obj>)['ML3B6V']!['meal']).toBe('vegan');
    expect(refusal(e, 'set_meal_preference', { reservation_id: 'ML3B6V', meal: 'vegan' })).toBe('Reservation ML3B6V already has the vegan meal.');
    expect(refusal(e, 'set_meal_preference', { reservation_id: 'KQ4T7B', meal: 'vegan' })).toMatch(/basic economy fare; special meals/);
    e.call('cancel_reservation', { reservation_id: 'BZ2K9D', reason: 'x' });
    expect(refusal(e, 'set_meal_preference', { reservation_id: 'BZ2K9D', meal: 'kosher' })).toBe('Reservation BZ2K9D is cancelled.');
  });

  it('hands over to a person with transfer_to_human, changing nothing', () => {
    const e = env();
    expect(e.isTransfer('transfer_to_human')).toBe(true);
    expect(e.isTransfer('cancel_reservation')).toBe(false);
    expect(value(e.call('transfer_to_human', { summary: 'Wants a name change.' }))).toMatchObject({ transferred: true });
    expect(e.snapshot()).toEqual(pack.db);
  });
});

describe('airline pack: tasks', () => {
  it('has at least 12 tasks of every difficulty, with unique airline- ids', () => {
    expect(pack.tasks.length).toBeGreaterThanOrEqual(12);
    expect(new Set(pack.tasks.map((t) => t.id)).size).toBe(pack.tasks.length);
    for (const t of pack.tasks) expect(t.id).toMatch(/^airline-[a-z0-9-]+$/);
    expect(new Set(pack.tasks.map((t) => t.difficulty))).toEqual(new Set(['easy', 'medium', 'hard']));
  });

  it('covers every write tool and both kinds of goal request', () => {
    const used = new Set(pack.tasks.flatMap((t) => t.evaluation.goldActions.map((a) => a.name)));
    for (const t of pack.tools.filter((x) => x.kind === 'write')) expect(used, t.name).toContain(t.name);
    expect(new Set(pack.tasks.flatMap((t) => t.user.goal.requests.map((r) => r.type)))).toEqual(new Set(['action', 'info']));
    expect(pack.tasks.some((t) => t.user.goal.requests.length > 1)).toBe(true);
  });

  it('compares every argument of a write except free text', () => {
    for (const t of pack.tasks) {
      for (const a of t.evaluation.goldActions) {
        if (pack.tools.find((x) => x.name === a.name)!.kind !== 'write') continue;
        const free = a.name === 'cancel_reservation' ? ['reason'] : [];
        expect([...(a.compareArgs ?? [])].sort(), `${t.id} ${a.name}`).toEqual(Object.keys(a.arguments).filter((k) => !free.includes(k)).sort());
      }
    }
  });

  it('asks the agent to tell only amounts and times the gold tool calls return', () => {
    for (const s of scenarios) {
      const e = createEnvironment(s);
      const values = s.evaluation.goldActions.map((a) => value(e.call(a.name, a.arguments)));
      for (const info of s.evaluation.communicateInfo) {
        // A refusal's reason comes from the tools' refusal of the request, checked with the refusal tasks below.
        if (inRefusalReason(s, info)) continue;
        if (/^\d+(\.\d+)?$/.test(info)) expect(numbersIn(values), `${s.id}: ${info}`).toContain(Number(info));
        else expect(JSON.stringify(values), `${s.id}: ${info}`).toContain(info);
      }
    }
  });

  it('meets its own environment assertions on replay', () => {
    for (const s of scenarios) {
      const { db } = replayGold(s);
      for (const a of s.evaluation.envAssertions) expect(readPath(db, a.path), `${s.id} ${a.path}`).toEqual(a.equals);
    }
  });

  /** For each refusal task, the write the member asks for, and why the tools refuse it. */
  const REFUSED: Record<string, [string, Obj, RegExp]> = {
    'cancel-basic-refused': ['cancel_reservation', { reservation_id: 'HX9P2L', reason: 'cannot make the trip' }, /basic economy fare booked at .*not refundable/],
    'cancel-just-over-24h-refused': ['cancel_reservation', { reservation_id: 'ZT3M8R', reason: 'booked the wrong day' }, /booked at 2026-06-11T09:05, more than 24 hours ago/],
    'change-basic-refused': ['change_flight', { reservation_id: 'BE4N6Q', flight_id: 'SK305-2026-06-16', new_flight_id: 'SK301-2026-06-16' }, /basic economy flights cannot be changed/],
    'change-route-refused': ['change_flight', { reservation_id: 'DR3X7Z', flight_id: 'SK502-2026-06-18', new_flight_id: 'SK106-2026-06-18' }, /a change must keep the route ORD to DEN/],
    'compensation-short-delay-refused': ['issue_compensation', { reservation_id: 'SD6J3E', flight_id: 'SK102-2026-06-11' }, /delayed 95 minutes; compensation is given only/],
  };

  it('makes refusal tasks ones the tools really refuse, with read-only gold actions', () => {
    const refusalTasks = pack.tasks.filter((t) => t.user.goal.acceptsRefusal).map((t) => t.id.replace(/^airline-/, ''));
    expect(refusalTasks.sort()).toEqual(Object.keys(REFUSED).sort());
    for (const [id, [name, args, why]] of Object.entries(REFUSED)) {
      const s = scenario(id);
      for (const a of s.evaluation.goldActions) expect(s.agent.tools.find((t) => t.name === a.name)!.kind, `${id} ${a.name}`).toBe('read');
      const request = s.user.goal.requests[0]!;
      expect(request.type === 'action' && request.tool, id).toBe(name);
      const message = refusal(createEnvironment(s), name, args);
      expect(message, id).toMatch(why);
      expectEarnedRefusal(s, message);
    }
  });

  it('sets up the edges the hard tasks turn on', () => {
    // Booked 24 h 25 min before now, and the evening flight of the fallback task is full.
    expect(hoursBetween(String(table('reservations')['ZT3M8R']!['booked_at']), now)).toBeCloseTo(24 + 25 / 60, 10);
    expect(refusal(env(), 'change_flight', { reservation_id: 'FB9L2M', flight_id: 'SK402-2026-06-16', new_flight_id: 'SK406-2026-06-16' })).toBe(
      'Flight SK406-2026-06-16 has 0 economy seats left; 1 needed.',
    );
    // The refund-and-compensation task needs the cancellation first to be fee-free because of the airline.
    const e = env();
    expect(value(e.call('cancel_reservation', { reservation_id: 'XC5T1U', reason: 'x' }))['refund']).toMatchObject({ cancellation_fee: 0, amount: 336 });
    // Two members have a second reservation that the right answer must leave alone.
    expect(table('members')['M-40104']!['reservation_ids']).toEqual(['PL6W3N', 'TW5K2A']);
    expect(table('members')['M-40108']!['reservation_ids']).toEqual(['GW8D3F', 'RN4E8C']);
  });

  it('runs the change-fee task end to end with the agenda user and a scripted agent', async () => {
    const s = scenario('change-economy-fee');
    const call = (name: string, args: JsonObject) => say('', { toolCalls: [{ name, arguments: args }] });
    const agent: ScriptStep[] = [
      say('Hello! What is your member id?'),
      call('get_member', { member_id: 'M-40107' }),
      call('get_reservation', { reservation_id: 'RM5H8T' }),
      call('get_flight_status', { flight_number: 'SK201', date: '2026-06-18' }),
      say('SK201 on June 18 has seats. The change fee is 75 and the fare difference 40: 115 in total. Shall I move reservation RM5H8T to SK201 on June 18?'),
      call('change_flight', { reservation_id: 'RM5H8T', flight_id: 'SK201-2026-06-17', new_flight_id: 'SK201-2026-06-18' }),
      say('Done: reservation RM5H8T has been moved to SK201 on June 18, and 115 has been charged to your Visa.'),
    ];
    const r = await converse(
      createAgendaUser({ role: 'user', scenario: s, persona: makePersona('baseline') }),
      scripted('agent', agent, { fallback: say('Is there anything else I can help with?') }),
      { scenario: s, environment: createEnvironment(s), seed: 3 },
    );
    const userText = r.turns.filter((t) => t.role === 'user').map((t) => t.content).join('\n');
    expect(userText).toContain('M-40107');
    expect(r.termination).toBe('user_stop');
    expect(evaluateSession(s, undefined, r).reward).toBe(1);
  });
});

describe('airline pack: what the user wants to learn', () => {
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
