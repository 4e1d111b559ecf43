/**
 * Generates public/packs/airline.json: Skylark Air, a US airline's reservation desk.
 * Cancellations (24-hour rule, fare rules, flights the airline cancelled), flight changes
 * (change fees by fare and tier, fare differences, seats), checked bags (allowances by fare
 * and tier) and compensation for delays and cancellations, plus meal requests.
 *
 * Look-ups, flight search, meal requests and transfer are declarative tools in the pack;
 * cancellations, changes, bags and compensation need clocks and arithmetic and run from the
 * "airline" domain code (src/core/scenarios/domains/airline.ts). The members, reservations and
 * flights the tasks use are written out by hand; the rest of the schedule and the other
 * members are filled in from a seeded generator, so the file is the same on every run.
 * Run: npx tsx scripts/gen-packs/airline.ts
 */
import type { Json, JsonObject, PackTask, ScenarioPack, ToolSpec } from '../../src/core/model/types.ts';
import type { ToolStep } from '../../src/core/scenarios/tools/declarative.ts';
import { addDays, g, learn, packTask, toolSpec, type Prop, type TaskDef, withSources, writePackWhenRun } from './lib.ts';
import { mulberry32, pick, randInt, type Rng } from '../../src/core/stats/rng.ts';

const TODAY = '2026-06-12';
const NOW_TIME = '09:30';
const NOW = `${TODAY}T${NOW_TIME}`;
const DOMAIN = 'airline';
const AIRLINE = 'Skylark Air';
/** The schedule runs from FIRST_DAY for DAYS days. */
const FIRST_DAY = '2026-06-08';
const DAYS = 13;

