/**
 * Mechanisms of the frame agent (frame-1.3.0), each on a small hand-made domain: choosing
 * between tools the request fits equally, info requests about things a write tool is named
 * after, vague openings, asking again, list parameters named by one phrase, "new_X"
 * parameters, requests about a relative's records, follow-ups to a refused action, several
 * values for one parameter, guides that cover the requested action, and lookups reused.
 */
import { describe, expect, it } from 'vitest';
import { driveAgent, type ToolRunner, tool, str, fail } from './drive.ts';
import type { JsonObject, ToolResult, ToolSpec } from '../../../src/core/model/types.ts';
import { createFrameAgent, distinctAlternatives, pickAlternative, reportFields, unsaidVerbs } from '../../../src/core/agents/frame-agent.ts';
import { contentWords, isVagueRequest, scoreIntents } from '../../../src/core/agents/frame-nlu.ts';


/** Drives the agent through user lines; tool calls are answered by `run`. */
async function converse(lines: string[], tools: ToolSpec[], policy: string, run: ToolRunner) {
  const agent = createFrameAgent({ role: 'agent', scenarioId: 't', domain: 'd', policy, tools, seed: 1 });
  const { said, calls } = await driveAgent(agent, lines, run, 12);
  return { said, calls: calls.map((c) => ({ name: c.name, arguments: c.arguments })), names: calls.map((c) => c.name) };
}

/* ------------------------------------------------------------ a small pharmacy */

const RX = str('Prescription number, e.g. "RX-1001".');
const PATIENT = str('Patient id, e.g. "PT-1".');
const PHARMACY: ToolSpec[] = [
  tool('find_patient', 'read', 'Find a patient by full name and date of birth.', { name: str('Full name, e.g. "Ann Lee".'), date_of_birth: str('Date of birth, e.g. "1980-01-01".') }, ['name', 'date_of_birth']),
  tool('get_patient', 'read', 'Get a patient by id.', { patient_id: PATIENT }, ['patient_id']),
  tool('list_prescriptions', 'read', "List a patient's prescriptions.", { patient_id: PATIENT }, ['patient_id']),
  tool('list_refills', 'read', "List a patient's open refills (queued or ready).", { patient_id: PATIENT }, ['patient_id']),
  tool('request_refill_pickup', 'write', 'Queue a refill for pickup at a store.', { rx_id: RX, store_id: str('Store id, e.g. "S1".') }, ['rx_id', 'store_id']),
  tool('request_refill_delivery', 'write', 'Queue a refill for home delivery.', { rx_id: RX }, ['rx_id']),
  tool('cancel_refill', 'write', 'Cancel a queued refill.', { rx_id: RX }, ['rx_id']),
  tool('request_renewal', 'write', 'Ask the prescriber to renew a prescription with no refills left.', { rx_id: RX }, ['rx_id']),
];
const PHARMACY_POLICY = 'Identify the caller with find_patient. Confirm before any change.';
const PATIENTS: Record<string, JsonObject> = {
  'PT-1': { id: 'PT-1', name: 'Ann Lee', default_store: 'S1', can_order_for: ['PT-2', 'PT-3'] },
  'PT-2': { id: 'PT-2', name: 'Jonah Lee', default_store: 'S1', can_order_for: [] },
  'PT-3': { id: 'PT-3', name: 'Mia Lee', default_store: 'S1', can_order_for: [] },
};
const PRESCRIPTIONS: Record<string, JsonObject[]> = {
  'PT-1': [
    { rx_id: 'RX-1001', drug: 'atorvastatin', strength: '10 mg' },
    { rx_id: 'RX-1002', drug: 'metformin', strength: '500 mg' },
    { rx_id: 'RX-1003', drug: 'lisinopril', strength: '20 mg' },
  ],
  'PT-2': [{ rx_id: 'RX-2001', drug: 'albuterol inhaler', strength: '90 mcg' }],
  'PT-3': [{ rx_id: 'RX-3001', drug: 'cetirizine', strength: '5 mg' }],
};
const pharmacy: ToolRunner = (name, args): ToolResult => {
  const pid = String(args['patient_id']);
  switch (name) {
    case 'find_patient':
      return args['name'] === 'Ann Lee' ? { ok: true, value: PATIENTS['PT-1']! } : fail('No such patient.');
    case 'get_patient':
      return PATIENTS[pid] ? { ok: true, value: PATIENTS[pid]! } : fail('No such patient.');
    case 'list_prescriptions':
      return { ok: true, value: PRESCRIPTIONS[pid] ?? [] };
    case 'list_refills':
      return { ok: true, value: pid === 'PT-1' ? [{ rx_id: 'RX-1001', drug: 'atorvastatin', status: 'ready', store_id: 'S1' }] : [] };
    case 'request_refill_delivery':
      if (args['rx_id'] === 'RX-1003') return fail('No refills left on RX-1003: offer to request a renewal.');
      return { ok: true, value: { rx_id: args['rx_id'] as string, status: 'queued', method: 'delivery' } };
    case 'request_renewal':
      return { ok: true, value: { rx_id: args['rx_id'] as string, status: 'sent', prescriber: 'Dr Anita Shah' } };
    default:
      return { ok: true, value: { status: 'done' } };
  }
};
const ME = '(this is Ann Lee, date of birth 1980-01-01)';

