/**
 * The airline domain's code tools (src/core/scenarios/domains/airline.ts) on a small database
 * written here, one policy edge per test: the 24-hour rule to the minute, fares and airline
 * cancellations, change fees by fare and tier, fare differences and seats, bag allowances,
 * compensation thresholds. Every failure must leave the database as it was.
 */
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject, Scenario, ToolResult } from '../../../src/core/model/types.ts';
import {
  airlineDomain,
  bagAllowance,
  bagFee,
  cancellationRefund,
  changeFee,
  hasDeparted,
  hoursBetween,
  withinFreeCancellation,
} from '../../../src/core/scenarios/domains/airline.ts';
import { getDomain } from '../../../src/core/scenarios/domains/index.ts';
import { createEnvironment, type Environment } from '../../../src/core/scenarios/environment.ts';

const NOW = '2026-06-12T09:30';

function flight(id: string, origin: string, destination: string, departs: string, extra: JsonObject = {}): JsonObject {
  const [number, ...date] = id.split('-');
  return {
    id,
    flight_number: number!,
    date: date.join('-'),
    origin,
    destination,
    departs,
    arrives: '23:00',
    status: 'scheduled',
    delay_minutes: 0,
    seats_left: { economy: 5, business: 2 },
    fares: { basic_economy: 100, economy: 140, business: 400 },
    ...extra,
  };
}

function reservation(id: string, member: string, fare: string, flights: string[], passengers: number, extra: JsonObject = {}): JsonObject {
  return {
    id,
    member_id: member,
    status: 'active',
    fare_class: fare,
    flights,
    passengers: Array.from({ length: passengers }, (_, i) => ({ name: `P${i}` })),
    booked_at: '2026-05-01T10:00',
    price_paid: 500,
    payment: { method: 'card', detail: 'Visa ending 1111' },
    checked_bags: 0,
    bag_fees_paid: 0,
    meal: 'standard',
    refunds: [],
    changes: [],
    bag_purchases: [],
    compensations: [],
    ...extra,
  };
}

function db(): JsonObject {
  return {
    meta: { today: '2026-06-12', now: NOW },
    members: {
      B: { id: 'B', name: 'Blue', tier: 'blue', vouchers: [] },
      S: { id: 'S', name: 'Silver', tier: 'silver', vouchers: [] },
      G: { id: 'G', name: 'Gold', tier: 'gold', vouchers: [] },
    },
    flights: Object.fromEntries(
      [
        flight('SK1-2026-06-15', 'BOS', 'ORD', '07:00'),
        flight('SK2-2026-06-15', 'BOS', 'ORD', '13:00', { fares: { basic_economy: 90, economy: 175.5, business: 380 } }),
        flight('SK3-2026-06-15', 'BOS', 'ORD', '18:00', { seats_left: { economy: 1, business: 0 } }),
        flight('SK4-2026-06-15', 'BOS', 'MIA', '09:00'),
        flight('SK5-2026-06-16', 'BOS', 'ORD', '09:00', { status: 'cancelled' }),
        flight('SK6-2026-06-12', 'BOS', 'ORD', '09:30'),
        flight('SK7-2026-06-12', 'BOS', 'ORD', '09:31'),
        flight('SK8-2026-06-10', 'LAX', 'JFK', '08:00', { status: 'landed', delay_minutes: 180 }),
        flight('SK9-2026-06-10', 'LAX', 'JFK', '12:00', { status: 'landed', delay_minutes: 179 }),
        flight('SK10-2026-06-12', 'BOS', 'ORD', '08:00', { status: 'delayed', delay_minutes: 120, estimated_departure: '10:00' }),
      ].map((f) => [f['id'] as string, f]),
    ),
    reservations: {
      ECON: reservation('ECON', 'B', 'economy', ['SK1-2026-06-15'], 2),
      ECON_GOLD: reservation('ECON_GOLD', 'G', 'economy', ['SK1-2026-06-15'], 2),
      BIZ: reservation('BIZ', 'S', 'business', ['SK1-2026-06-15'], 1),
      BASIC: reservation('BASIC', 'B', 'basic_economy', ['SK1-2026-06-15'], 1),
      BASIC_24: reservation('BASIC_24', 'B', 'basic_economy', ['SK1-2026-06-15'], 1, { booked_at: '2026-06-11T09:30' }),
      BASIC_2401: reservation('BASIC_2401', 'B', 'basic_economy', ['SK1-2026-06-15'], 1, { booked_at: '2026-06-11T09:29' }),
      BASIC_CXL: reservation('BASIC_CXL', 'B', 'basic_economy', ['SK1-2026-06-15', 'SK5-2026-06-16'], 1),
      CXL_ECON: reservation('CXL_ECON', 'S', 'economy', ['SK5-2026-06-16'], 1),
      GONE: reservation('GONE', 'B', 'economy', ['SK6-2026-06-12'], 1),
      SOON: reservation('SOON', 'B', 'economy', ['SK7-2026-06-12'], 1),
      LATE: reservation('LATE', 'G', 'economy', ['SK10-2026-06-12'], 1),
      DELAY: reservation('DELAY', 'S', 'economy', ['SK8-2026-06-10', 'SK9-2026-06-10'], 3),
      DONE: reservation('DONE', 'B', 'economy', ['SK1-2026-06-15'], 1, { status: 'cancelled' }),
    },
  };
}

