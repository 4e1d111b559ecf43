/**
 * Frame agent mechanisms for users who name records by what they hold, not by id (frame-1.6.0
 * and later), on a small hand-made shop: new variants for a list of items from the details the
 * user gives, orders offered by their items, an order the user names that does not hold the item
 * they name, and ids read out with what their records hold in a confirmation.
 */
import { describe, expect, it } from 'vitest';
import { driveAgent, type ToolRunner, tool, str } from './drive.ts';
import type { JsonObject, ToolResult, ToolSpec } from '../../../src/core/model/types.ts';
import { createFrameAgent } from '../../../src/core/agents/frame-agent.ts';

const list = (description: string): JsonObject => ({ type: 'array', items: { type: 'string' }, description });

const TOOLS: ToolSpec[] = [
  tool('find_user_id_by_email', 'read', 'Find a user id by email.', { email: str('Email, e.g. "a@b.com".') }, ['email']),
  tool('get_user_details', 'read', "A user's details: name, orders, payment methods.", { user_id: str('User id, e.g. "ann_1".') }, ['user_id']),
  tool('get_order_details', 'read', 'An order with its items.', { order_id: str('Order id, e.g. "#O1".') }, ['order_id']),
  tool('get_product_details', 'read', "A product and its variants, by product id.", { product_id: str('Product id, e.g. "P1".') }, ['product_id']),
  tool(
    'exchange_delivered_order_items',
    'write',
    'Exchange items of a delivered order for other variants of the same product.',
    { order_id: str('Order id, e.g. "#O1".'), item_ids: list('Item ids to exchange.'), new_item_ids: list('Item ids of the new variants, one per item.'), payment_method_id: str('Payment method id.') },
    ['order_id', 'item_ids', 'new_item_ids', 'payment_method_id'],
  ),
  tool(
    'return_delivered_order_items',
    'write',
    'Return items of a delivered order.',
    { order_id: str('Order id, e.g. "#O1".'), item_ids: list('Item ids to return.'), payment_method_id: str('Payment method id.') },
    ['order_id', 'item_ids', 'payment_method_id'],
  ),
];
const POLICY = 'Identify the user by email first. Confirm before any change.';

const USER: JsonObject = {
  user_id: 'ann_1',
  name: 'Ann Lee',
  orders: ['#O1', '#O2'],
  payment_methods: {
    credit_card_11: { source: 'credit_card', id: 'credit_card_11', brand: 'visa', last_four: '1234' },
    paypal_22: { source: 'paypal', id: 'paypal_22' },
  },
};
const ORDERS: Record<string, JsonObject> = {
  '#O1': {
    order_id: '#O1',
    status: 'delivered',
    items: [
      { name: 'Desk Lamp', product_id: 'P1', item_id: '1001', options: { color: 'white', brightness: 'medium' } },
      { name: 'Water Bottle', product_id: 'P2', item_id: '2001', options: { capacity: '500ml', color: 'blue' } },
    ],
    payment_history: [{ transaction_type: 'payment', amount: 80, payment_method_id: 'credit_card_11' }],
  },
  '#O2': {
    order_id: '#O2',
    status: 'delivered',
    items: [{ name: 'Digital Camera', product_id: 'P3', item_id: '3001', options: { zoom: '3x' } }],
    payment_history: [{ transaction_type: 'payment', amount: 300, payment_method_id: 'paypal_22' }],
  },
};
const PRODUCTS: Record<string, JsonObject> = {
  P1: {
    name: 'Desk Lamp',
    product_id: 'P1',
    variants: {
      '1001': { item_id: '1001', options: { color: 'white', brightness: 'medium' }, available: true },
      '1002': { item_id: '1002', options: { color: 'silver', brightness: 'medium' }, available: true },
      '1003': { item_id: '1003', options: { color: 'silver', brightness: 'low' }, available: true },
      '1004': { item_id: '1004', options: { color: 'black', brightness: 'low' }, available: false },
    },
  },
  P2: {
    name: 'Water Bottle',
    product_id: 'P2',
    variants: {
      '2001': { item_id: '2001', options: { capacity: '500ml', color: 'blue' }, available: true },
      '2002': { item_id: '2002', options: { capacity: '750ml', color: 'blue' }, available: true },
      '2003': { item_id: '2003', options: { capacity: '750ml', color: 'red' }, available: true },
    },
  },
};