describe('frame agent: choosing between tools', () => {
  it('leaves out tools doing something unsaid, and tells the rest apart by their own words', () => {
    const said = new Set(contentWords('refill my atorvastatin'));
    expect(unsaidVerbs('cancel_refill', said)).toEqual(['cancel']);
    expect(unsaidVerbs('request_refill_pickup', said)).toEqual([]);
    const alts = distinctAlternatives([PHARMACY[4]!, PHARMACY[5]!])!;
    expect(alts.map((a) => a.words)).toEqual([['pickup'], ['delivery']]);
    expect(pickAlternative(alts, 'Delivery to my home, please.')?.name).toBe('request_refill_delivery');
    expect(pickAlternative(alts, 'I am not sure.')).toBeUndefined();
    // Tools with nothing of their own to ask by are no choice to offer.
    expect(distinctAlternatives([PHARMACY[4]!, tool('request_refill_pickup_now', 'write', '', {}, [])])).toBeUndefined();
  });

  it('asks pickup or delivery when the request says neither, and never proposes a cancellation', async () => {
    const r = await converse([`I'd like to refill my atorvastatin ${ME}.`, 'Delivery, please.', 'Yes, go ahead.'], PHARMACY, PHARMACY_POLICY, pharmacy);
    expect(r.said[0]).toMatch(/^Would you like (pickup or delivery|delivery or pickup)\?$/);
    expect(r.said.join(' ')).not.toMatch(/cancel/i);
    expect(r.said[1]).toMatch(/request refill delivery .*RX-1001/);
    expect(r.calls.at(-1)).toEqual({ name: 'request_refill_delivery', arguments: { rx_id: 'RX-1001' } });
  });

  it('asks nothing when the request says which', async () => {
    const r = await converse([`Please refill my atorvastatin for delivery ${ME}.`, 'Yes.'], PHARMACY, PHARMACY_POLICY, pharmacy);
    expect(r.said[0]).toMatch(/^To be sure: I will request refill delivery/);
    expect(r.names).toContain('request_refill_delivery');
  });

  it('looks up, not acts, when the user wants to find something out about a thing a write tool is named after', async () => {
    const r = await converse([`Can you find out whether my atorvastatin refill is ready ${ME}?`], PHARMACY, PHARMACY_POLICY, pharmacy);
    expect(r.names).toContain('list_refills');
    expect(r.said[0]).toMatch(/ready/);
    expect(r.said[0]).not.toMatch(/To be sure/);
  });

  it('does not let "wanna" pass for the main verb', () => {
    const writes = PHARMACY.filter((t) => t.kind === 'write').concat(tool('set_default_store', 'write', "Set a patient's usual store.", {}, []));
    expect(scoreIntents('wanna refill my lisinopril for pickup at my usual store', writes)[0]!.tool).toBe('request_refill_pickup');
  });
});