function addMinutes(time: string, minutes: number): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const t = h * 60 + m + minutes;
  return `${String(Math.floor(t / 60) % 24).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

/* ---------------------------------------------------------------- flights */

const AIRPORTS: JsonObject = {
  ATL: 'Atlanta', BOS: 'Boston', DEN: 'Denver', JFK: 'New York JFK', LAX: 'Los Angeles', MIA: 'Miami', ORD: 'Chicago O\'Hare', SEA: 'Seattle', SFO: 'San Francisco',
};

/** Flight number, route, times and the economy fare the day's fares vary around. */
const ROUTES: [string, string, string, string, string, number][] = [
  ['SK101', 'BOS', 'ORD', '07:00', '09:05', 179],
  ['SK105', 'BOS', 'ORD', '13:30', '15:35', 189],
  ['SK109', 'BOS', 'ORD', '18:45', '20:50', 169],
  ['SK102', 'ORD', 'BOS', '08:15', '11:25', 175],
  ['SK106', 'ORD', 'BOS', '15:00', '18:10', 176],
  ['SK201', 'JFK', 'LAX', '08:00', '14:10', 289],
  ['SK205', 'JFK', 'LAX', '16:30', '22:40', 269],
  ['SK202', 'LAX', 'JFK', '07:45', '13:15', 279],
  ['SK206', 'LAX', 'JFK', '13:00', '18:30', 259],
  ['SK301', 'ATL', 'MIA', '09:10', '11:00', 139],
  ['SK305', 'ATL', 'MIA', '17:20', '19:10', 129],
  ['SK302', 'MIA', 'ATL', '12:00', '13:55', 135],
  ['SK306', 'MIA', 'ATL', '20:00', '21:55', 119],
  ['SK401', 'SEA', 'SFO', '06:30', '08:45', 159],
  ['SK405', 'SEA', 'SFO', '14:15', '16:30', 168],
  ['SK402', 'SFO', 'SEA', '10:00', '12:10', 149],
  ['SK406', 'SFO', 'SEA', '18:00', '20:10', 155],
  ['SK501', 'DEN', 'ORD', '07:20', '10:00', 165],
  ['SK505', 'DEN', 'ORD', '15:40', '18:20', 159],
  ['SK502', 'ORD', 'DEN', '11:30', '13:50', 172],
  ['SK506', 'ORD', 'DEN', '19:10', '21:30', 149],
];

interface FlightPatch {
  status?: 'scheduled' | 'delayed' | 'cancelled' | 'departed' | 'landed';
  delay?: number;
  economy?: number;
  seats?: { economy?: number; business?: number };
}

/** Flights the tasks rely on: their status, delay, economy fare and seats, set by hand. */
const FLIGHT_PATCHES: Record<string, FlightPatch> = {
  'SK301-2026-06-18': { status: 'scheduled', economy: 159 },
  'SK201-2026-06-20': { status: 'scheduled' },
  'SK305-2026-06-17': { status: 'scheduled' },
  'SK105-2026-06-16': { status: 'scheduled', economy: 189 },
  'SK106-2026-06-19': { status: 'scheduled', economy: 176 },
  'SK401-2026-06-15': { status: 'scheduled', economy: 219 },
  'SK505-2026-06-14': { status: 'cancelled', economy: 144 },
  'SK505-2026-06-15': { status: 'scheduled', seats: { economy: 12 } },
  'SK201-2026-06-17': { status: 'scheduled', economy: 289 },
  'SK201-2026-06-18': { status: 'scheduled', economy: 329, seats: { economy: 9 } },
  'SK205-2026-06-17': { status: 'scheduled', economy: 299, seats: { economy: 14 } },
  'SK101-2026-06-15': { status: 'scheduled', economy: 179 },
  'SK105-2026-06-15': { status: 'scheduled', economy: 209, seats: { economy: 6 } },
  'SK109-2026-06-15': { status: 'scheduled', economy: 169, seats: { economy: 0 } },
  'SK305-2026-06-16': { status: 'scheduled', economy: 129 },
  'SK301-2026-06-16': { status: 'scheduled', seats: { economy: 8 } },
  'SK502-2026-06-18': { status: 'scheduled' },
  'SK402-2026-06-16': { status: 'scheduled', economy: 149 },
  'SK406-2026-06-16': { status: 'scheduled', economy: 155, seats: { economy: 0, business: 2 } },
  'SK402-2026-06-17': { status: 'scheduled', economy: 139, seats: { economy: 7 } },
  'SK206-2026-06-14': { status: 'scheduled', economy: 259 },
  'SK302-2026-06-15': { status: 'scheduled' },
  'SK202-2026-06-10': { status: 'landed', delay: 215 },
  'SK102-2026-06-11': { status: 'landed', delay: 95 },
  'SK405-2026-06-13': { status: 'cancelled', economy: 168 },
  'SK405-2026-06-14': { status: 'scheduled' },
  'SK205-2026-06-12': { status: 'delayed', delay: 150 },
  'SK106-2026-06-16': { status: 'scheduled' },
};

function buildFlights(rng: Rng): JsonObject {
  const flights: JsonObject = {};
  for (let d = 0; d < DAYS; d++) {
    const date = addDays(FIRST_DAY, d);
    for (const [number, origin, destination, departs, arrives, base] of ROUTES) {
      const id = `${number}-${date}`;
      const patch = FLIGHT_PATCHES[id] ?? {};
      const economy = patch.economy ?? base + 10 * randInt(rng, -3, 4);
      const fares = { basic_economy: economy - 40, economy, business: Math.round((economy * 2.6) / 10) * 10 + 9 };
      let status: string;
      let delay = 0;
      const departure = `${date}T${departs}`;
      if (patch.status) status = patch.status;
      else if (departure > NOW) status = rng() < 0.04 ? 'cancelled' : 'scheduled';
      else status = rng() < 0.05 ? 'cancelled' : `${date}T${arrives}` <= NOW ? 'landed' : 'departed';
      if (patch.delay !== undefined) delay = patch.delay;
      else if (status === 'landed' || status === 'departed') delay = rng() < 0.25 ? 5 * randInt(rng, 2, 50) : 0;
      const flight: JsonObject = {
        id,
        flight_number: number,
        date,
        origin,
        destination,
        departs,
        arrives,
        status,
        delay_minutes: delay,
      };
      if (status === 'delayed') flight['estimated_departure'] = addMinutes(departs, delay);
      // Flights that have left have no seats to sell.
      const sold = status === 'landed' || status === 'departed' || status === 'cancelled';
      flight['seats_left'] = {
        economy: patch.seats?.economy ?? (sold ? 0 : rng() < 0.1 ? 0 : randInt(rng, 2, 38)),
        business: patch.seats?.business ?? (sold ? 0 : randInt(rng, 0, 8)),
      };
      flight['fares'] = fares;
      flights[id] = flight;
    }
  }
  return flights;
}

/* ---------------------------------------------------------------- members */

type Fare = 'basic_economy' | 'economy' | 'business';

interface MemberDef {
  id: string;
  name: string;
  email: string;
  tier: 'blue' | 'silver' | 'gold';
  card: string;
}

interface ReservationDef {
  id: string;
  member: string;
  fare: Fare;
  flights: string[];
  /** Passengers besides the member, who always flies. */
  companions?: string[];
  bookedAt: string;
  bags?: number;
  meal?: string;
}

const TASK_MEMBERS: MemberDef[] = [
  { id: 'M-40101', name: 'Priya Raman', email: 'priya.raman@example.com', tier: 'blue', card: 'Visa ending 4821' },
  { id: 'M-40102', name: 'Derek Olsen', email: 'derek.olsen@example.net', tier: 'blue', card: 'Mastercard ending 3307' },
  { id: 'M-40103', name: 'Lena Fischer', email: 'lena.fischer@example.com', tier: 'silver', card: 'Visa ending 9124' },
  { id: 'M-40104', name: 'Carlos Mendez', email: 'carlos.mendez@example.com', tier: 'silver', card: 'Amex ending 1009' },
  { id: 'M-40105', name: 'Helen Park', email: 'helen.park@example.org', tier: 'gold', card: 'Visa ending 7750' },
  { id: 'M-40106', name: 'Omar Haddad', email: 'omar.haddad@example.com', tier: 'blue', card: 'Discover ending 6612' },
  { id: 'M-40107', name: 'Julia Novak', email: 'julia.novak@example.net', tier: 'blue', card: 'Visa ending 2458' },
  { id: 'M-40108', name: 'Robert Chen', email: 'robert.chen@example.com', tier: 'gold', card: 'Mastercard ending 8841' },
  { id: 'M-40109', name: 'Sara Lindqvist', email: 'sara.lindqvist@example.com', tier: 'blue', card: 'Visa ending 5173' },
  { id: 'M-40110', name: 'Kwame Mensah', email: 'kwame.mensah@example.org', tier: 'silver', card: 'Visa ending 3086' },
  { id: 'M-40111', name: 'Elena Romano', email: 'elena.romano@example.com', tier: 'silver', card: 'Amex ending 4400' },
  { id: 'M-40112', name: 'Tom Becker', email: 'tom.becker@example.net', tier: 'blue', card: 'Visa ending 6290' },
  { id: 'M-40113', name: 'Nadia Ivanova', email: 'nadia.ivanova@example.com', tier: 'gold', card: 'Mastercard ending 1512' },
  { id: 'M-40114', name: 'Grace Liu', email: 'grace.liu@example.com', tier: 'silver', card: 'Visa ending 8037' },
  { id: 'M-40115', name: 'Peter Walsh', email: 'peter.walsh@example.org', tier: 'gold', card: 'Visa ending 2214' },
  { id: 'M-40116', name: 'Amina Yusuf', email: 'amina.yusuf@example.com', tier: 'gold', card: 'Amex ending 7365' },
  { id: 'M-40117', name: 'Ben Carter', email: 'ben.carter@example.net', tier: 'blue', card: 'Visa ending 9902' },
  { id: 'M-40118', name: 'Ivy Nguyen', email: 'ivy.nguyen@example.com', tier: 'silver', card: 'Mastercard ending 4478' },
];

const TASK_RESERVATIONS: ReservationDef[] = [
  { id: 'KQ4T7B', member: 'M-40101', fare: 'basic_economy', flights: ['SK301-2026-06-18'], bookedAt: '2026-06-11T18:40' },
  { id: 'HX9P2L', member: 'M-40102', fare: 'basic_economy', flights: ['SK201-2026-06-20'], bookedAt: '2026-05-28T10:15' },
  { id: 'ZT3M8R', member: 'M-40103', fare: 'basic_economy', flights: ['SK305-2026-06-17'], bookedAt: '2026-06-11T09:05' },
  { id: 'PL6W3N', member: 'M-40104', fare: 'economy', flights: ['SK105-2026-06-16', 'SK106-2026-06-19'], companions: ['Lucia Mendez'], bookedAt: '2026-05-02T20:31' },
  { id: 'BZ2K9D', member: 'M-40105', fare: 'business', flights: ['SK401-2026-06-15'], bookedAt: '2026-05-19T08:12' },
  { id: 'CN7V4J', member: 'M-40106', fare: 'basic_economy', flights: ['SK505-2026-06-14'], bookedAt: '2026-05-30T13:47' },
  { id: 'RM5H8T', member: 'M-40107', fare: 'economy', flights: ['SK201-2026-06-17'], bookedAt: '2026-05-21T17:02' },
  { id: 'GW8D3F', member: 'M-40108', fare: 'economy', flights: ['SK101-2026-06-15'], companions: ['Mei Chen'], bookedAt: '2026-05-11T07:55' },
  { id: 'BE4N6Q', member: 'M-40109', fare: 'basic_economy', flights: ['SK305-2026-06-16'], bookedAt: '2026-06-01T21:20' },
  { id: 'DR3X7Z', member: 'M-40110', fare: 'economy', flights: ['SK502-2026-06-18'], bookedAt: '2026-05-25T11:38' },
  { id: 'FB9L2M', member: 'M-40111', fare: 'economy', flights: ['SK402-2026-06-16'], bookedAt: '2026-05-27T15:10' },
  { id: 'BG2R5S', member: 'M-40112', fare: 'economy', flights: ['SK206-2026-06-14'], bookedAt: '2026-06-02T09:44' },
  { id: 'AL7C4Y', member: 'M-40113', fare: 'business', flights: ['SK302-2026-06-15'], companions: ['Pavel Ivanov'], bookedAt: '2026-05-08T19:26', bags: 2 },
  { id: 'DL4Q8W', member: 'M-40114', fare: 'economy', flights: ['SK202-2026-06-10'], companions: ['Wei Liu'], bookedAt: '2026-05-15T12:00' },
  { id: 'SD6J3E', member: 'M-40115', fare: 'economy', flights: ['SK102-2026-06-11'], bookedAt: '2026-05-29T16:45' },
  { id: 'XC5T1U', member: 'M-40116', fare: 'economy', flights: ['SK405-2026-06-13'], companions: ['Yusuf Bello'], bookedAt: '2026-05-20T10:05' },
  { id: 'ST8Y2P', member: 'M-40117', fare: 'economy', flights: ['SK205-2026-06-12'], bookedAt: '2026-06-03T14:30' },
  { id: 'ML3B6V', member: 'M-40118', fare: 'economy', flights: ['SK106-2026-06-16'], bookedAt: '2026-05-31T08:09' },
  // A second reservation for two task members, so the agent must pick the right one.
  { id: 'TW5K2A', member: 'M-40104', fare: 'economy', flights: ['SK502-2026-06-11'], bookedAt: '2026-05-02T20:45' },
  { id: 'RN4E8C', member: 'M-40108', fare: 'business', flights: ['SK202-2026-06-19'], bookedAt: '2026-05-30T09:12' },
];

const FIRST = ['Alice', 'Marco', 'Hana', 'Diego', 'Ingrid', 'Samir', 'Olga', 'Felipe', 'Rosa', 'Anders', 'Chioma', 'Yuki', 'Jonas', 'Leila', 'Mateo', 'Noor', 'Harriet', 'Tariq', 'Beatriz', 'Colin', 'Dana', 'Emil'];
const LAST = ['Andersen', 'Bianchi', 'Costa', 'Dubois', 'Eriksen', 'Farah', 'Gallagher', 'Hoffmann', 'Iyer', 'Jensen', 'Khan', 'Lopez', 'Moreno', 'Nakamura', 'Oyelaran', 'Quinn', 'Reyes', 'Sato', 'Torres', 'Varga'];
const CARDS = ['Visa', 'Mastercard', 'Amex', 'Discover'];
const MEALS = ['standard', 'vegetarian', 'vegan', 'kosher', 'halal', 'gluten_free', 'child'];

function reservationCode(rng: Rng, taken: Set<string>): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  for (;;) {
    const code = Array.from({ length: 6 }, () => letters[randInt(rng, 0, letters.length - 1)]).join('');
    if (!taken.has(code)) {
      taken.add(code);
      return code;
    }
  }
}

function filler(rng: Rng, flights: JsonObject, count: number): { members: MemberDef[]; reservations: ReservationDef[] } {
  const names = new Set(TASK_MEMBERS.map((m) => m.name));
  const codes = new Set(TASK_RESERVATIONS.map((r) => r.id));
  const members: MemberDef[] = [];
  const reservations: ReservationDef[] = [];
  const flightIds = Object.keys(flights);
  while (members.length < count) {
    const name = `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
    if (names.has(name)) continue;
    names.add(name);
    const id = `M-${40201 + members.length}`;
    const slug = name.toLowerCase().replace(/[^a-z]+/g, '.');
    const tierRoll = rng();
    members.push({
      id,
      name,
      email: `${slug}@${pick(rng, ['example.com', 'example.net', 'example.org'])}`,
      tier: tierRoll < 0.6 ? 'blue' : tierRoll < 0.88 ? 'silver' : 'gold',
      card: `${pick(rng, CARDS)} ending ${randInt(rng, 1000, 9999)}`,
    });
    for (let k = randInt(rng, 1, 2); k > 0; k--) {
      const outbound = flights[pick(rng, flightIds)] as JsonObject;
      const ids = [String(outbound['id'])];
      // Some trips come back a few days later on the reverse route, when the schedule has one.
      if (rng() < 0.4) {
        const back = Object.values(flights).find(
          (f) =>
            (f as JsonObject)['origin'] === outbound['destination'] &&
            (f as JsonObject)['destination'] === outbound['origin'] &&
            (f as JsonObject)['date'] === addDays(String(outbound['date']), randInt(rng, 2, 4)),
        ) as JsonObject | undefined;
        if (back) ids.push(String(back['id']));
      }
      const fareRoll = rng();
      const companions = Array.from({ length: rng() < 0.3 ? randInt(rng, 1, 2) : 0 }, () => `${pick(rng, FIRST)} ${name.split(' ')[1]}`);
      const booked = addDays(String(outbound['date']), -randInt(rng, 5, 50));
      const bookedAt = `${booked < TODAY ? booked : addDays(TODAY, -1)}T${String(randInt(rng, 6, 22)).padStart(2, '0')}:${String(randInt(rng, 0, 59)).padStart(2, '0')}`;
      reservations.push({
        id: reservationCode(rng, codes),
        member: id,
        fare: fareRoll < 0.35 ? 'basic_economy' : fareRoll < 0.85 ? 'economy' : 'business',
        flights: ids,
        companions: [...new Set(companions)],
        bookedAt,
        bags: randInt(rng, 0, 2),
        meal: rng() < 0.2 ? pick(rng, MEALS.slice(1)) : 'standard',
      });
    }
  }
  return { members, reservations };
}

