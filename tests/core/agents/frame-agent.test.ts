import { describe, expect, it } from 'vitest';
import { driveAgent, type ToolRunner, tool } from './drive.ts';
import type { Json, JsonObject, ToolResult, ToolSpec } from '../../../src/core/model/types.ts';
import { createFrameAgent, reportFields } from '../../../src/core/agents/frame-agent.ts';
import {
  bareAnswer,
  cleanValue,
  labelledValues,
  matchEnum,
  paramsOf,
  scoreIntents,
  shapeMatches,
  shapeOfExamples,
} from '../../../src/core/agents/frame-nlu.ts';
import type { AgentSeatContext } from '../../../src/core/simulation/participant.ts';
import { parseAgentText } from '../../../src/core/users/nlu.ts';
import { agentSeat } from '../../../src/core/participants.ts';

/* ------------------------------------------------------------ a small hand-made domain */


const TOOLS: ToolSpec[] = [
  tool('find_member_by_email', 'read', 'Find a member by email. Returns id, name, plan and subscription_ids.', { email: { type: 'string', description: 'Email, e.g. "ann@example.com".' } }, ['email']),
  tool('get_subscription', 'read', 'Get a subscription by id: plan, status, price.', { subscription_id: { type: 'string', description: 'Subscription id, e.g. "SUB-100".' } }, ['subscription_id']),
  tool(
    'cancel_subscription',
    'write',
    'Cancel an active subscription. Only after the member has confirmed.',
    {
      member_id: { type: 'string', description: 'Member id, e.g. "M-100".' },
      subscription_id: { type: 'string', description: 'Subscription id, e.g. "SUB-100".' },
      refund_method: { type: 'string', description: 'Where the refund goes.', enum: ['original_payment', 'store_credit'] },
    },
    ['member_id', 'subscription_id', 'refund_method'],
  ),
  tool(
    'change_plan',
    'write',
    'Change the plan of a subscription.',
    {
      subscription_id: { type: 'string', description: 'Subscription id, e.g. "SUB-100".' },
      plan: { type: 'string', description: 'The new plan.', enum: ['basic', 'premium'] },
    },
    ['subscription_id', 'plan'],
  ),
  tool('transfer_to_human', 'read', 'Hand the member to a person.', { summary: { type: 'string', description: 'A short summary.' } }, ['summary']),
];

const POLICY = 'Identify the member first with find_member_by_email. Confirm before any change.';

const MEMBER = { id: 'M-17', name: 'Ann Lee', email: 'ann@example.com', plan: 'premium', subscription_ids: ['SUB-201', 'SUB-202'] };
const SUBS: Record<string, JsonObject> = {
  'SUB-201': { id: 'SUB-201', title: 'Film club', status: 'active', price: 12 },
  'SUB-202': { id: 'SUB-202', title: 'Music box', status: 'active', price: 9.5 },
};

/** The domain's tools as plain functions; cancel refuses an already cancelled subscription. */
function runTool(name: string, args: JsonObject): ToolResult {
  switch (name) {
    case 'find_member_by_email':
      return args['email'] === MEMBER.email ? { ok: true, value: MEMBER } : { ok: false, error: { name: 'DomainError', message: 'No member with that email.' } };
    case 'get_subscription': {
      const s = SUBS[String(args['subscription_id'])];
      return s ? { ok: true, value: s } : { ok: false, error: { name: 'DomainError', message: 'No such subscription.' } };
    }
    case 'cancel_subscription':
      if (args['subscription_id'] === 'SUB-202') return { ok: false, error: { name: 'DomainError', message: 'Subscription SUB-202 has been paused and cannot be cancelled.' } };
      return { ok: true, value: { id: args['subscription_id'] as string, status: 'cancelled', refund_amount: 12 } };
    case 'transfer_to_human':
      return { ok: true, value: { transferred: true } };
    default:
      return { ok: false, error: { name: 'UnknownTool', message: name } };
  }
}

const ctx = (tools = TOOLS, policy = POLICY): AgentSeatContext => ({ role: 'agent', scenarioId: 't', domain: 'subs', policy, tools, seed: 1 });

/** Drives the agent through user lines; tool calls are answered by runTool unless told otherwise. */
function converse(lines: string[], tools = TOOLS, policy = POLICY, run: ToolRunner = runTool) {
  return driveAgent(createFrameAgent(ctx(tools, policy)), lines, run);
}