describe("frame agent: a relative's records", () => {
  it("looks up the people the caller acts for and asks which one, by first name", async () => {
    const r = await converse([`Please refill my son's inhaler for delivery ${ME}.`, 'Jonah.', 'Yes, please.'], PHARMACY, PHARMACY_POLICY, pharmacy);
    expect(r.calls).toContainEqual({ name: 'get_patient', arguments: { patient_id: 'PT-2' } });
    expect(r.calls).toContainEqual({ name: 'get_patient', arguments: { patient_id: 'PT-3' } });
    expect(r.said[0]).toBe('Which one do you mean: Jonah or Mia?');
    expect(r.calls).toContainEqual({ name: 'list_prescriptions', arguments: { patient_id: 'PT-2' } });
    expect(r.said[1]).toMatch(/for Jonah with rx id RX-2001/);
    expect(r.calls.at(-1)).toEqual({ name: 'request_refill_delivery', arguments: { rx_id: 'RX-2001' } });
  });

  it('asks nothing when the request names the relative', async () => {
    const r = await converse([`Please refill Mia's allergy tablets, my daughter, for delivery ${ME}.`, 'Yes.'], PHARMACY, PHARMACY_POLICY, pharmacy);
    expect(r.said[0]).toMatch(/^To be sure: I will request refill delivery for Mia Lee with rx id RX-3001/);
  });
});

describe('frame agent: several values and follow-ups', () => {
  it('confirms several values of one parameter at once and acts for each', async () => {
    const r = await converse([`Please refill RX-1001 and RX-1002 for delivery ${ME}.`, 'Yes, go ahead.'], PHARMACY, PHARMACY_POLICY, pharmacy);
    expect(r.said[0]).toMatch(/RX-1001.*RX-1002.*once for each/);
    const acts = r.calls.filter((c) => c.name === 'request_refill_delivery').map((c) => c.arguments['rx_id']);
    expect(acts).toEqual(['RX-1001', 'RX-1002']);
    expect(r.said[1]).toMatch(/All done for RX-1001.*All done for RX-1002/);
  });

  it('keeps the things of a refused action for the request that follows it', async () => {
    const r = await converse(
      [`Please refill my lisinopril for delivery ${ME}.`, 'Yes.', 'Then please ask my doctor for a renewal.', 'Yes.'],
      PHARMACY,
      PHARMACY_POLICY,
      pharmacy,
    );
    expect(r.said[1]).toMatch(/could not request refill delivery/);
    expect(r.said[2]).toMatch(/^To be sure: I will request renewal with rx id RX-1003/);
    expect(r.calls.at(-1)).toEqual({ name: 'request_renewal', arguments: { rx_id: 'RX-1003' } });
    expect(r.said[3]).toMatch(/Anita Shah/);
  });
});

/* ------------------------------------------------------------ a small shop */

const ORDER = str('Order id, e.g. "O-1".');
const SHOP: ToolSpec[] = [
  tool('find_customer_by_email', 'read', 'Find a customer by email.', { email: str('Email, e.g. "ann@example.com".') }, ['email']),
  tool('get_order', 'read', 'Get an order by id: status and items.', { order_id: ORDER }, ['order_id']),
  tool('get_product', 'read', 'Get a product by id: its variants.', { product_id: str('Product id, e.g. "P1".') }, ['product_id']),
  tool('cancel_order', 'write', 'Cancel an order that is still processing.', { order_id: ORDER, reason: str('The reason, e.g. "ordered by mistake".') }, ['order_id', 'reason']),
  tool('return_items', 'write', 'Return items of a delivered order.', { order_id: ORDER, item_ids: { type: 'array', items: { type: 'string' }, description: 'Ids of the items, e.g. ["O-1-1"].' } }, ['order_id', 'item_ids']),
  tool('exchange_item', 'write', 'Exchange one item for another variant of the same product.', { order_id: ORDER, item_id: str('Item id, e.g. "O-1-1".'), new_variant_id: str('Variant id, e.g. "P1-FOREST-L".') }, ['order_id', 'item_id', 'new_variant_id']),
];
const SHOP_POLICY = 'Identify the customer by email first. Confirm before any change.';
const item = (n: number, product: string, name: string, color: string, size: string) => ({ item_id: `O-1-${n}`, product_id: product, variant_id: `${product}-${color.toUpperCase()}-${size}`, name, options: { color, size } });
const ORDER_1 = { id: 'O-1', status: 'delivered', items: [item(1, 'P1', 'Pine Hoodie', 'forest', 'M'), item(2, 'P2', 'Crew Tee', 'navy', 'L'), item(3, 'P2', 'Crew Tee', 'white', 'L')] };
const variant = (color: string, size: string) => ({ variant_id: `P1-${color.toUpperCase()}-${size}`, options: { color, size }, price: 64, stock: 5 });
const P1 = { id: 'P1', name: 'Pine Hoodie', variants: ['forest', 'charcoal'].flatMap((c) => ['S', 'M', 'L', 'XL'].map((s) => variant(c, s))) };
const shop: ToolRunner = (name, args): ToolResult => {
  switch (name) {
    case 'find_customer_by_email':
      return { ok: true, value: { id: 'C1', name: 'Ann Lee', email: 'ann@example.com', order_ids: ['O-1'] } };
    case 'get_order':
      return args['order_id'] === 'O-1' ? { ok: true, value: ORDER_1 } : fail('No such order.');
    case 'get_product':
      return args['product_id'] === 'P1' ? { ok: true, value: P1 } : { ok: true, value: { id: 'P2', name: 'Crew Tee', variants: [] } };
    case 'cancel_order':
      return fail('Order O-1 is delivered; only processing orders can be cancelled.');
    default:
      return { ok: true, value: { status: 'done', ...args } };
  }
};