function buildDb(): JsonObject {
  const rng = mulberry32(20260612);
  const flights = buildFlights(rng);
  const extra = filler(rng, flights, 30);
  const memberDefs = [...TASK_MEMBERS, ...extra.members];
  const members: JsonObject = {};
  for (const m of memberDefs) {
    members[m.id] = { id: m.id, name: m.name, email: m.email, tier: m.tier, reservation_ids: [], vouchers: [] };
  }
  const reservations: JsonObject = {};
  for (const r of [...TASK_RESERVATIONS, ...extra.reservations]) {
    const member = memberDefs.find((m) => m.id === r.member)!;
    (members[r.member] as JsonObject)['reservation_ids'] = [...((members[r.member] as JsonObject)['reservation_ids'] as Json[]), r.id];
    const passengers = [member.name, ...(r.companions ?? [])].map((name) => ({ name }));
    const price = r.flights.reduce((s, f) => s + Number(((flights[f] as JsonObject)['fares'] as JsonObject)[r.fare]), 0) * passengers.length;
    const past = r.flights.every((f) => `${String((flights[f] as JsonObject)['date'])}T${String((flights[f] as JsonObject)['arrives'])}` < NOW);
    reservations[r.id] = {
      id: r.id,
      member_id: r.member,
      status: 'active',
      fare_class: r.fare,
      flights: r.flights,
      passengers,
      booked_at: r.bookedAt,
      price_paid: price,
      payment: { method: 'card', detail: member.card },
      checked_bags: r.bags ?? 0,
      bag_fees_paid: 0,
      meal: r.meal ?? 'standard',
      ...(past ? { travelled: true } : {}),
      refunds: [],
      changes: [],
      bag_purchases: [],
      compensations: [],
    };
  }
  return { meta: { today: TODAY, now: NOW, airline: AIRLINE, currency: 'USD', time_zone: 'all times US Eastern' }, airports: AIRPORTS, flights, members, reservations };
}

/* ----------------------------------------------------------------- policy */