/* ------------------------------------------------------------ understanding */

describe('frame NLU: intent detection', () => {
  const writes = TOOLS.filter((t) => t.kind === 'write');
  it('matches the user verb to the tool name, with synonyms', () => {
    expect(scoreIntents('I want to cancel my subscription', writes)[0]!.tool).toBe('cancel_subscription');
    expect(scoreIntents('Could you do a cancellation of my film club?', writes)[0]!.tool).toBe('cancel_subscription');
    expect(scoreIntents('I would like to upgrade my plan to premium', writes)[0]!.tool).toBe('change_plan');
    expect(scoreIntents('please modify the plan', writes)[0]!.tool).toBe('change_plan');
  });

  it('finds nothing for words no tool is about', () => {
    expect(scoreIntents('what is the weather like in Paris', writes).filter((s) => s.nameHits.length > 0)).toEqual([]);
  });

  it('lets the main verb outweigh words that only qualify it', () => {
    const tools = [
      tool('request_refill_pickup', 'write', 'Queue a refill for pickup at a store.', {}, []),
      tool('set_default_store', 'write', "Set a patient's usual store.", {}, []),
    ];
    expect(scoreIntents('refill my blood pressure medicine for pickup at my usual store', tools)[0]!.tool).toBe('request_refill_pickup');
    expect(scoreIntents('set my usual store to Elm Street', tools)[0]!.tool).toBe('set_default_store');
  });
});

describe('frame NLU: slot values', () => {
  it('learns id shapes from the examples in descriptions', () => {
    const order = shapeOfExamples(['BK-2041'])!;
    expect(shapeMatches('It is BK-2099, not 12345.', order)).toEqual(['BK-2099']);
    const payment = shapeOfExamples(['credit_card_0000000'])!;
    expect(shapeMatches('use paypal_7644869 or gift_card_1234', payment)).toEqual(['paypal_7644869', 'gift_card_1234']);
    const code = shapeOfExamples(['KQ4T7B'])!;
    expect(shapeMatches('my code is PL6W3N', code)).toEqual(['PL6W3N']);
    // All-digit ids keep their length: a 10-digit item id is not a 5-digit zip.
    const item = shapeOfExamples(['1008292230'])!;
    expect(shapeMatches('zip 19122, item 4983901480', item)).toEqual(['4983901480']);
    expect(shapeOfExamples(['jira', 'aws-console'])).toBeUndefined();
    expect(shapeMatches('mail me at a.b@example.com.', shapeOfExamples([], 'email')!)).toEqual(['a.b@example.com']);
  });

  it('reads parameters from JSON Schema: required, enum, shape', () => {
    const ps = paramsOf(TOOLS[2]!);
    expect(ps.map((p) => [p.name, p.required])).toEqual([
      ['member_id', true],
      ['subscription_id', true],
      ['refund_method', true],
    ]);
    expect(ps[2]!.enum).toEqual(['original_payment', 'store_credit']);
    expect(shapeMatches('SUB-7 please', ps[1]!.shape!)).toEqual(['SUB-7']);
  });

  it('finds enum values in free words', () => {
    expect(matchEnum('original payment method, please', ['original_payment', 'store_credit'])).toBe('original_payment');
    expect(matchEnum('as store credit', ['original_payment', 'store_credit'])).toBe('store_credit');
    expect(matchEnum('it was stolen from my car', ['lost', 'stolen'])).toBe('stolen');
    expect(matchEnum('no idea', ['lost', 'stolen'])).toBeUndefined();
  });

  it('reads labelled values and bare answers', () => {
    expect(labelledValues('Hi. My order number is BK-2041. In case it helps, my email address is a@b.com.')).toEqual([
      { label: 'order number', value: 'BK-2041' },
      { label: 'email address', value: 'a@b.com' },
    ]);
    expect(bareAnswer('Sure, it is 2207 Fatherland St, Nashville, TN 37206.')).toBe('2207 Fatherland St, Nashville, TN 37206');
    expect(bareAnswer("I'd like it as original payment method.")).toBe('original payment method');
    expect(bareAnswer('As I said, Elm Street.')).toBe('Elm Street');
  });
});