describe('frame agent: records named by the user', () => {
  it('takes every record a phrase names alike for a list parameter', async () => {
    const r = await converse(['I want to return two crew tees. My email is ann@example.com.', 'O-1', 'The Crew Tee.', 'Yes.'], SHOP, SHOP_POLICY, shop);
    expect(r.calls.at(-1)).toEqual({ name: 'return_items', arguments: { order_id: 'O-1', item_ids: ['O-1-2', 'O-1-3'] } });
  });

  it('asks for the details that tell a new variant apart, and never offers the one the item already is', async () => {
    const r = await converse(
      ['I want to exchange my hoodie for a bigger size. My email is ann@example.com.', 'O-1', "I don't know it.", 'L', 'Yes.'],
      SHOP,
      SHOP_POLICY,
      shop,
    );
    const asked = r.said.find((s) => /Which new/.test(s));
    expect(asked).toBe('Which new color and size would you like?');
    expect(r.said.join(' ')).not.toMatch(/P1-FOREST-M/);
    // "L", and the colour the item has: the forest hoodie in L.
    expect(r.calls.at(-1)).toEqual({ name: 'exchange_item', arguments: { order_id: 'O-1', item_id: 'O-1-1', new_variant_id: 'P1-FOREST-L' } });
  });

  it('is not thrown by a detail that no option holds (a mistyped label)', async () => {
    const r = await converse(
      ['I want to exchange my hoodie for a bigger size. My email is ann@example.com.', 'My order nubmer is O-1.', "I don't know it.", 'Forest and L.', 'Yes.'],
      SHOP,
      SHOP_POLICY,
      shop,
    );
    expect(r.calls.at(-1)).toEqual({ name: 'exchange_item', arguments: { order_id: 'O-1', item_id: 'O-1-1', new_variant_id: 'P1-FOREST-L' } });
  });

  it('reuses a lookup made for an earlier request instead of ignoring it', async () => {
    const r = await converse(
      ['I want to cancel my order. My email is ann@example.com.', 'O-1', 'Changed my mind.', 'Yes.', 'I want to return the crew tees from order O-1.', 'Crew Tee', 'Yes.'],
      SHOP,
      SHOP_POLICY,
      shop,
    );
    expect(r.said.join(' ')).toMatch(/could not cancel order/);
    expect(r.calls.filter((c) => c.name === 'get_order')).toHaveLength(1);
    expect(r.calls.at(-1)).toEqual({ name: 'return_items', arguments: { order_id: 'O-1', item_ids: ['O-1-2', 'O-1-3'] } });
  });

  it('asks what to do when the opening only names a thing', async () => {
    expect(isVagueRequest('Hi. I have a problem with my order.')).toBe(true);
    expect(isVagueRequest('I need some help with my order.')).toBe(true);
    expect(isVagueRequest('I want to cancel my order.')).toBe(false);
    expect(isVagueRequest('Where is my order?')).toBe(false);
    const r = await converse(['Hi. I have a problem with my order.'], SHOP, SHOP_POLICY, shop);
    expect(r.said[0]).toBe('I can help with your order. What would you like to do?');
    expect(r.calls).toEqual([]);
  });
});