const param = (props: Record<string, Json>) => ({ type: 'object', properties: props, required: Object.keys(props), additionalProperties: false });

function scenario(): Scenario {
  const s = { type: 'string' };
  return {
    id: 'airline-unit',
    domain: 'airline',
    title: 'unit',
    purpose: 'unit',
    difficulty: 'easy',
    user: { reasonForContact: 'x', knownInfo: {}, unknownInfo: [], taskInstructions: 'x', goal: { requests: [{ type: 'info', utterance: 'x', slot: 'x' }] } },
    agent: {
      policy: 'x',
      tools: [
        { name: 'cancel_reservation', description: 'x', kind: 'write', parameters: param({ reservation_id: s, reason: s }) },
        { name: 'change_flight', description: 'x', kind: 'write', parameters: param({ reservation_id: s, flight_id: s, new_flight_id: s }) },
        { name: 'add_checked_bags', description: 'x', kind: 'write', parameters: param({ reservation_id: s, bags: { type: 'integer' } }) },
        { name: 'issue_compensation', description: 'x', kind: 'write', parameters: param({ reservation_id: s, flight_id: s }) },
      ],
    },
    initialDb: db(),
    evaluation: { goldActions: [], envAssertions: [], communicateInfo: [], nlAssertions: [], rewardBasis: ['DB'] },
  };
}

const env = (): Environment => createEnvironment(scenario());
const cancel = (e: Environment, id: string) => e.call('cancel_reservation', { reservation_id: id, reason: 'plans changed' });
const change = (e: Environment, id: string, from: string, to: string) => e.call('change_flight', { reservation_id: id, flight_id: from, new_flight_id: to });
const bags = (e: Environment, id: string, n: number) => e.call('add_checked_bags', { reservation_id: id, bags: n });
const compensate = (e: Environment, id: string, f: string) => e.call('issue_compensation', { reservation_id: id, flight_id: f });

type Obj = Record<string, Json>;
function value(r: ToolResult): Obj {
  if (!r.ok) throw new Error(`expected success, got ${r.error.name}: ${r.error.message}`);
  return r.value as Obj;
}
function refused(e: Environment, call: (e: Environment) => ToolResult): string {
  const before = e.snapshot();
  const r = call(e);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  expect(e.snapshot()).toEqual(before);
  return r.error.message;
}
const resIn = (e: Environment, id: string) => (e.snapshot()['reservations'] as Record<string, Obj>)[id]!;
const seatsIn = (e: Environment, id: string) => ((e.snapshot()['flights'] as Record<string, Obj>)[id]!['seats_left'] as Obj);

describe('airline domain: registration', () => {
  it('is the built-in domain "airline" with the four code tools', () => {
    expect(getDomain('airline')).toBe(airlineDomain);
    expect(Object.keys(airlineDomain.tools).sort()).toEqual(['add_checked_bags', 'cancel_reservation', 'change_flight', 'issue_compensation']);
  });
});