/* ------------------------------------------------------------ the agent on a hand-made scenario */

describe('frame agent', () => {
  it('identifies, chains the member id from the lookup, asks one slot at a time, confirms, acts and reports', async () => {
    const { said, calls } = await converse([
      'Hi, I want to cancel my subscription.',
      "It's ann@example.com.",
      'It is SUB-201.',
      'Store credit, please.',
      'Yes, go ahead.',
    ]);
    // Questions the agenda simulator's reader understands, one slot each.
    expect(parseAgentText(said[0]!, ['email'])).toContainEqual({ act: 'request', slot: 'email' });
    expect(parseAgentText(said[1]!, ['subscription_id'])).toContainEqual({ act: 'request', slot: 'subscription_id' });
    expect(parseAgentText(said[2]!, ['refund_method'])).toContainEqual({ act: 'request', slot: 'refund_method' });
    // The member id came from the lookup, never from the user.
    expect(calls.map((c) => c.name)).toEqual(['find_member_by_email', 'get_subscription', 'cancel_subscription']);
    expect(calls[2]!.arguments).toEqual({ member_id: 'M-17', subscription_id: 'SUB-201', refund_method: 'store_credit' });
    // The confirmation names every argument and reads as a confirmation request.
    expect(said[3]).toMatch(/M-17/);
    expect(said[3]).toMatch(/SUB-201/);
    expect(said[3]).toMatch(/store credit/i);
    expect(parseAgentText(said[3]!, ['subscription_id']).map((a) => a.act)).toEqual(['confirm']);
    // The report carries the figures, money with two decimals, and reads as done.
    expect(said[4]).toMatch(/refund amount: 12\.00/);
    expect(parseAgentText(said[4]!, []).map((a) => a.act)).toContain('done');
  });

  it('acts only on a yes: a no with a correction leads to a new confirmation, not a call', async () => {
    const { said, calls } = await converse([
      'I want to cancel my subscription. My email address is ann@example.com.',
      'SUB-201',
      'original payment',
      'No, that is not right. My subscription id is SUB-202.',
    ]);
    expect(calls.filter((c) => c.name === 'cancel_subscription')).toEqual([]);
    expect(said.at(-1)).toMatch(/SUB-202/);
    expect(said.at(-1)).toMatch(/shall I proceed\?/);
  });

  it('tells the user the tool refusal in words the simulator reads as a refusal', async () => {
    const { said, calls } = await converse([
      'I want to cancel my subscription. My email address is ann@example.com.',
      'It is SUB-202.',
      'store credit',
      'yes',
    ]);
    expect(calls.at(-1)!.name).toBe('cancel_subscription');
    expect(said.at(-1)).toMatch(/^Unfortunately, I could not cancel subscription: Subscription SUB-202 was paused/);
    const acts = parseAgentText(said.at(-1)!, []).map((a) => a.act);
    expect(acts).toContain('refuse');
    // "has been paused" would read as success; the agent says it plainly.
    expect(acts).not.toContain('done');
  });

  it('resolves the thing the user names against looked-up records ("the music box one")', async () => {
    const { calls } = await converse(['Hi! I would like to change my plan to basic. My email address is ann@example.com.'], TOOLS);
    // Without a subscription id it does not guess: it lists neither a call nor a made-up id.
    expect(calls.map((c) => c.name)).toEqual(['find_member_by_email']);
    const named = await converse([
      'Hi! I would like to change my plan to basic. My email address is ann@example.com.',
      "I don't know my subscription id, sorry. It is the Music box one.",
      'yes',
    ]);
    expect(named.calls.find((c) => c.name === 'change_plan')?.arguments).toEqual({ subscription_id: 'SUB-202', plan: 'basic' });
  });

  it('never invents a value the user does not have, and hands over when stuck', async () => {
    const { said, calls } = await converse([
      'I want to cancel my subscription.',
      "I don't know my email address, sorry.",
      "I don't know my subscription id.",
      'But I really need this. Is there really nothing you can do?',
    ]);
    expect(calls.some((c) => c.name === 'cancel_subscription')).toBe(false);
    expect(said.some((s) => /unable to go on/.test(s))).toBe(true);
    expect(calls.at(-1)?.name).toBe('transfer_to_human');
  });

  it('refuses a request no tool serves, and transfers when the user insists', async () => {
    const { said, calls } = await converse(['Can you get me a price adjustment on my last bill?', 'But I really need this. Is there really nothing you can do?']);
    expect(parseAgentText(said[0]!, []).map((a) => a.act)).toContain('refuse');
    expect(calls.map((c) => c.name)).toEqual(['transfer_to_human']);
  });

  it('is registered as the "frame" agent seat for every domain', () => {
    const seat = agentSeat('frame');
    expect(seat.domains).toBeUndefined();
    expect(seat.create(ctx()).role).toBe('agent');
  });
});