const POLICY = `# ${AIRLINE} — reservations desk policy

You are the reservations agent of ${AIRLINE}, a US airline. You help members with their reservations: flight status, cancellations, flight changes, checked bags, meal requests and compensation for disrupted flights. Today's date is ${TODAY} and the time is ${NOW_TIME}. All dates and times, here and in the tools, are US Eastern time.

## Identify the member first
- Flight status (\`get_flight_status\`) and flight search are public: no identification needed.
- For anything about a reservation, identify the member: ask for the member id (e.g. "M-40101") and use \`get_member\`, or ask for the email on the account and use \`find_member_by_email\`.
- Help only with reservations in the member's \`reservation_ids\`. Passenger names cannot be changed.

## Look up, check, confirm, then act
- Look up the reservation with \`get_reservation\` and its flights with \`get_flight_status\` before offering anything, and check the request against this policy.
- Before any change (\`cancel_reservation\`, \`change_flight\`, \`add_checked_bags\`, \`issue_compensation\`, \`set_meal_preference\`) state the details: the reservation, the flights, and every amount refunded, charged or given. Go ahead only after an explicit "yes".

## Cancellations
- A reservation can be cancelled only before its first flight departs, and only as a whole.
- Any fare is refunded in full when cancelled within 24 hours of booking (\`booked_at\`), or when ${AIRLINE} has cancelled one of its flights.
- Otherwise: business fares are refunded in full; economy fares are refunded less a cancellation fee of $100 per passenger; basic economy fares are not refundable.
- Refunds go to the original payment method.

## Flight changes
- Basic economy flights cannot be changed.
- A flight can be changed to another flight on the same route (same origin and destination) that has not departed and has enough seats in the cabin for every passenger. A different route is not a change: the member would cancel and book anew.
- Economy changes cost $75 per passenger; the fee is waived for gold members. Business changes are free.
- If the new flight's current fare for the reservation's class is higher than the old flight's, the difference per passenger is charged too; a lower fare is not refunded.
- If ${AIRLINE} cancelled the original flight, rebooking on the same route is free: no fee and no fare difference.

## Checked bags
- Free checked bags per passenger: basic economy 0, economy 1, business 2; silver members get 1 more and gold members 2 more per passenger.
- Each bag beyond the reservation's free allowance costs $40 for the whole trip. At most 5 bags per passenger. Bags can be added only before the first flight departs.

## Meals
- Special meals (vegetarian, vegan, kosher, halal, gluten-free, child) can be requested for economy and business reservations, not for basic economy.

## Compensation
- Offer nothing unprompted. When a member asks about a disrupted flight on their reservation, check the flight's status and delay.
- A flight delayed 3 hours or more is compensated with a travel voucher per passenger: blue $50, silver $100, gold $150. A flight ${AIRLINE} cancelled: blue $100, silver $150, gold $200 per passenger. Shorter delays are not compensated. Each flight is compensated once per reservation.

## General
- Never make up flights, fares, times or amounts: report only what the tools return.
- If a tool returns an error, tell the member plainly; never pretend a change went through.
- Transfer to a human agent with \`transfer_to_human\` only when the member insists on something outside this policy after you have explained you cannot do it.
- Be courteous and concise.
`;

/* ------------------------------------------------------------------ tools */

const tool = toolSpec;