/* ------------------------------------------------------------ flights and guides */

const FLIGHTS: ToolSpec[] = [
  tool('get_flight_status', 'read', 'Get one flight by number and date: times, status, estimated departure.', { flight_number: str('Flight number, e.g. "SK101".'), date: { type: 'string', description: 'Date, e.g. "2026-06-15".', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } }, ['flight_number', 'date']),
  tool('change_flight', 'write', 'Move a reservation to another flight.', { reservation_id: str('Reservation code, e.g. "KQ4T7B".'), flight_id: str('Flight id, e.g. "SK101-2026-06-15".') }, ['reservation_id', 'flight_id']),
];
const flights: ToolRunner = (name, args): ToolResult =>
  name === 'get_flight_status'
    ? { ok: true, value: { id: `${String(args['flight_number'])}-${String(args['date'])}`, departs: '16:30', status: 'delayed', delay_minutes: 150, estimated_departure: '19:00' } }
    : fail('Not here.');

describe('frame agent: info requests', () => {
  it('hears "leaves" as departure when it reports', () => {
    const value = { flight_number: 'SK205', status: 'delayed', seats_left: 3, estimated_departure: '19:00' };
    expect(reportFields(value, contentWords('find out when my flight leaves'), true)).toMatch(/estimated departure: 19:00/);
  });

  it('looks the flight up rather than changing it, and answers again when asked again', async () => {
    const r = await converse(
      ["I'd like to find out when my flight leaves.", 'SK205', '2026-06-12', 'I also need to find out when my flight leaves.', 'SK205', '2026-06-12'],
      FLIGHTS,
      'Flight status is public.',
      flights,
    );
    expect(r.names).toEqual(['get_flight_status']);
    const answers = r.said.filter((s) => s.includes('19:00'));
    expect(answers).toHaveLength(2);
  });
});

describe('frame agent: guides', () => {
  const GUIDED: ToolSpec[] = [
    tool('get_guide', 'read', 'Open a troubleshooting guide. Guides: laptop-no-power, lost-or-stolen-device.', { guide_id: str('Guide id, e.g. "laptop-no-power".') }, ['guide_id']),
    tool('report_lost_or_stolen', 'write', 'Report a device lost or stolen.', { asset_id: str('Asset tag, e.g. "LT-1001".') }, ['asset_id']),
  ];
  it('opens the guide named after the requested action, not one about the device', async () => {
    const r = await converse(["I'd like to report my stolen laptop."], GUIDED, 'Follow the guides.', () => ({ ok: true, value: { steps: [], outcomes: [] } }));
    expect(r.calls[0]).toEqual({ name: 'get_guide', arguments: { guide_id: 'lost-or-stolen-device' } });
  });
});