/* ------------------------------------------------------------ frame-1.2.0 */

describe('frame NLU: asides and repeats', () => {
  it('reads "X are Y btw", drops "btw" before a full stop, and never takes a repeat opener for a label', () => {
    expect(labelledValues('item ids are HP-1, HP-2 btw')).toEqual([{ label: 'item ids', value: 'HP-1, HP-2' }]);
    expect(labelledValues('size is L btw.')).toEqual([{ label: 'size', value: 'L' }]);
    expect(cleanValue('L btw.')).toBe('L');
    expect(labelledValues('told u already: HP-29940')).toEqual([]);
    expect(labelledValues('I already told you: XC5T1U.')).toEqual([]);
    expect(bareAnswer('told u already: HP-29940')).toBe('HP-29940');
    expect(bareAnswer('I already told you: XC5T1U.')).toBe('XC5T1U');
  });
});

/** A tiny shop: an order item in one colour and size, its product's variants, an exchange, saved addresses. */
const SHOP_TOOLS: ToolSpec[] = [
  tool('get_item', 'read', 'Get an ordered item by id: product, variant and options.', { item_id: { type: 'string', description: 'Item id, e.g. "IT-5".' } }, ['item_id']),
  tool('get_product', 'read', 'Get a product by id with its variants.', { product_id: { type: 'string', description: 'Product id, e.g. "P-1".' } }, ['product_id']),
  tool('get_customer', 'read', 'Get a customer by id with saved addresses.', { customer_id: { type: 'string', description: 'Customer id, e.g. "C-1".' } }, ['customer_id']),
  tool(
    'exchange_item',
    'write',
    'Exchange an item for another variant of the same product.',
    { item_id: { type: 'string', description: 'Item id, e.g. "IT-5".' }, new_variant_id: { type: 'string', description: 'Variant id from get_product, e.g. "V-1-RED-L".' } },
    ['item_id', 'new_variant_id'],
  ),
  tool(
    'ship_item',
    'write',
    'Ship an item to a saved address.',
    { item_id: { type: 'string', description: 'Item id, e.g. "IT-5".' }, address_id: { type: 'string', description: 'Saved address id, e.g. "C-1-A2".' } },
    ['item_id', 'address_id'],
  ),
  tool('transfer_to_human', 'read', 'Hand over to a person.', { summary: { type: 'string', description: 'A short summary.' } }, ['summary']),
];
const VARIANTS = [
  { variant_id: 'V-1-RED-M', options: { color: 'red', size: 'M' }, stock: 3 },
  { variant_id: 'V-1-RED-L', options: { color: 'red', size: 'L' }, stock: 2 },
  { variant_id: 'V-1-BLUE-L', options: { color: 'blue', size: 'L' }, stock: 5 },
];
function runShop(name: string, args: JsonObject): ToolResult {
  switch (name) {
    case 'get_item':
      return args['item_id'] === 'IT-5'
        ? { ok: true, value: { item_id: 'IT-5', product_id: 'P-1', customer_id: 'C-1', variant_id: 'V-1-RED-M', options: { color: 'red', size: 'M' } } }
        : { ok: false, error: { name: 'DomainError', message: 'No such item.' } };
    case 'get_product':
      return { ok: true, value: { id: 'P-1', name: 'Trail Hoodie', variants: VARIANTS } };
    case 'get_customer':
      return { ok: true, value: { id: 'C-1', name: 'Ann Lee', addresses: [{ id: 'C-1-A1', label: 'home', line: '1 Elm St' }, { id: 'C-1-A2', label: 'work', line: '200 Berkeley St' }] } };
    case 'exchange_item':
      return { ok: true, value: { item_id: 'IT-5', status: 'exchange requested', new_variant_id: args['new_variant_id'] as string, approved_by: 'Olivia Brandt' } };
    case 'ship_item':
      return { ok: true, value: { status: 'shipping' } };
    default:
      return { ok: true, value: { transferred: true } };
  }
}