const ok = (value: JsonObject | string): ToolResult => ({ ok: true, value });
const run: ToolRunner = (name, args) => {
  if (name === 'find_user_id_by_email') return ok('ann_1');
  if (name === 'get_user_details') return ok(USER);
  if (name === 'get_order_details') return ORDERS[args['order_id'] as string] ? ok(ORDERS[args['order_id'] as string]!) : { ok: false, error: { name: 'DomainError', message: 'Order not found' } };
  if (name === 'get_product_details') return PRODUCTS[args['product_id'] as string] ? ok(PRODUCTS[args['product_id'] as string]!) : { ok: false, error: { name: 'DomainError', message: 'Product not found' } };
  return ok({ status: 'done' });
};

async function converse(lines: string[]) {
  const agent = createFrameAgent({ role: 'agent', scenarioId: 't', domain: 'd', policy: POLICY, tools: TOOLS, seed: 1 });
  return driveAgent(agent, lines, run, 12);
}

describe('frame agent: records named by what they hold', () => {
  it('fills a new_X list item by item from the variants holding the details given, asking for them by what tells the variants apart', async () => {
    const { said, calls } = await converse([
      'I want to exchange some items I received. My email is ann@x.org.',
      'It is #O1.',
      'My items are Desk Lamp, Water Bottle.',
      'My new color is silver. My new brightness is low.',
      'My new capacity is 750ml.',
      'My payment method is PayPal.',
      'Yes.',
    ]);
    // The products are looked up for what could replace the items, and the details asked for by name.
    expect(calls.map((c) => c.name)).toContain('get_product_details');
    expect(said.some((s) => /which new .*(color|brightness).* for the desk lamp/i.test(s))).toBe(true);
    const exchange = calls.find((c) => c.name === 'exchange_delivered_order_items');
    expect(exchange?.arguments).toMatchObject({ order_id: '#O1', item_ids: ['1001', '2001'], new_item_ids: ['1003', '2002'] });
    // The confirmation reads the new variants out by what they hold.
    expect(said.find((s) => /to be sure/i.test(s))).toMatch(/color silver, brightness low/);
  });

  it('offers the orders by what they hold when the user does not know the number', async () => {
    const { said } = await converse(['I want to return some items I received. My email is ann@x.org.', "I don't know my order number."]);
    // Both are delivered: what tells them apart is what they hold.
    expect(said.at(-1)).toMatch(/Which order do you mean: #O1 \(Desk Lamp, Water Bottle\) or #O2 \(Digital Camera\)\?/);
  });

  it('takes the order that holds the item named when the order given does not, and says so', async () => {
    const { said, calls } = await converse([
      'I want to return some items I received. My email is ann@x.org.',
      'It is #O1.',
      'My items are Digital Camera.',
      'Digital Camera.',
      'Digital Camera.',
    ]);
    expect(said.join('\n')).toMatch(/found Digital Camera in .*#O2, not in #O1/);
    expect(said.find((s) => /to be sure/i.test(s))).toMatch(/#O2/);
    expect(calls.filter((c) => c.name === 'return_delivered_order_items')).toEqual([]);
  });

  it('reads a payment method out by its kind and last digits, reading the user record when it saw only a reference', async () => {
    const { said, calls } = await converse(['I want to return some items I received. My email is ann@x.org.', 'It is #O1.', 'My items are Desk Lamp.']);
    expect(calls.map((c) => c.name)).toContain('get_user_details');
    expect(said.at(-1)).toMatch(/credit_card_11 \(credit card \(visa, ending in 1234\)\)/);
  });
});