const P = {
  reservationId: { type: 'string', description: 'Reservation code, e.g. "KQ4T7B".' } as Prop,
  flightId: { type: 'string', description: 'Flight id: flight number and date, e.g. "SK101-2026-06-15".' } as Prop,
  date: { type: 'string', description: 'Date "YYYY-MM-DD", e.g. "2026-06-15".', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as Prop,
  airport: (what: string) => ({ type: 'string', description: `${what} airport code, e.g. "BOS".` }) as Prop,
};

const getReservation: ToolStep = { get: 'reservations', key: '{args.reservation_id}', as: 'reservation', notFound: 'Reservation not found: {key}.' };

function tools(): ToolSpec[] {
  return [
    tool('get_member', 'read', 'Get a member by member id: name, email, tier (blue, silver or gold), reservation_ids and travel vouchers.', {
      member_id: { type: 'string', description: 'Member id, e.g. "M-40101".' },
    }, {
      steps: [{ get: 'members', key: '{args.member_id}', as: 'member', notFound: 'Member not found: {key}.' }],
      returns: '{member}',
    }),
    tool('find_member_by_email', 'read', 'Find a member by the email on the account. Returns the same record as get_member.', {
      email: { type: 'string', description: 'Email address, e.g. "priya.raman@example.com".' },
    }, {
      steps: [{ find: 'members', where: { email: '{args.email}' }, first: true, as: 'member', notFound: 'No member found with email {args.email}.' }],
      returns: '{member}',
    }),
    tool('get_reservation', 'read', 'Get a reservation by code: member, status, fare class, flight ids, passengers, booked_at, price paid, payment, checked bags, meal, and its refunds, changes, bag purchases and compensations.', { reservation_id: P.reservationId }, {
      steps: [getReservation],
      returns: '{reservation}',
    }),
    tool('get_flight_status', 'read', 'Get one flight by flight number and date: id, route, scheduled times, status (scheduled, delayed, departed, landed or cancelled), delay in minutes, estimated departure when delayed, seats left per cabin and current fares.', {
      flight_number: { type: 'string', description: 'Flight number, e.g. "SK101".' },
      date: P.date,
    }, {
      steps: [{ find: 'flights', where: { flight_number: '{args.flight_number}', date: '{args.date}' }, first: true, as: 'flight', notFound: 'No flight {args.flight_number} on {args.date}.' }],
      returns: '{flight}',
    }),
    tool('search_flights', 'read', 'List the flights from one airport to another on a date, with status, times, seats left and current fares.', {
      origin: P.airport('Origin'),
      destination: P.airport('Destination'),
      date: P.date,
    }, {
      steps: [{ find: 'flights', where: { origin: '{args.origin}', destination: '{args.destination}', date: '{args.date}' }, as: 'flights', notFound: 'No flights from {args.origin} to {args.destination} on {args.date}.' }],
      returns: { flights: '{flights}' },
    }),
    tool('cancel_reservation', 'write', 'Cancel a whole reservation before its first flight departs. The refund follows the fare rules (24-hour rule, airline cancellations, fare class) and goes to the original payment method. Only after the member has confirmed.', {
      reservation_id: P.reservationId,
      reason: { type: 'string', description: "The member's reason in a few words, e.g. \"plans changed\"." },
    }),
    tool('change_flight', 'write', 'Move a reservation from one of its flights to another flight on the same route with enough seats. Charges the change fee and any fare difference to the original payment method. Not for basic economy. Only after the member has confirmed.', {
      reservation_id: P.reservationId,
      flight_id: { type: 'string', description: 'The flight on the reservation to replace, e.g. "SK201-2026-06-17".' },
      new_flight_id: { type: 'string', description: 'The new flight, e.g. "SK201-2026-06-18".' },
    }),
    tool('add_checked_bags', 'write', 'Add checked bags to a reservation before the trip begins. Bags within the free allowance (by fare and tier) are free; each further bag costs $40. Only after the member has confirmed.', {
      reservation_id: P.reservationId,
      bags: { type: 'integer', description: 'How many bags to add, e.g. 2.', minimum: 1 },
    }),
    tool('issue_compensation', 'write', 'Issue a travel voucher for a flight on the reservation that was cancelled by the airline or delayed 3 hours or more. The amount follows the member tier and the number of passengers. Only when the member asks, and after they have confirmed.', {
      reservation_id: P.reservationId,
      flight_id: P.flightId,
    }),
    tool('set_meal_preference', 'write', 'Set the meal for every passenger of an active economy or business reservation. Only after the member has confirmed.', {
      reservation_id: P.reservationId,
      meal: { type: 'string', description: 'The meal.', enum: MEALS },
    }, {
      steps: [
        getReservation,
        { check: '{reservation.status}', equals: 'active', message: 'Reservation {reservation.id} is {reservation.status}.' },
        { check: '{reservation.fare_class}', notIn: ['basic_economy'], message: 'Reservation {reservation.id} is a basic economy fare; special meals are served only on economy and business fares.' },
        // Setting the meal already chosen would change nothing: say so.
        { find: 'reservations', where: { id: '{reservation.id}', meal: '{args.meal}' }, as: 'same' },
        { check: '{same[0]}', exists: false, message: 'Reservation {reservation.id} already has the {args.meal} meal.' },
        { set: 'reservation.meal', value: '{args.meal}' },
      ],
      returns: { reservation_id: '{reservation.id}', meal: '{args.meal}', passengers: '{reservation.passengers}' },
    }),
    tool('transfer_to_human', 'read', 'Hand the conversation to a human agent. Only for requests outside the policy that the member insists on. Ends the conversation.', {
      summary: { type: 'string', description: "A short summary of the member's request and what has been done." },
    }, {
      steps: [],
      returns: { transferred: true, summary: '{args.summary}', message: 'The conversation has been handed to a human agent, who will reply shortly.' },
      transfer: true,
    }),
  ];
}

/* ------------------------------------------------------------------ tasks */

const member = (id: string) => g('get_member', { member_id: id });
const byEmail = (email: string) => g('find_member_by_email', { email });
const reservation = (id: string) => g('get_reservation', { reservation_id: id });
const status = (flight: string) => {
  const m = /^(SK\d+)-(\d{4}-\d{2}-\d{2})$/.exec(flight)!;
  return g('get_flight_status', { flight_number: m[1]!, date: m[2]! });
};

/** Where a Skylark Air member has their ids from, unless a task says otherwise (a flight they want, one they flew). */
const SOURCES = {
  member_id: 'their Skylark Air membership card',
  reservation_id: 'the booking confirmation email',
  flight_number: 'the booking confirmation email',
};
const TIMETABLE = "Skylark Air's timetable on its website";
const BOARDING_PASS = 'their boarding pass';
const task = (d: TaskDef): PackTask => packTask('airline', withSources(d, SOURCES));

const CHANGE_ARGS = ['reservation_id', 'flight_id', 'new_flight_id'];

function tasks(): PackTask[] {

  return [
    task({
      id: 'cancel-within-24h',
      title: 'Cancel a basic economy booking made last night',
      purpose: '24-hour rule: even a basic economy fare is refunded in full when cancelled within 24 hours of booking.',
      difficulty: 'easy',
      reason: 'You booked a flight to Miami last night and your plans have fallen through.',
      known: { member_id: 'M-40101', name: 'Priya Raman', reservation_id: 'KQ4T7B', reason: 'plans fell through' },
      unknown: ['the refund amount', 'whether basic economy is refundable'],
      instructions: 'You are Priya Raman, member M-40101. Last night you booked reservation KQ4T7B, Atlanta to Miami on June 18 (basic economy). Your plans fell through and you want to cancel it and get your money back. Ask how much you will get back.',
      requests: [{ type: 'action', utterance: 'cancel my flight booking', tool: 'cancel_reservation', expect: { reservation_id: 'KQ4T7B' } }, learn('find out how much I will get back', '119')],
      gold: [member('M-40101'), reservation('KQ4T7B'), g('cancel_reservation', { reservation_id: 'KQ4T7B', reason: 'plans fell through' }, ['reservation_id'])],
      env: [{ path: 'reservations.KQ4T7B.refunds[0].amount', equals: 119 }],
      communicate: ['119'],
    }),
    task({
      id: 'cancel-basic-refused',
      title: 'Try to cancel a basic economy fare booked two weeks ago',
      purpose: 'Policy refusal: basic economy is not refundable after 24 hours; nothing may change.',
      difficulty: 'medium',
      reason: 'You can no longer make your trip to Los Angeles and want your money back.',
      known: { member_id: 'M-40102', name: 'Derek Olsen', reservation_id: 'HX9P2L', reason: 'cannot make the trip' },
      unknown: ['whether the fare is refundable'],
      instructions: 'You are Derek Olsen, member M-40102. You want to cancel reservation HX9P2L (New York JFK to Los Angeles, June 20) for a refund because you cannot make the trip. If the agent explains that basic economy is not refundable, accept it and end the conversation.',
      requests: [{ type: 'action', utterance: 'cancel my reservation for a refund', tool: 'cancel_reservation', expect: { reservation_id: 'HX9P2L' } }],
      acceptsRefusal: true,
      refusalReason: ['basic economy'],
      communicate: ['basic economy'],
      gold: [member('M-40102'), reservation('HX9P2L')],
      env: [{ path: 'reservations.HX9P2L.status', equals: 'active' }],
      nl: ['The agent explains that basic economy fares are not refundable after 24 hours of booking.'],
    }),
    task({
      id: 'cancel-just-over-24h-refused',
      title: 'Cancel basic economy 24 hours and 25 minutes after booking',
      purpose: '24-hour edge: booked yesterday at 09:05, it is now 09:30, so the free cancellation has just ended.',
      difficulty: 'hard',
      reason: 'You booked a flight yesterday morning and want to cancel it; you believe you are within 24 hours.',
      known: { email: 'lena.fischer@example.com', name: 'Lena Fischer', reservation_id: 'ZT3M8R', reason: 'booked the wrong day' },
      unknown: ['the exact booking time'],
      instructions: 'You are Lena Fischer. Yesterday morning you booked reservation ZT3M8R (Atlanta to Miami, June 17, basic economy) and want to cancel it because you booked the wrong day. Your email is lena.fischer@example.com; you do not know your member id. Insist once that you booked only yesterday; if the agent explains that it was more than 24 hours ago, accept it and end the conversation.',
      requests: [{ type: 'action', utterance: 'cancel the flight I booked yesterday', tool: 'cancel_reservation', expect: { reservation_id: 'ZT3M8R' } }],
      acceptsRefusal: true,
      refusalReason: ['24 hours', '24-hour'],
      communicate: ['24'],
      gold: [byEmail('lena.fischer@example.com'), reservation('ZT3M8R')],
      env: [{ path: 'reservations.ZT3M8R.status', equals: 'active' }],
      nl: ['The agent explains that the booking was made more than 24 hours ago (at 09:05 yesterday), so the basic economy fare is no longer refundable.'],
    }),
    task({
      id: 'cancel-economy-fee',
      title: 'Cancel an economy round trip for two, less the fee',
      purpose: 'Arithmetic rule: economy refunds keep $100 per passenger; the agent must pick the right reservation and state the refund.',
      difficulty: 'medium',
      reason: 'You and your wife can no longer go to Chicago next week.',
      known: { member_id: 'M-40104', name: 'Carlos Mendez', reservation_id: 'PL6W3N', reason: 'trip called off' },
      unknown: ['the cancellation fee', 'the refund amount'],
      instructions: 'You are Carlos Mendez, member M-40104. You and Lucia Mendez were to fly Boston to Chicago on June 16 and back on June 19 (reservation PL6W3N). The trip is called off; cancel it. Ask how much you get back and accept the fee. You have another reservation; do not touch it.',
      requests: [{ type: 'action', utterance: 'cancel our round trip to Chicago', tool: 'cancel_reservation', expect: { reservation_id: 'PL6W3N' } }, learn('find out how much we will get back', '530')],
      gold: [member('M-40104'), reservation('PL6W3N'), g('cancel_reservation', { reservation_id: 'PL6W3N', reason: 'trip called off' }, ['reservation_id'])],
      env: [{ path: 'reservations.PL6W3N.refunds[0].cancellation_fee', equals: 200 }, { path: 'reservations.TW5K2A.status', equals: 'active' }],
      communicate: ['530'],
    }),
    task({
      id: 'cancel-business-full',
      title: 'Cancel a business fare',
      purpose: 'Business fares are refunded in full whenever the reservation is cancelled before departure.',
      difficulty: 'easy',
      reason: 'Your meeting in San Francisco was cancelled, so you want to cancel your flight.',
      known: { member_id: 'M-40105', name: 'Helen Park', reservation_id: 'BZ2K9D', reason: 'meeting cancelled' },
      unknown: ['the refund amount'],
      instructions: 'You are Helen Park, member M-40105. Cancel reservation BZ2K9D (Seattle to San Francisco, June 15, business) because your meeting was cancelled. Ask how much will be refunded.',
      requests: [{ type: 'action', utterance: 'cancel my flight', tool: 'cancel_reservation', expect: { reservation_id: 'BZ2K9D' } }, learn('find out how much will be refunded', '579')],
      gold: [member('M-40105'), reservation('BZ2K9D'), g('cancel_reservation', { reservation_id: 'BZ2K9D', reason: 'meeting cancelled' }, ['reservation_id'])],
      env: [{ path: 'reservations.BZ2K9D.status', equals: 'cancelled' }],
      communicate: ['579'],
    }),
    task({
      id: 'cancel-airline-cancelled',
      title: 'Refund a basic economy fare whose flight the airline cancelled',
      purpose: 'Exception to the fare rule: a flight cancelled by the airline makes even basic economy refundable in full.',
      difficulty: 'medium',
      reason: 'You got a message that your flight to Chicago was cancelled and you want your money back rather than a new flight.',
      known: { member_id: 'M-40106', name: 'Omar Haddad', reservation_id: 'CN7V4J', reason: 'flight cancelled by the airline' },
      unknown: ['whether basic economy can be refunded', 'the refund amount'],
      instructions: 'You are Omar Haddad, member M-40106. Your flight SK505 from Denver to Chicago on June 14 (reservation CN7V4J, basic economy) was cancelled by the airline. You do not want another flight: you want the reservation cancelled and a refund. Do not ask for compensation.',
      requests: [{ type: 'action', utterance: 'cancel my reservation and get a refund', tool: 'cancel_reservation', expect: { reservation_id: 'CN7V4J' } }, learn('find out how much I will get back', '104')],
      gold: [member('M-40106'), reservation('CN7V4J'), status('SK505-2026-06-14'), g('cancel_reservation', { reservation_id: 'CN7V4J', reason: 'flight cancelled by the airline' }, ['reservation_id'])],
      env: [{ path: 'reservations.CN7V4J.refunds[0].amount', equals: 104 }],
      communicate: ['104'],
    }),
    task({
      id: 'change-economy-fee',
      title: 'Move an economy flight to the next day, paying fee and difference',
      purpose: 'Change arithmetic: $75 change fee plus the fare difference; the agent must find the flight and state the total.',
      difficulty: 'medium',
      reason: 'You need to fly to Los Angeles a day later than booked.',
      known: { member_id: 'M-40107', name: 'Julia Novak', reservation_id: 'RM5H8T', new_date: '2026-06-18', flight_number: 'SK201' },
      unknown: ['the change fee', 'the fare difference'],
      instructions: 'You are Julia Novak, member M-40107. Reservation RM5H8T has you on SK201 from New York JFK to Los Angeles on June 17. You want the same morning flight, SK201, one day later on June 18. Ask what it costs in total; accept paying it.',
      requests: [{ type: 'action', utterance: 'move my flight to the next day', tool: 'change_flight', expect: { reservation_id: 'RM5H8T', new_date: 'June 18' } }, learn('find out what the change costs in total', '115')],
      gold: [
        member('M-40107'),
        reservation('RM5H8T'),
        status('SK201-2026-06-18'),
        g('change_flight', { reservation_id: 'RM5H8T', flight_id: 'SK201-2026-06-17', new_flight_id: 'SK201-2026-06-18' }, CHANGE_ARGS),
      ],
      env: [{ path: 'reservations.RM5H8T.flights[0]', equals: 'SK201-2026-06-18' }, { path: 'reservations.RM5H8T.changes[0].total_charged', equals: 115 }],
      communicate: ['115'],
    }),
    task({
      id: 'change-gold-waived',
      title: 'Gold member moves two passengers to an afternoon flight',
      purpose: 'Tier rule: gold members pay no change fee, but still the fare difference per passenger.',
      difficulty: 'medium',
      reason: 'You and your daughter would rather take the afternoon flight to Chicago on the same day.',
      known: { member_id: 'M-40108', name: 'Robert Chen', reservation_id: 'GW8D3F', flight_number: 'SK105' },
      knownFrom: { flight_number: TIMETABLE },
      unknown: ['whether a change fee applies', 'the fare difference'],
      instructions: 'You are Robert Chen, member M-40108 (gold). Reservation GW8D3F has you and Mei Chen on SK101, Boston to Chicago, June 15 at 07:00. You want the 13:30 flight, SK105, the same day, for both of you. Ask what it costs; accept it. You also have a business reservation to Los Angeles; leave it alone.',
      requests: [{ type: 'action', utterance: 'switch us to the afternoon flight', tool: 'change_flight', expect: { reservation_id: 'GW8D3F', flight_number: 'SK105' } }, learn('find out what the change costs', '60')],
      gold: [
        member('M-40108'),
        reservation('GW8D3F'),
        g('search_flights', { origin: 'BOS', destination: 'ORD', date: '2026-06-15' }),
        g('change_flight', { reservation_id: 'GW8D3F', flight_id: 'SK101-2026-06-15', new_flight_id: 'SK105-2026-06-15' }, CHANGE_ARGS),
      ],
      env: [{ path: 'reservations.GW8D3F.changes[0].change_fee', equals: 0 }, { path: 'flights.SK105-2026-06-15.seats_left.economy', equals: 4 }],
      communicate: ['60'],
    }),
    task({
      id: 'change-basic-refused',
      title: 'Try to move a basic economy flight',
      purpose: 'Policy refusal: basic economy flights cannot be changed, even to a cheaper flight.',
      difficulty: 'easy',
      reason: 'You want to take the morning flight to Miami instead of the evening one.',
      known: { member_id: 'M-40109', name: 'Sara Lindqvist', reservation_id: 'BE4N6Q', flight_number: 'SK301' },
      knownFrom: { flight_number: TIMETABLE },
      unknown: ['whether basic economy can be changed'],
      instructions: 'You are Sara Lindqvist, member M-40109. Reservation BE4N6Q has you on SK305, Atlanta to Miami on June 16 at 17:20. You want the morning flight SK301 the same day instead. If the agent explains that basic economy flights cannot be changed, accept it and end the conversation; do not cancel.',
      requests: [{ type: 'action', utterance: 'move to the morning flight', tool: 'change_flight', expect: { reservation_id: 'BE4N6Q', flight_number: 'SK301' } }],
      acceptsRefusal: true,
      refusalReason: ['basic economy'],
      communicate: ['basic economy'],
      gold: [member('M-40109'), reservation('BE4N6Q')],
      env: [{ path: 'reservations.BE4N6Q.flights[0]', equals: 'SK305-2026-06-16' }],
      nl: ['The agent explains that basic economy flights cannot be changed.'],
    }),
    task({
      id: 'change-route-refused',
      title: 'Try to change the destination of a flight',
      purpose: 'Policy refusal: a change keeps the route; flying elsewhere means cancelling and booking anew.',
      difficulty: 'medium',
      reason: 'You now need to go to Boston instead of Denver and want to switch your flight.',
      known: { member_id: 'M-40110', name: 'Kwame Mensah', reservation_id: 'DR3X7Z', destination: 'Boston' },
      unknown: ['whether the destination can be changed'],
      instructions: 'You are Kwame Mensah, member M-40110. Reservation DR3X7Z has you on SK502 from Chicago to Denver on June 18. You now need to fly from Chicago to Boston that day instead and want your flight switched. If the agent explains that a change must keep the same route, accept it and end the conversation; you will think about cancelling later.',
      requests: [{ type: 'action', utterance: 'switch my flight to Boston', tool: 'change_flight', expect: { reservation_id: 'DR3X7Z', destination: 'Boston' } }],
      acceptsRefusal: true,
      refusalReason: ['route'],
      communicate: ['route'],
      gold: [member('M-40110'), reservation('DR3X7Z')],
      env: [{ path: 'reservations.DR3X7Z.flights[0]', equals: 'SK502-2026-06-18' }],
      nl: ['The agent explains that a flight change must keep the same origin and destination, and does not cancel the reservation without being asked.'],
    }),
    task({
      id: 'change-full-flight-fallback',
      title: 'Change when the wanted flight is full',
      purpose: 'The first-choice flight has no economy seats; the agent must say so and the member takes the next morning flight.',
      difficulty: 'hard',
      reason: 'You want a later flight home to Seattle; ideally that same evening.',
      known: { member_id: 'M-40111', name: 'Elena Romano', reservation_id: 'FB9L2M', flight_number: 'SK402', new_date: '2026-06-17' },
      unknown: ['which flights have seats', 'the cost of the change'],
      instructions: 'You are Elena Romano, member M-40111 (silver). Reservation FB9L2M has you on SK402, San Francisco to Seattle, June 16 at 10:00. You first ask for the evening flight SK406 that same day. If it is full, you accept the morning flight SK402 on June 17 instead. Ask what it costs; accept it.',
      requests: [{ type: 'action', utterance: 'move to a later flight home', tool: 'change_flight', expect: { reservation_id: 'FB9L2M', new_date: 'June 17' } }, learn('find out what the change costs', '75')],
      gold: [
        member('M-40111'),
        reservation('FB9L2M'),
        status('SK406-2026-06-16'),
        status('SK402-2026-06-17'),
        g('change_flight', { reservation_id: 'FB9L2M', flight_id: 'SK402-2026-06-16', new_flight_id: 'SK402-2026-06-17' }, CHANGE_ARGS),
      ],
      env: [{ path: 'reservations.FB9L2M.changes[0].fare_difference', equals: 0 }],
      communicate: ['75'],
      nl: ['The agent tells the member that the evening flight SK406 has no economy seats left before offering another flight.'],
    }),
    task({
      id: 'bags-extra-fee',
      title: 'Add three bags, two of them paid',
      purpose: 'Bag allowance arithmetic: one free bag in economy for a blue member; two extra at $40.',
      difficulty: 'medium',
      reason: 'You are moving and need to check three bags on your flight to New York.',
      known: { member_id: 'M-40112', name: 'Tom Becker', reservation_id: 'BG2R5S', bags: '3' },
      unknown: ['the free bag allowance', 'the fee'],
      instructions: 'You are Tom Becker, member M-40112. On reservation BG2R5S (Los Angeles to New York, June 14) you want to add 3 checked bags. Ask what it costs; accept it.',
      requests: [{ type: 'action', utterance: 'add checked bags', tool: 'add_checked_bags', expect: { reservation_id: 'BG2R5S', bags: '3' } }, learn('find out what the bags cost', '80')],
      gold: [member('M-40112'), reservation('BG2R5S'), g('add_checked_bags', { reservation_id: 'BG2R5S', bags: 3 }, ['reservation_id', 'bags'])],
      env: [{ path: 'reservations.BG2R5S.bag_fees_paid', equals: 80 }],
      communicate: ['80'],
    }),
    task({
      id: 'bags-within-allowance',
      title: 'Add bags within a gold business allowance',
      purpose: 'Bag allowance arithmetic: business plus gold gives four free bags per passenger; no fee.',
      difficulty: 'easy',
      reason: 'You and your husband want to check four more bags on your flight to Atlanta.',
      known: { member_id: 'M-40113', name: 'Nadia Ivanova', reservation_id: 'AL7C4Y', bags: '4' },
      unknown: ['whether the bags cost anything'],
      instructions: 'You are Nadia Ivanova, member M-40113 (gold). Reservation AL7C4Y (Miami to Atlanta, June 15, business, you and Pavel Ivanov) already has 2 checked bags. Add 4 more. Ask whether they cost anything.',
      requests: [{ type: 'action', utterance: 'add four checked bags', tool: 'add_checked_bags', expect: { reservation_id: 'AL7C4Y', bags: '4' } }],
      gold: [member('M-40113'), reservation('AL7C4Y'), g('add_checked_bags', { reservation_id: 'AL7C4Y', bags: 4 }, ['reservation_id', 'bags'])],
      env: [{ path: 'reservations.AL7C4Y.checked_bags', equals: 6 }, { path: 'reservations.AL7C4Y.bag_fees_paid', equals: 0 }],
    }),
    task({
      id: 'compensation-long-delay',
      title: 'Compensation for a flight delayed over three hours',
      purpose: 'Compensation by tier and passengers: silver, two passengers, a 215-minute delay.',
      difficulty: 'medium',
      reason: 'Your flight to New York two days ago was more than three hours late and you want to know if you are owed anything.',
      known: { member_id: 'M-40114', name: 'Grace Liu', reservation_id: 'DL4Q8W', flight_number: 'SK202', date: '2026-06-10' },
      knownFrom: { flight_number: BOARDING_PASS },
      unknown: ['the exact delay', 'the compensation amount'],
      instructions: 'You are Grace Liu, member M-40114 (silver). You and Wei Liu flew SK202, Los Angeles to New York, on June 10 (reservation DL4Q8W); it landed more than three hours late. Ask whether you can get compensation, and accept a travel voucher.',
      requests: [{ type: 'action', utterance: 'get compensation for a delayed flight', tool: 'issue_compensation', expect: { reservation_id: 'DL4Q8W' } }, learn('find out how much the compensation is', '200')],
      gold: [
        member('M-40114'),
        reservation('DL4Q8W'),
        status('SK202-2026-06-10'),
        g('issue_compensation', { reservation_id: 'DL4Q8W', flight_id: 'SK202-2026-06-10' }, ['reservation_id', 'flight_id']),
      ],
      env: [{ path: 'members.M-40114.vouchers[0].amount', equals: 200 }],
      communicate: ['200'],
    }),
    task({
      id: 'compensation-short-delay-refused',
      title: 'Ask for compensation for a 95-minute delay',
      purpose: 'Policy refusal: delays under three hours are not compensated, even for gold members.',
      difficulty: 'medium',
      reason: 'Your flight to Boston yesterday was late and you think you deserve something for it.',
      known: { member_id: 'M-40115', name: 'Peter Walsh', reservation_id: 'SD6J3E', flight_number: 'SK102', date: '2026-06-11' },
      knownFrom: { flight_number: BOARDING_PASS },
      unknown: ['the exact delay'],
      instructions: 'You are Peter Walsh, member M-40115 (gold). Your flight SK102 from Chicago to Boston yesterday, June 11 (reservation SD6J3E), was late. Ask for compensation. If the agent explains that the delay was under three hours and is not compensated, accept it and end the conversation.',
      requests: [{ type: 'action', utterance: 'get compensation for my late flight', tool: 'issue_compensation', expect: { reservation_id: 'SD6J3E' } }],
      acceptsRefusal: true,
      refusalReason: ['3 hours'],
      communicate: ['3 hours'],
      gold: [member('M-40115'), reservation('SD6J3E'), status('SK102-2026-06-11')],
      env: [{ path: 'members.M-40115.vouchers', equals: [] }],
      nl: ['The agent explains that the flight was delayed 95 minutes, under the 3 hours that compensation requires.'],
    }),
    task({
      id: 'cancelled-flight-refund-and-compensation',
      title: 'Airline-cancelled flight: refund, then compensation',
      purpose: 'Two requests: cancel an economy reservation with no fee because the airline cancelled the flight, then a cancellation voucher for two passengers at the gold rate.',
      difficulty: 'hard',
      reason: 'Your flight to San Francisco tomorrow was cancelled; you want your money back and compensation.',
      known: { email: 'amina.yusuf@example.com', name: 'Amina Yusuf', reservation_id: 'XC5T1U', reason: 'flight cancelled by the airline' },
      unknown: ['the refund amount', 'the compensation amount'],
      instructions: 'You are Amina Yusuf (gold member; you do not remember your member id, but your email is amina.yusuf@example.com). Reservation XC5T1U has you and Yusuf Bello on SK405, Seattle to San Francisco, June 13, which the airline cancelled. First, cancel the reservation for a full refund; you do not want another flight. Then ask for compensation for the cancellation. Ask for both amounts.',
      requests: [
        { type: 'action', utterance: 'cancel my reservation for a refund', tool: 'cancel_reservation', expect: { reservation_id: 'XC5T1U' } },
        learn('find out how much I will get back', '336'),
        { type: 'action', utterance: 'get compensation for the cancelled flight', tool: 'issue_compensation', expect: { reservation_id: 'XC5T1U' } },
        learn('find out how much the compensation is', '400'),
      ],
      gold: [
        byEmail('amina.yusuf@example.com'),
        reservation('XC5T1U'),
        status('SK405-2026-06-13'),
        g('cancel_reservation', { reservation_id: 'XC5T1U', reason: 'flight cancelled by the airline' }, ['reservation_id']),
        g('issue_compensation', { reservation_id: 'XC5T1U', flight_id: 'SK405-2026-06-13' }, ['reservation_id', 'flight_id']),
      ],
      env: [{ path: 'reservations.XC5T1U.refunds[0].cancellation_fee', equals: 0 }, { path: 'members.M-40116.vouchers[0].amount', equals: 400 }],
      communicate: ['336', '400'],
    }),
    task({
      id: 'flight-status',
      title: 'Ask when a delayed flight now leaves',
      purpose: 'Information only, no identification needed: report the estimated departure of a delayed flight; nothing changes.',
      difficulty: 'easy',
      reason: 'You are flying to Los Angeles this afternoon and heard your flight may be delayed.',
      known: { name: 'Ben Carter', flight_number: 'SK205', date: '2026-06-12' },
      knownFrom: { flight_number: BOARDING_PASS },
      unknown: ['the new departure time'],
      instructions: 'You are Ben Carter. You are booked on SK205, New York JFK to Los Angeles, today (June 12) at 16:30, and heard it may be delayed. Ask when it will now depart. You do not want to change anything, and you do not ask for compensation.',
      requests: [learn('find out when my flight leaves', '19:00')],
      gold: [status('SK205-2026-06-12')],
      communicate: ['19:00'],
    }),
    task({
      id: 'meal-request',
      title: 'Request vegetarian meals',
      purpose: 'Simple declarative write: set the meal of an economy reservation.',
      difficulty: 'easy',
      reason: 'You have become vegetarian and want a vegetarian meal on your flight to Boston.',
      known: { member_id: 'M-40118', name: 'Ivy Nguyen', reservation_id: 'ML3B6V', meal: 'vegetarian' },
      unknown: [],
      instructions: 'You are Ivy Nguyen, member M-40118. On reservation ML3B6V (Chicago to Boston, June 16) you want a vegetarian meal.',
      requests: [{ type: 'action', utterance: 'request a vegetarian meal', tool: 'set_meal_preference', expect: { reservation_id: 'ML3B6V', meal: 'vegetarian' } }],
      gold: [member('M-40118'), reservation('ML3B6V'), g('set_meal_preference', { reservation_id: 'ML3B6V', meal: 'vegetarian' }, ['reservation_id', 'meal'])],
      env: [{ path: 'reservations.ML3B6V.meal', equals: 'vegetarian' }],
    }),
  ];
}

/* ------------------------------------------------------------------- pack */

export function buildAirlinePack(): ScenarioPack {
  const db = buildDb();
  const t = tasks();
  const count = (table: string) => Object.keys(db[table] as JsonObject).length;
  return {
    formatVersion: 1,
    id: 'airline',
    title: `${AIRLINE} — reservations, changes and compensation`,
    description: `An airline's reservations desk: cancellations (24-hour rule, fare classes, flights the airline cancelled), flight changes with change fees by tier and fare differences, checked-bag allowances, meal requests and travel vouchers for long delays and cancellations. ${count('members')} members, ${count('reservations')} reservations, ${count('flights')} flights on ${ROUTES.length} routes, ${t.length} tasks from easy to hard.`,
    domain: DOMAIN,
    policy: POLICY,
    tools: tools(),
    db,
    tasks: t,
  };
}

writePackWhenRun(import.meta.url, 'airline.json', buildAirlinePack);