describe('frame agent 1.2', () => {
  it('drops the proposed action on "No, I want X instead" and reads the new request from X', async () => {
    const { said, calls } = await converse([
      'I want to cancel my subscription. My email address is ann@example.com.',
      'SUB-201',
      'store credit',
      "No, that's not right. What I want is to change my plan to basic.",
      'SUB-201',
    ]);
    expect(calls.some((c) => c.name === 'cancel_subscription')).toBe(false);
    // A new request: its details are asked for again, not patched into the cancellation.
    expect(said.at(-2)).toMatch(/subscription id\?$/);
    // Not stored as a correction of the cancellation: the next confirmation is the plan change.
    expect(said.at(-1)).toMatch(/change plan/);
    expect(said.at(-1)).toMatch(/basic/);
    expect(said.at(-1)).not.toMatch(/cancel/);
  });

  it('works out an id the user does not know from what they say about it (a variant by its size, colour kept)', async () => {
    const { said, calls } = await converse(
      ['I want to exchange item IT-5.', "I don't know my new variant id, sorry. My new size is L.", 'Yes, go ahead.'],
      SHOP_TOOLS,
      'Confirm before any change.',
      runShop,
    );
    expect(calls.map((c) => c.name)).toContain('get_product');
    expect(calls.find((c) => c.name === 'exchange_item')?.arguments).toEqual({ item_id: 'IT-5', new_variant_id: 'V-1-RED-L' });
    expect(calls.some((c) => c.name === 'transfer_to_human')).toBe(false);
    // The report names the person in the result.
    expect(said.at(-1)).toMatch(/Olivia Brandt/);
  });

  it('without a detail that singles one out, it does not guess', async () => {
    const { calls } = await converse(
      ['I want to exchange item IT-5.', "I don't know my new variant id, sorry.", "I don't know my new variant id, sorry."],
      SHOP_TOOLS,
      'Confirm before any change.',
      runShop,
    );
    expect(calls.some((c) => c.name === 'exchange_item')).toBe(false);
  });

  it('describes a record it picked by readable fields in the confirmation', async () => {
    const { said } = await converse(['I want to ship item IT-5 to my work address.'], SHOP_TOOLS, 'Confirm before any change.', runShop);
    expect(said.at(-1)).toMatch(/shall I proceed/);
    expect(said.at(-1)).toMatch(/200 Berkeley St/);
  });

  it('completes a partial id the user gives from the records ("SK1" → "SK1-2026-01-02")', async () => {
    const tools = [
      tool('get_booking', 'read', 'Get a booking by code with its flights.', { booking_id: { type: 'string', description: 'Booking code, e.g. "BK-1".' } }, ['booking_id']),
      tool(
        'issue_compensation',
        'write',
        'Issue compensation for a flight of the booking.',
        { booking_id: { type: 'string', description: 'Booking code, e.g. "BK-1".' }, flight_id: { type: 'string', description: 'Flight id, e.g. "SK101-2026-06-15".' } },
        ['booking_id', 'flight_id'],
      ),
    ];
    const run = (name: string, args: JsonObject): ToolResult =>
      name === 'get_booking' ? { ok: true, value: { id: 'BK-1', flights: ['SK1-2026-01-02', 'SK22-2026-01-05'] } } : { ok: true, value: { status: 'issued', amount: 50, flight_id: args['flight_id'] as string } };
    const { calls } = await converse(['I want compensation for booking BK-1.', 'It is SK1.', 'yes'], tools, 'Confirm before any change.', run);
    expect(calls.find((c) => c.name === 'issue_compensation')?.arguments).toEqual({ booking_id: 'BK-1', flight_id: 'SK1-2026-01-02' });
  });

  it('reports people named in a result, not the user\'s own name', () => {
    const text = reportFields({ status: 'pending_manager_approval', manager: 'Olivia Brandt', name: 'Ann Lee' }, [], false);
    expect(text).toMatch(/manager: Olivia Brandt/);
    expect(text).not.toMatch(/Ann Lee/);
  });
});