describe('airline domain: rules as functions', () => {
  it('measures hours to the minute, across days', () => {
    expect(hoursBetween('2026-06-11T09:30', NOW)).toBe(24);
    expect(hoursBetween('2026-06-11T09:29', NOW)).toBeCloseTo(24 + 1 / 60, 10);
    expect(hoursBetween('2026-05-31T23:00', '2026-06-01T01:30')).toBe(2.5);
  });

  it('keeps free cancellation for exactly 24 hours', () => {
    expect(withinFreeCancellation('2026-06-11T09:30', NOW)).toBe(true);
    expect(withinFreeCancellation('2026-06-11T09:29', NOW)).toBe(false);
    expect(withinFreeCancellation('2026-06-12T09:29', NOW)).toBe(true);
  });

  it('says a flight has left by status, or by its (estimated) departure time', () => {
    const f = (extra: JsonObject) => ({ date: '2026-06-12', departs: '09:30', status: 'scheduled', ...extra }) as JsonObject;
    expect(hasDeparted(f({}), NOW)).toBe(true);
    expect(hasDeparted(f({ departs: '09:31' }), NOW)).toBe(false);
    expect(hasDeparted(f({ status: 'delayed', estimated_departure: '11:00' }), NOW)).toBe(false);
    expect(hasDeparted(f({ status: 'cancelled' }), NOW)).toBe(false);
    expect(hasDeparted(f({ departs: '23:00', status: 'departed' }), NOW)).toBe(true);
  });

  it('refunds by the fare rules', () => {
    const late = { within24h: false, airlineCancelled: false };
    expect(cancellationRefund('economy', 730, 2, late)).toMatchObject({ amount: 530, fee: 200 });
    expect(cancellationRefund('economy', 150, 2, late)).toMatchObject({ amount: 0, fee: 200 });
    expect(cancellationRefund('business', 579, 1, late)).toMatchObject({ amount: 579, fee: 0 });
    expect(cancellationRefund('basic_economy', 119, 1, late)).toBeNull();
    expect(cancellationRefund('basic_economy', 119, 1, { ...late, within24h: true })).toMatchObject({ amount: 119, fee: 0 });
    expect(cancellationRefund('basic_economy', 119, 1, { ...late, airlineCancelled: true })).toMatchObject({ amount: 119, fee: 0 });
  });

  it('charges change fees by fare and tier', () => {
    expect(changeFee('economy', 'blue', 2)).toBe(150);
    expect(changeFee('economy', 'silver', 1)).toBe(75);
    expect(changeFee('economy', 'gold', 3)).toBe(0);
    expect(changeFee('business', 'blue', 2)).toBe(0);
  });

  it('gives bag allowances by fare and tier and charges only the bags beyond them', () => {
    expect(bagAllowance('basic_economy', 'blue', 1)).toBe(0);
    expect(bagAllowance('economy', 'blue', 1)).toBe(1);
    expect(bagAllowance('economy', 'silver', 2)).toBe(4);
    expect(bagAllowance('business', 'gold', 2)).toBe(8);
    expect(bagFee(0, 3, 1)).toEqual({ paid: 2, fee: 80 });
    expect(bagFee(2, 4, 8)).toEqual({ paid: 0, fee: 0 });
    expect(bagFee(3, 2, 4)).toEqual({ paid: 1, fee: 40 });
    // Bags already paid for are not charged again.
    expect(bagFee(5, 1, 4)).toEqual({ paid: 1, fee: 40 });
  });
});

describe('airline domain: cancel_reservation', () => {
  it('refunds economy less $100 per passenger, returns the seats and records it', () => {
    const e = env();
    const r = value(cancel(e, 'ECON'));
    expect(r['refund']).toMatchObject({ amount: 300, cancellation_fee: 200, refunded_to: 'Visa ending 1111' });
    expect(resIn(e, 'ECON')).toMatchObject({ status: 'cancelled', cancelled_at: NOW });
    expect(resIn(e, 'ECON')['refunds']).toEqual([
      { type: 'cancellation', amount: 300, cancellation_fee: 200, method: 'original_payment', refunded_to: 'Visa ending 1111', issued_at: NOW },
    ]);
    expect(seatsIn(e, 'SK1-2026-06-15')).toEqual({ economy: 7, business: 2 });
  });

  it('applies the 24-hour rule to the minute for basic economy', () => {
    expect(value(cancel(env(), 'BASIC_24'))['refund']).toMatchObject({ amount: 500, cancellation_fee: 0 });
    expect(refused(env(), (e) => cancel(e, 'BASIC_2401'))).toMatch(/^Reservation BASIC_2401 is a basic economy fare booked at 2026-06-11T09:29, more than 24 hours ago/);
    expect(refused(env(), (e) => cancel(e, 'BASIC'))).toMatch(/not refundable/);
  });

  it('refunds basic economy in full when the airline cancelled one of its flights, without returning that flight\'s seats', () => {
    const e = env();
    expect(value(cancel(e, 'BASIC_CXL'))['refund']).toMatchObject({ amount: 500, cancellation_fee: 0 });
    expect(seatsIn(e, 'SK1-2026-06-15')['economy']).toBe(6);
    expect(seatsIn(e, 'SK5-2026-06-16')['economy']).toBe(5);
  });

  it('refunds business in full and uses business seats', () => {
    const e = env();
    expect(value(cancel(e, 'BIZ'))['refund']).toMatchObject({ amount: 500, cancellation_fee: 0 });
    expect(seatsIn(e, 'SK1-2026-06-15')).toEqual({ economy: 5, business: 3 });
  });

  it('refuses once a flight has departed (at its departure minute) and for cancelled reservations', () => {
    expect(refused(env(), (e) => cancel(e, 'GONE'))).toBe('Reservation GONE cannot be cancelled: flight SK6-2026-06-12 has already departed.');
    expect(value(cancel(env(), 'SOON'))['status']).toBe('cancelled');
    expect(value(cancel(env(), 'LATE'))['status']).toBe('cancelled');
    expect(refused(env(), (e) => cancel(e, 'DONE'))).toBe('Reservation DONE is cancelled.');
    expect(refused(env(), (e) => cancel(e, 'NOPE'))).toBe('Reservation not found: NOPE');
  });
});