describe('frame agent: details that say what to do, and questions about questions', () => {
  const ACCESS: ToolSpec[] = [
    tool('find_employee_by_email', 'read', 'Find an employee by email.', { email: str('Work email, e.g. "a.b@example.com".') }, ['email']),
    tool('list_access', 'read', "List an employee's access to systems: system, level, status.", { employee_id: str('Employee id, e.g. "E1021".') }, ['employee_id']),
    tool('update_access_level', 'write', 'Change the level of access an employee already has to a system.', {
      employee_id: str('Employee id, e.g. "E1021".'),
      system_id: str('System id, e.g. "jira", "aws-console".'),
      level: { type: 'string', description: 'Access level.', enum: ['read', 'write', 'admin'] },
    }, ['employee_id', 'system_id', 'level']),
  ];
  const access: ToolRunner = (name): ToolResult =>
    name === 'find_employee_by_email'
      ? { ok: true, value: { id: 'E1034', name: 'Hannah Weiss', status: 'active' } }
      : name === 'list_access'
        ? { ok: true, value: [{ employee_id: 'E1034', system_id: 'netsuite', level: 'write', status: 'active' }, { employee_id: 'E1034', system_id: 'tableau', level: 'read', status: 'active' }] }
        : { ok: true, value: { status: 'active' } };

  it('does not let the level asked for ("to write") pick the system that already has it', async () => {
    const r = await converse(['Can you help me upgrade my Tableau access to write? My email is hannah@example.com.', 'Yes.'], ACCESS, 'Identify the employee first. Confirm before any change.', access);
    expect(r.said[0]).toMatch(/system id tableau/);
    expect(r.calls.at(-1)).toEqual({ name: 'update_access_level', arguments: { employee_id: 'E1034', system_id: 'tableau', level: 'write' } });
  });

  it('asks for the telling details again when the user asks why they are needed', async () => {
    const r = await converse(
      ['I want to exchange my hoodie for a bigger size. My email is ann@example.com.', 'O-1', "I don't know it.", 'Forest.', 'Why do you need that?', 'L', 'Yes.'],
      SHOP,
      SHOP_POLICY,
      shop,
    );
    expect(r.said).toContain('Which new color and size would you like?');
    // The colour given, the size is still open; asked why, the agent asks it again rather than giving up.
    expect(r.said.filter((s) => s === 'Which new size would you like?')).toHaveLength(2);
    expect(r.calls.at(-1)).toEqual({ name: 'exchange_item', arguments: { order_id: 'O-1', item_id: 'O-1-1', new_variant_id: 'P1-FOREST-L' } });
  });
});

describe('frame agent: greetings and thanks', () => {
  it('answers a greeting alone with a greeting, and thanks alone with "you\'re welcome", not as a request it did not understand', async () => {
    const { said } = await converse(['Hello', 'Thank you.', 'thanks a lot!', 'Great, thanks.'], PHARMACY, 'Help patients with refills.', () => fail('unused'));
    expect(said[3]).toBe("You're welcome! Is there anything else I can help you with?");
    expect(said[0]).toBe('Hello! How can I help you today?');
    expect(said[1]).toBe("You're welcome! Is there anything else I can help you with?");
    expect(said[2]).toBe("You're welcome! Is there anything else I can help you with?");
    expect(said.join(' ')).not.toMatch(/did not catch|outside what I can do/);
  });
});

/* ------------------------------------------------------------ frame-1.4.0 */

