/**
 * The built-in "airline" domain: Skylark Air's reservations (public/packs/airline.json).
 *
 * Look-ups, flight search, meal requests and transfer are declarative tools in the pack. The
 * four tools here need clocks and arithmetic: cancellations (the 24-hour rule, fares, airline
 * cancellations), flight changes (change fees by fare and tier, fare differences, seats),
 * checked bags (allowances by fare and tier) and compensation for delays and cancellations.
 *
 * The clock is the database's `meta.now` ("YYYY-MM-DDTHH:MM", one time zone for everything).
 * Everything a write stores is derived from the database and from arguments the gold actions
 * compare, never from free text, so a correct session ends in the state the gold actions give.
 */
import type { Json, JsonObject } from '../../model/types.ts';
import { ToolError, type DomainImpl, type ToolImpl } from '../domain.ts';
import { isObject, metaString, requiredString, roundMoney, tableOf } from './helpers.ts';

const table = (db: JsonObject, name: string) => tableOf(db, name, 'airline');
const meta = (db: JsonObject, field: 'now' | 'today') => metaString(db, field, 'airline');

export const FARE_CLASSES = ['basic_economy', 'economy', 'business'] as const;
export type FareClass = (typeof FARE_CLASSES)[number];
export const TIERS = ['blue', 'silver', 'gold'] as const;
export type Tier = (typeof TIERS)[number];

/** A reservation cancelled within this many hours of booking is refunded in full. */
export const FREE_CANCELLATION_HOURS = 24;
/** Kept per passenger when an economy reservation is cancelled after the first 24 hours. */
export const ECONOMY_CANCELLATION_FEE = 100;
/** Per passenger, for changing an economy reservation (waived for gold members). */
export const ECONOMY_CHANGE_FEE = 75;
/** Per checked bag beyond the allowance, for the whole trip. */
export const EXTRA_BAG_FEE = 40;
/** Most checked bags a reservation may hold, per passenger. */
export const MAX_BAGS_PER_PASSENGER = 5;
/** Delays from this many minutes on are compensated. */
export const COMPENSATED_DELAY_MINUTES = 180;

/** Free checked bags per passenger: by fare, plus the member tier's extra. */
export const BAG_ALLOWANCE: Record<FareClass, number> = { basic_economy: 0, economy: 1, business: 2 };
export const TIER_EXTRA_BAGS: Record<Tier, number> = { blue: 0, silver: 1, gold: 2 };

/** Compensation per passenger, as a travel voucher, by member tier. */
export const COMPENSATION: Record<'delay' | 'cancellation', Record<Tier, number>> = {
  delay: { blue: 50, silver: 100, gold: 150 },
  cancellation: { blue: 100, silver: 150, gold: 200 },
};

/* ---------------------------------------------------------------- helpers */

/** A record of an object table by key, exact first, then without case ("kq4t7b"). */
function byKey(t: JsonObject, key: string): JsonObject | undefined {
  const hit = Object.hasOwn(t, key) ? t[key] : t[Object.keys(t).find((k) => k.toLowerCase() === key.toLowerCase()) ?? ''];
  return isObject(hit) ? hit : undefined;
}

function listOf(record: JsonObject, field: string): Json[] {
  if (!Array.isArray(record[field])) record[field] = [];
  return record[field] as Json[];
}

function findReservation(db: JsonObject, id: string): JsonObject {
  const r = byKey(table(db, 'reservations'), id);
  if (!r) throw new ToolError(`Reservation not found: ${id}`);
  return r;
}

function findFlight(db: JsonObject, id: string): JsonObject {
  const f = byKey(table(db, 'flights'), id);
  if (!f) throw new ToolError(`Flight not found: ${id}. Flight ids are the flight number and date, e.g. "SK101-2026-06-15".`);
  return f;
}

function memberOf(db: JsonObject, reservation: JsonObject): JsonObject {
  const m = byKey(table(db, 'members'), String(reservation['member_id']));
  if (!m) throw new Error(`reservation ${String(reservation['id'])} names an unknown member`);
  return m;
}

function fareOf(reservation: JsonObject): FareClass {
  const f = reservation['fare_class'];
  if (typeof f !== 'string' || !(FARE_CLASSES as readonly string[]).includes(f)) throw new Error(`reservation ${String(reservation['id'])} has no valid fare_class`);
  return f as FareClass;
}

function tierOf(member: JsonObject): Tier {
  const t = member['tier'];
  return typeof t === 'string' && (TIERS as readonly string[]).includes(t) ? (t as Tier) : 'blue';
}

function passengerCount(reservation: JsonObject): number {
  const p = reservation['passengers'];
  return Array.isArray(p) ? p.length : 0;
}

/** The cabin whose seats a fare uses: basic economy sits in economy. */
function cabinOf(fare: FareClass): 'economy' | 'business' {
  return fare === 'business' ? 'business' : 'economy';
}