describe('airline domain: change_flight', () => {
  it('charges the fee and the fare difference per passenger, moving the seats', () => {
    const e = env();
    const r = value(change(e, 'ECON', 'SK1-2026-06-15', 'sk2-2026-06-15'));
    expect(r).toMatchObject({ change_fee: 150, fare_difference: 71, total_charged: 221, flights: ['SK2-2026-06-15'] });
    expect(seatsIn(e, 'SK1-2026-06-15')['economy']).toBe(7);
    expect(seatsIn(e, 'SK2-2026-06-15')['economy']).toBe(3);
    expect(resIn(e, 'ECON')['changes']).toEqual([
      { from_flight: 'SK1-2026-06-15', to_flight: 'SK2-2026-06-15', change_fee: 150, fare_difference: 71, total_charged: 221, charged_to: 'Visa ending 1111', changed_at: NOW },
    ]);
  });

  it('waives the fee for gold members and business fares, and refunds no lower fare', () => {
    expect(value(change(env(), 'ECON_GOLD', 'SK1-2026-06-15', 'SK2-2026-06-15'))).toMatchObject({ change_fee: 0, fare_difference: 71, total_charged: 71 });
    // SK2's business fare is lower than SK1's: nothing is refunded, nothing charged.
    expect(value(change(env(), 'BIZ', 'SK1-2026-06-15', 'SK2-2026-06-15'))).toMatchObject({ change_fee: 0, fare_difference: 0, total_charged: 0 });
  });

  it('rebooks free when the airline cancelled the original flight', () => {
    const e = env();
    expect(value(change(e, 'CXL_ECON', 'SK5-2026-06-16', 'SK2-2026-06-15'))).toMatchObject({ change_fee: 0, fare_difference: 0, total_charged: 0 });
    expect(seatsIn(e, 'SK5-2026-06-16')['economy']).toBe(5);
  });

  it('refuses basic economy, other routes, full flights and departed or cancelled ones', () => {
    expect(refused(env(), (e) => change(e, 'BASIC', 'SK1-2026-06-15', 'SK2-2026-06-15'))).toBe('Reservation BASIC is a basic economy fare; basic economy flights cannot be changed.');
    expect(refused(env(), (e) => change(e, 'ECON', 'SK1-2026-06-15', 'SK4-2026-06-15'))).toBe(
      'Flight SK4-2026-06-15 flies BOS to MIA; a change must keep the route BOS to ORD.',
    );
    expect(refused(env(), (e) => change(e, 'ECON', 'SK1-2026-06-15', 'SK3-2026-06-15'))).toBe('Flight SK3-2026-06-15 has 1 economy seat left; 2 needed.');
    expect(refused(env(), (e) => change(e, 'ECON', 'SK1-2026-06-15', 'SK5-2026-06-16'))).toBe('Flight SK5-2026-06-16 has been cancelled.');
    expect(refused(env(), (e) => change(e, 'ECON', 'SK1-2026-06-15', 'SK6-2026-06-12'))).toBe('Flight SK6-2026-06-12 has already departed.');
    expect(refused(env(), (e) => change(e, 'GONE', 'SK6-2026-06-12', 'SK7-2026-06-12'))).toBe('Flight SK6-2026-06-12 has already departed; it can no longer be changed.');
    expect(refused(env(), (e) => change(e, 'ECON', 'SK2-2026-06-15', 'SK3-2026-06-15'))).toBe('Flight SK2-2026-06-15 is not on reservation ECON (flights: SK1-2026-06-15).');
    expect(refused(env(), (e) => change(e, 'ECON', 'SK1-2026-06-15', 'SK1-2026-06-15'))).toBe('Reservation ECON is already on flight SK1-2026-06-15.');
    expect(refused(env(), (e) => change(e, 'ECON', 'SK1-2026-06-15', 'SK99-2026-06-15'))).toMatch(/^Flight not found: SK99-2026-06-15/);
  });
});