describe('frame agent: ids made of pieces, ids listed in records, steps a tool error asks for', () => {
  const TRIP_ID = (ex: string) => str(`Trip id: trip number and date, e.g. "${ex}".`);
  const TRAVEL: ToolSpec[] = [
    tool('get_booking', 'read', 'Get a booking by code.', { booking_id: str('Booking code, e.g. "B-100".') }, ['booking_id']),
    tool('get_trip_status', 'read', 'Get one trip by trip number and date.', { trip_number: str('Trip number, e.g. "TR10".'), date: { type: 'string', description: 'Date "YYYY-MM-DD".', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } }, ['trip_number', 'date']),
    tool('move_trip', 'write', 'Move a booking from one of its trips to another.', { booking_id: str('Booking code, e.g. "B-100".'), trip_id: TRIP_ID('TR10-2030-05-01'), new_trip_id: TRIP_ID('TR12-2030-05-03') }, ['booking_id', 'trip_id', 'new_trip_id']),
  ];
  const TRAVEL_POLICY = "Today's date is 2030-04-20. Confirm before any change.";
  const travel: ToolRunner = (name, args): ToolResult => {
    if (name === 'get_booking') return args['booking_id'] === 'B-100' ? { ok: true, value: { id: 'B-100', status: 'active', trips: ['TR10-2030-05-01'] } } : fail('Booking not found.');
    if (name === 'move_trip') return { ok: true, value: { booking_id: args['booking_id'] as string, trips: [args['new_trip_id'] as string], fee: 75 } };
    return fail('not here');
  };

  it('takes the id a record lists under its plural ("trips") instead of asking for it', async () => {
    const r = await converse(['I want to move my trip.', 'B-100', 'My new date is May 2.', 'Yes.'], TRAVEL, TRAVEL_POLICY, travel);
    expect(r.said.join(' ')).not.toMatch(/what is your trip id/i);
    expect(r.calls.find((c) => c.name === 'move_trip')?.arguments['trip_id']).toBe('TR10-2030-05-01');
  });

  it('puts a new id together from a new date said in words, keeps the unchanged piece, and confirms in the user\'s words', async () => {
    const r = await converse(['I want to move my trip.', 'B-100', 'My new date is May 2.', 'Yes.'], TRAVEL, TRAVEL_POLICY, travel);
    const confirm = r.said.find((s) => /shall i proceed/i.test(s)) ?? '';
    expect(confirm).toContain('TR10-2030-05-02');
    expect(confirm).toContain('May 2');
    expect(r.calls.find((c) => c.name === 'move_trip')?.arguments['new_trip_id']).toBe('TR10-2030-05-02');
  });

  it('asks for the pieces of a new id the user does not know, and takes a bare piece for the id', async () => {
    const r = await converse(['I want to move my trip.', 'B-100', "I don't know it.", 'TR11', 'Yes.'], TRAVEL, TRAVEL_POLICY, travel);
    expect(r.said[1]).toMatch(/new trip id/i);
    expect(r.said[2]).toMatch(/new trip number/i);
    expect(r.calls.find((c) => c.name === 'move_trip')?.arguments['new_trip_id']).toBe('TR11-2030-05-01');
  });

  it('reads ids and dates as pieces only where they split wholly', async () => {
    const { idComposition, isoDateIn, splitId } = await import('../../../src/core/agents/frame-nlu.ts');
    const params = [
      { name: 'trip_number', shape: /(?<![A-Za-z0-9_])(?:TR\d+)(?![A-Za-z0-9_])/g },
      { name: 'date', shape: /(?<![A-Za-z0-9_])\d{4}-\d{2}-\d{2}(?![A-Za-z0-9_])/g },
    ];
    const parts = idComposition('TR10-2030-05-01', params);
    expect(parts).toEqual([{ param: 'trip_number' }, { text: '-' }, { param: 'date' }]);
    expect(idComposition('B-100', params)).toBeUndefined();
    expect(splitId('TR7-2030-12-31', parts!, new Map(params.map((p) => [p.name, p.shape])))?.get('date')).toBe('2030-12-31');
    expect(isoDateIn('on June 18th please', 2026)).toBe('2026-06-18');
    expect(isoDateIn('the 3rd of March, 2027')).toBe('2027-03-03');
    expect(isoDateIn('June 18')).toBeUndefined();
  });

  const EMP = str('Employee id, e.g. "E1021".');
  const DESK: ToolSpec[] = [
    tool('unlock_account', 'write', 'Unlock a locked account.', { employee_id: EMP }, ['employee_id']),
    tool('reset_mfa', 'write', 'Reset multi-factor authentication.', { employee_id: EMP }, ['employee_id']),
  ];
  const desk = (): ToolRunner => {
    let locked = true;
    return (name): ToolResult => {
      if (name === 'unlock_account') {
        locked = false;
        return { ok: true, value: { status: 'active' } };
      }
      return locked ? fail('The account is locked: unlock it before resetting MFA.') : { ok: true, value: { mfa_status: 're_enrollment_pending' } };
    };
  };

  it('offers the step a tool error asks for, confirms it, takes it, then confirms and retries the action', async () => {
    const r = await converse(['I need to reset my MFA.', 'E1021', 'Yes.', 'Yes.', 'Yes.'], DESK, 'New phone: unlock_account first if the account is locked, then reset_mfa. Confirm before any change.', desk());
    expect(r.names).toEqual(['reset_mfa', 'unlock_account', 'reset_mfa']);
    expect(r.said[2]).toMatch(/unlock account first.*shall i proceed/i);
    expect(r.said[3]).not.toMatch(/all done/i);
    expect(r.said[3]).toMatch(/reset mfa.*shall i proceed/i);
    expect(r.said[4]).toMatch(/all done/i);
  });

  it('takes no such step without a yes, nor with a tool the policy does not name', async () => {
    const declined = await converse(['I need to reset my MFA.', 'E1021', 'Yes.', 'No.'], DESK, 'Use unlock_account for locked accounts. Confirm before any change.', desk());
    expect(declined.names).toEqual(['reset_mfa']);
    const unnamed = await converse(['I need to reset my MFA.', 'E1021', 'Yes.', 'Yes.'], DESK, 'Confirm before any change.', desk());
    expect(unnamed.names).toEqual(['reset_mfa']);
  });
});