function paymentDetail(reservation: JsonObject): string {
  const p = reservation['payment'];
  return isObject(p) && typeof p['detail'] === 'string' ? p['detail'] : 'the original payment method';
}

function minutes(stamp: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(stamp);
  if (!m) throw new Error(`not a time stamp "YYYY-MM-DDTHH:MM": ${stamp}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) / 60_000;
}

/** Whole and fractional hours from `from` to `to`, both "YYYY-MM-DDTHH:MM". */
export function hoursBetween(from: string, to: string): number {
  return (minutes(to) - minutes(from)) / 60;
}

/** Whether a booking made at `bookedAt` can still be cancelled free at `now` (24 hours inclusive). */
export function withinFreeCancellation(bookedAt: string, now: string): boolean {
  const h = hoursBetween(bookedAt, now);
  return h >= 0 && h <= FREE_CANCELLATION_HOURS;
}

/** When a flight leaves (its estimated time when delayed), as "YYYY-MM-DDTHH:MM". */
export function departureOf(flight: JsonObject): string {
  const time = typeof flight['estimated_departure'] === 'string' ? flight['estimated_departure'] : flight['departs'];
  return `${String(flight['date'])}T${String(time)}`;
}

/** Whether a flight has left by `now`; a flight the airline cancelled never leaves. */
export function hasDeparted(flight: JsonObject, now: string): boolean {
  const status = flight['status'];
  if (status === 'cancelled') return false;
  if (status === 'departed' || status === 'landed') return true;
  return minutes(departureOf(flight)) <= minutes(now);
}

/** Free checked bags for a whole reservation. */
export function bagAllowance(fare: FareClass, tier: Tier, passengers: number): number {
  return (BAG_ALLOWANCE[fare] + TIER_EXTRA_BAGS[tier]) * passengers;
}

/** The fee for adding `adding` bags to `current` ones: only bags beyond the allowance are paid. */
export function bagFee(current: number, adding: number, allowance: number): { paid: number; fee: number } {
  const paid = Math.max(0, current + adding - allowance) - Math.max(0, current - allowance);
  return { paid, fee: paid * EXTRA_BAG_FEE };
}

/**
 * What cancelling refunds, and on which rule: in full within 24 hours of booking, when the
 * airline cancelled a flight of the reservation, or for business fares; economy keeps a fee
 * per passenger; basic economy is not refundable (null).
 */
export function cancellationRefund(
  fare: FareClass,
  pricePaid: number,
  passengers: number,
  opts: { within24h: boolean; airlineCancelled: boolean },
): { amount: number; fee: number; rule: string } | null {
  if (opts.within24h) return { amount: roundMoney(pricePaid), fee: 0, rule: 'cancelled within 24 hours of booking: full refund' };
  if (opts.airlineCancelled) return { amount: roundMoney(pricePaid), fee: 0, rule: 'a flight was cancelled by Skylark Air: full refund' };
  if (fare === 'business') return { amount: roundMoney(pricePaid), fee: 0, rule: 'business fare: full refund' };
  if (fare === 'economy') {
    const fee = ECONOMY_CANCELLATION_FEE * passengers;
    return { amount: roundMoney(Math.max(0, pricePaid - fee)), fee, rule: `economy fare: $${ECONOMY_CANCELLATION_FEE} cancellation fee per passenger` };
  }
  return null;
}

/** The fee for changing a flight: nothing for business or gold members, else per passenger. */
export function changeFee(fare: FareClass, tier: Tier, passengers: number): number {
  if (fare === 'business' || tier === 'gold') return 0;
  return ECONOMY_CHANGE_FEE * passengers;
}

function flightIdsOf(reservation: JsonObject): string[] {
  const f = reservation['flights'];
  return Array.isArray(f) ? f.map(String) : [];
}

function seats(flight: JsonObject): JsonObject {
  const s = flight['seats_left'];
  if (!isObject(s)) throw new Error(`flight ${String(flight['id'])} has no seats_left`);
  return s;
}

function requireActive(reservation: JsonObject): void {
  if (reservation['status'] !== 'active') throw new ToolError(`Reservation ${String(reservation['id'])} is ${String(reservation['status'])}.`);
}

/* ------------------------------------------------------------------ tools */

const cancelReservation: ToolImpl = (db, args) => {
  const tool = 'cancel_reservation';
  const id = requiredString(args, 'reservation_id', tool);
  const reason = requiredString(args, 'reason', tool);
  const r = findReservation(db, id);
  const rid = String(r['id']);
  requireActive(r);
  const now = meta(db, 'now');
  const flights = flightIdsOf(r).map((f) => findFlight(db, f));
  const flown = flights.find((f) => hasDeparted(f, now));
  if (flown) {
    throw new ToolError(`Reservation ${rid} cannot be cancelled: flight ${String(flown['id'])} has already departed.`);
  }
  const fare = fareOf(r);
  const n = passengerCount(r);
  const within24h = withinFreeCancellation(String(r['booked_at']), now);
  const airlineCancelled = flights.some((f) => f['status'] === 'cancelled');
  const refund = cancellationRefund(fare, Number(r['price_paid']), n, { within24h, airlineCancelled });
  if (!refund) {
    throw new ToolError(
      `Reservation ${rid} is a basic economy fare booked at ${String(r['booked_at'])}, more than ${FREE_CANCELLATION_HOURS} hours ago; basic economy fares are not refundable after that, unless Skylark Air cancels a flight.`,
    );
  }
  const cabin = cabinOf(fare);
  for (const f of flights) {
    if (f['status'] === 'cancelled') continue;
    const s = seats(f);
    s[cabin] = Number(s[cabin]) + n;
  }
  r['status'] = 'cancelled';
  r['cancelled_at'] = now;
  listOf(r, 'refunds').push({
    type: 'cancellation',
    amount: refund.amount,
    cancellation_fee: refund.fee,
    method: 'original_payment',
    refunded_to: paymentDetail(r),
    issued_at: now,
  });
  return {
    reservation_id: rid,
    status: 'cancelled',
    reason,
    refund: { amount: refund.amount, cancellation_fee: refund.fee, refunded_to: paymentDetail(r), rule: refund.rule },
  };
};

const changeFlight: ToolImpl = (db, args) => {
  const tool = 'change_flight';
  const r = findReservation(db, requiredString(args, 'reservation_id', tool));
  const rid = String(r['id']);
  const oldId = requiredString(args, 'flight_id', tool);
  const newId = requiredString(args, 'new_flight_id', tool);
  requireActive(r);
  const fare = fareOf(r);
  if (fare === 'basic_economy') throw new ToolError(`Reservation ${rid} is a basic economy fare; basic economy flights cannot be changed.`);
  const ids = flightIdsOf(r);
  const index = ids.findIndex((f) => f.toLowerCase() === oldId.toLowerCase());
  if (index < 0) throw new ToolError(`Flight ${oldId} is not on reservation ${rid} (flights: ${ids.join(', ')}).`);
  const now = meta(db, 'now');
  const from = findFlight(db, ids[index]!);
  if (hasDeparted(from, now)) throw new ToolError(`Flight ${String(from['id'])} has already departed; it can no longer be changed.`);
  const to = findFlight(db, newId);
  const toId = String(to['id']);
  if (toId === String(from['id'])) throw new ToolError(`Reservation ${rid} is already on flight ${toId}.`);
  if (to['origin'] !== from['origin'] || to['destination'] !== from['destination']) {
    throw new ToolError(
      `Flight ${toId} flies ${String(to['origin'])} to ${String(to['destination'])}; a change must keep the route ${String(from['origin'])} to ${String(from['destination'])}.`,
    );
  }
  if (ids.includes(toId)) throw new ToolError(`Flight ${toId} is already on reservation ${rid}.`);
  if (to['status'] === 'cancelled') throw new ToolError(`Flight ${toId} has been cancelled.`);
  if (hasDeparted(to, now)) throw new ToolError(`Flight ${toId} has already departed.`);
  const n = passengerCount(r);
  const cabin = cabinOf(fare);
  const left = Number(seats(to)[cabin]);
  if (left < n) throw new ToolError(`Flight ${toId} has ${left} ${cabin} seat${left === 1 ? '' : 's'} left; ${n} needed.`);

  const tier = tierOf(memberOf(db, r));
  // A flight Skylark Air cancelled is rebooked free: no fee and no fare difference.
  const rebooking = from['status'] === 'cancelled';
  const fee = rebooking ? 0 : changeFee(fare, tier, n);
  const fares = (f: JsonObject) => (isObject(f['fares']) ? Number(f['fares'][fare]) : NaN);
  const perPassenger = roundMoney(Math.max(0, fares(to) - fares(from)));
  const difference = rebooking ? 0 : roundMoney(perPassenger * n);
  if (!Number.isFinite(difference)) throw new Error(`flights ${String(from['id'])} or ${toId} have no ${fare} fare`);
  const total = roundMoney(fee + difference);

  if (!rebooking) {
    const s = seats(from);
    s[cabin] = Number(s[cabin]) + n;
  }
  seats(to)[cabin] = left - n;
  ids[index] = toId;
  r['flights'] = ids;
  listOf(r, 'changes').push({
    from_flight: String(from['id']),
    to_flight: toId,
    change_fee: fee,
    fare_difference: difference,
    total_charged: total,
    charged_to: paymentDetail(r),
    changed_at: now,
  });
  return {
    reservation_id: rid,
    flights: ids,
    new_flight: { id: toId, date: to['date'] ?? null, departs: to['departs'] ?? null, arrives: to['arrives'] ?? null },
    change_fee: fee,
    fare_difference: difference,
    total_charged: total,
    charged_to: paymentDetail(r),
    ...(rebooking ? { note: 'The original flight was cancelled by Skylark Air: no change fee and no fare difference.' } : {}),
  };
};

const addCheckedBags: ToolImpl = (db, args) => {
  const tool = 'add_checked_bags';
  const r = findReservation(db, requiredString(args, 'reservation_id', tool));
  const rid = String(r['id']);
  const bags = args['bags'];
  if (typeof bags !== 'number' || !Number.isInteger(bags) || bags < 1) {
    throw new ToolError(`${tool}: "bags" must be a whole number of bags to add, at least 1.`, 'InvalidArguments');
  }
  requireActive(r);
  const now = meta(db, 'now');
  const first = flightIdsOf(r).map((f) => findFlight(db, f)).find((f) => hasDeparted(f, now));
  if (first) throw new ToolError(`Flight ${String(first['id'])} of reservation ${rid} has already departed; bags can only be added before the trip begins.`);
  const n = passengerCount(r);
  const current = Number(r['checked_bags'] ?? 0);
  if (current + bags > MAX_BAGS_PER_PASSENGER * n) {
    throw new ToolError(
      `Reservation ${rid} has ${current} checked bag${current === 1 ? '' : 's'}; at most ${MAX_BAGS_PER_PASSENGER} per passenger (${MAX_BAGS_PER_PASSENGER * n} in all) are allowed.`,
    );
  }
  const fare = fareOf(r);
  const tier = tierOf(memberOf(db, r));
  const allowance = bagAllowance(fare, tier, n);
  const { paid, fee } = bagFee(current, bags, allowance);
  r['checked_bags'] = current + bags;
  r['bag_fees_paid'] = roundMoney(Number(r['bag_fees_paid'] ?? 0) + fee);
  listOf(r, 'bag_purchases').push({ bags, paid_bags: paid, fee, charged_to: paymentDetail(r), at: now });
  return {
    reservation_id: rid,
    checked_bags: current + bags,
    free_allowance: allowance,
    bags_added: bags,
    paid_bags: paid,
    fee,
    charged_to: fee > 0 ? paymentDetail(r) : null,
  };
};

const issueCompensation: ToolImpl = (db, args) => {
  const tool = 'issue_compensation';
  const r = findReservation(db, requiredString(args, 'reservation_id', tool));
  const rid = String(r['id']);
  const flightId = requiredString(args, 'flight_id', tool);
  const onReservation = flightIdsOf(r).find((f) => f.toLowerCase() === flightId.toLowerCase());
  if (!onReservation) throw new ToolError(`Flight ${flightId} is not on reservation ${rid}.`);
  const flight = findFlight(db, onReservation);
  const fid = String(flight['id']);
  const delay = Number(flight['delay_minutes'] ?? 0);
  let kind: 'delay' | 'cancellation';
  if (flight['status'] === 'cancelled') kind = 'cancellation';
  else if (delay >= COMPENSATED_DELAY_MINUTES) kind = 'delay';
  else {
    throw new ToolError(
      `Flight ${fid} was ${delay > 0 ? `delayed ${delay} minutes` : 'not delayed'}; compensation is given only for cancellations by Skylark Air and delays of ${COMPENSATED_DELAY_MINUTES / 60} hours or more.`,
    );
  }
  const compensations = listOf(r, 'compensations');
  if (compensations.some((c) => isObject(c) && c['flight_id'] === fid)) {
    throw new ToolError(`Reservation ${rid} has already been compensated for flight ${fid}.`);
  }
  const member = memberOf(db, r);
  const tier = tierOf(member);
  const n = passengerCount(r);
  const amount = COMPENSATION[kind][tier] * n;
  const today = meta(db, 'today');
  const voucherId = `V-${rid}-${compensations.length + 1}`;
  const expires = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
  const voucher = { id: voucherId, amount, reason: kind, reservation_id: rid, flight_id: fid, issued_on: today, expires_on: expires };
  listOf(member, 'vouchers').push(voucher);
  compensations.push({ flight_id: fid, kind, amount, voucher_id: voucherId });
  return { ...voucher, per_passenger: COMPENSATION[kind][tier], passengers: n, tier };
};

/** Skylark Air's tools written in code; the rest are declarative, in the pack. */
export const airlineDomain: DomainImpl = {
  id: 'airline',
  tools: {
    cancel_reservation: cancelReservation,
    change_flight: changeFlight,
    add_checked_bags: addCheckedBags,
    issue_compensation: issueCompensation,
  },
  transferTools: [],
};