describe('airline domain: add_checked_bags', () => {
  it('charges $40 for each bag beyond the allowance and accumulates', () => {
    const e = env();
    // Blue, economy, two passengers: two free bags.
    expect(value(bags(e, 'ECON', 3))).toMatchObject({ checked_bags: 3, free_allowance: 2, paid_bags: 1, fee: 40 });
    expect(value(bags(e, 'ECON', 1))).toMatchObject({ checked_bags: 4, paid_bags: 1, fee: 40 });
    expect(resIn(e, 'ECON')).toMatchObject({ checked_bags: 4, bag_fees_paid: 80 });
    expect((resIn(e, 'ECON')['bag_purchases'] as Obj[]).map((p) => p['fee'])).toEqual([40, 40]);
  });

  it('gives gold members two more per passenger, and basic economy none', () => {
    expect(value(bags(env(), 'ECON_GOLD', 6))).toMatchObject({ free_allowance: 6, fee: 0 });
    expect(value(bags(env(), 'BASIC', 1))).toMatchObject({ free_allowance: 0, fee: 40 });
  });

  it('refuses more than five per passenger, departed trips and non-positive counts', () => {
    expect(refused(env(), (e) => bags(e, 'BIZ', 6))).toBe('Reservation BIZ has 0 checked bags; at most 5 per passenger (5 in all) are allowed.');
    expect(value(bags(env(), 'BIZ', 5))['checked_bags']).toBe(5);
    expect(refused(env(), (e) => bags(e, 'GONE', 1))).toMatch(/has already departed; bags can only be added before the trip begins/);
    expect(refused(env(), (e) => bags(e, 'ECON', 0))).toMatch(/"bags" must be a whole number/);
  });
});

describe('airline domain: issue_compensation', () => {
  it('compensates a delay of exactly 3 hours by tier and passengers, once', () => {
    const e = env();
    const r = value(compensate(e, 'DELAY', 'SK8-2026-06-10'));
    expect(r).toMatchObject({ id: 'V-DELAY-1', amount: 300, reason: 'delay', per_passenger: 100, passengers: 3, expires_on: '2027-06-12' });
    const silver = (e.snapshot()['members'] as Record<string, Obj>)['S']!;
    expect(silver['vouchers']).toEqual([
      { id: 'V-DELAY-1', amount: 300, reason: 'delay', reservation_id: 'DELAY', flight_id: 'SK8-2026-06-10', issued_on: '2026-06-12', expires_on: '2027-06-12' },
    ]);
    expect(refused(e, (x) => compensate(x, 'DELAY', 'SK8-2026-06-10'))).toBe('Reservation DELAY has already been compensated for flight SK8-2026-06-10.');
  });

  it('refuses a delay one minute short of 3 hours, and flights not on the reservation', () => {
    expect(refused(env(), (e) => compensate(e, 'DELAY', 'SK9-2026-06-10'))).toBe(
      'Flight SK9-2026-06-10 was delayed 179 minutes; compensation is given only for cancellations by Skylark Air and delays of 3 hours or more.',
    );
    expect(refused(env(), (e) => compensate(e, 'ECON', 'SK1-2026-06-15'))).toMatch(/was not delayed/);
    expect(refused(env(), (e) => compensate(e, 'ECON', 'SK8-2026-06-10'))).toBe('Flight SK8-2026-06-10 is not on reservation ECON.');
  });

  it('compensates a flight the airline cancelled at the cancellation rate, even after the reservation was cancelled', () => {
    const e = env();
    value(cancel(e, 'CXL_ECON'));
    expect(value(compensate(e, 'CXL_ECON', 'SK5-2026-06-16'))).toMatchObject({ amount: 150, reason: 'cancellation' });
    expect(value(compensate(env(), 'BASIC_CXL', 'SK5-2026-06-16'))).toMatchObject({ amount: 100, reason: 'cancellation' });
  });
});