/* ------------------------------------------------------------ frame-1.5.0: "where" and "everything" */

const DEPOT: ToolSpec[] = [
  tool('find_member', 'read', 'Find a member by full name and date of birth.', { name: str('Full name, e.g. "Ann Lee".'), date_of_birth: str('Date of birth, e.g. "1980-01-01".') }, ['name', 'date_of_birth']),
  tool('list_parcels', 'read', "List a member's parcels: status and depot.", { member_id: str('Member id, e.g. "M-1".') }, ['member_id']),
  tool('list_depots', 'read', 'List every depot: id, name, address and town.', {}, []),
  tool('list_tickets', 'read', "List a member's tickets: status and valid from.", { member_id: str('Member id, e.g. "M-1".') }, ['member_id']),
  tool('renew_ticket', 'write', 'Renew a renewable ticket. Only after the member has confirmed.', { ticket_id: str('Ticket id, e.g. "T-10".') }, ['ticket_id']),
];
const TICKETS = [
  { id: 'T-10', line: 'red line', state: 'renewable', valid_from: null },
  { id: 'T-11', line: 'blue line', state: 'renewable', valid_from: null },
  { id: 'T-12', line: 'green line', state: 'locked', valid_from: '2027-05-02' },
];
const depot: ToolRunner = (name, args): ToolResult => {
  if (name === 'find_member') return { ok: true, value: { id: 'M-1', name: 'Ann Lee' } };
  if (name === 'list_parcels') return { ok: true, value: [{ parcel_id: 'PC-1', member_id: 'M-1', status: 'ready', depot_id: 'D2' }] };
  if (name === 'list_depots') return { ok: true, value: [{ id: 'D1', name: 'North Depot', address: '1 North Road', town: 'Avon' }, { id: 'D2', name: 'Quay Depot', address: '9 Quay Lane', town: 'Avon' }] };
  if (name === 'list_tickets') return { ok: true, value: TICKETS };
  if (name === 'renew_ticket') return { ok: true, value: { id: args['ticket_id'] ?? null, state: 'renewed' } };
  return fail(`unknown tool ${name}`);
};
const DEPOT_POLICY = 'Identify the member with find_member. Confirm before any change.';
const ANN = '(this is Ann Lee, date of birth 1980-01-01)';

describe('frame agent: where a record is, and every record an action takes', () => {
  it('answers "where" with the place a looked-up record points to, by its id', async () => {
    const r = await converse([`Can you find out whether my parcel is ready ${ANN}?`, 'I also need to find out where to pick it up.'], DEPOT, DEPOT_POLICY, depot);
    expect(r.names).toContain('list_depots');
    const answer = r.said[r.said.length - 1]!;
    expect(answer).toContain('Quay Depot');
    expect(answer).toContain('9 Quay Lane');
    expect(answer).not.toContain('North Depot');
    expect(answer).not.toMatch(/outside what I can do/);
  });

  it('acts on every record the action description allows for "everything", and names those left out', async () => {
    const r = await converse([`Please renew everything that can be renewed ${ANN}.`, 'Yes, please.'], DEPOT, DEPOT_POLICY, depot);
    expect(r.said.join(' ')).not.toMatch(/which ticket/i);
    const renewed = r.calls.filter((c) => c.name === 'renew_ticket').map((c) => c.arguments['ticket_id']);
    expect(renewed).toEqual(['T-10', 'T-11']);
    const last = r.said[r.said.length - 1]!;
    expect(last).toContain('green line');
    expect(last).toContain('2027-05-02');
  });

  it('still asks which one when the request does not say every', async () => {
    const r = await converse([`Please renew my ticket ${ANN}.`], DEPOT, DEPOT_POLICY, depot);
    expect(r.names).not.toContain('renew_ticket');
    expect(r.said[r.said.length - 1]).toMatch(/which/i);
  });
});
