/**
 * The τ²-bench-compatible retail tools, rule by rule, beyond what the gold replays exercise:
 * every refusal with τ²-bench's exact message, and the state each write leaves. Runs on the
 * small fixture database (tests/core/scenarios/fixtures/tau2-mini).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createEnvironment,
  getDomain,
  importTau2Domain,
  readPath,
  type Environment,
  type JsonObject,
  type ToolResult,
} from '../../../src/core/index.ts';
import { TAU2_RETAIL_TOOL_SPECS, tau2RetailDomain } from '../../../src/core/scenarios/domains/tau2-retail.ts';

const fixture = path.resolve(__dirname, 'fixtures/tau2-mini');
const read = (name: string) => readFileSync(path.join(fixture, name), 'utf8');

function env(): Environment {
  const [scenario] = importTau2Domain({
    domain: 'retail',
    db: JSON.parse(read('db.json')),
    tasks: JSON.parse(read('tasks.json')),
    policy: read('policy.md'),
  });
  return createEnvironment(scenario!);
}

const error = (message: string): ToolResult => ({ ok: false, error: { name: 'DomainError', message } });
const value = (r: ToolResult) => {
  if (!r.ok) throw new Error(`expected success, got ${r.error.message}`);
  return r.value;
};

describe('the tau2-retail domain', () => {
  it('is a built-in domain with τ²-bench’s 16 retail tools, transfer included', () => {
    expect(getDomain('tau2-retail')).toBe(tau2RetailDomain);
    expect(TAU2_RETAIL_TOOL_SPECS.map((t) => t.name).sort()).toEqual(Object.keys(tau2RetailDomain.tools).sort());
    expect(TAU2_RETAIL_TOOL_SPECS).toHaveLength(16);
    expect(tau2RetailDomain.transferTools).toEqual(['transfer_to_human_agents']);
    const writes = TAU2_RETAIL_TOOL_SPECS.filter((t) => t.kind === 'write').map((t) => t.name);
    expect(writes.sort()).toEqual([
      'cancel_pending_order',
      'exchange_delivered_order_items',
      'modify_pending_order_address',
      'modify_pending_order_items',
      'modify_pending_order_payment',
      'modify_user_address',
      'return_delivered_order_items',
    ]);
  });

  it('finds users by email or by name and zip, ignoring case in names and emails only', () => {
    const e = env();
    expect(e.call('find_user_id_by_email', { email: 'ANA.Lima1234@example.com' })).toEqual({ ok: true, value: 'ana_lima_1234' });
    expect(e.call('find_user_id_by_name_zip', { first_name: 'ANA', last_name: 'lima', zip: '97205' })).toEqual({ ok: true, value: 'ana_lima_1234' });
    expect(e.call('find_user_id_by_name_zip', { first_name: 'Ana', last_name: 'Lima', zip: '97250' })).toEqual(error('User not found'));
    expect(e.call('find_user_id_by_email', { email: 'nobody@example.com' })).toEqual(error('User not found'));
    // Ids are exact: no "#"-less or lower-case order ids.
    expect(e.call('get_order_details', { order_id: 'W0000001' })).toEqual(error('Order not found'));
    expect(e.call('get_order_details', { order_id: '#w0000001' })).toEqual(error('Order not found'));
    expect(e.call('get_user_details', { user_id: 'Ana_Lima_1234' })).toEqual(error('User not found'));
  });

  it('looks up products and items, which are not to be confused', () => {
    const e = env();
    expect(value(e.call('get_item_details', { item_id: '7706410293' }))).toMatchObject({ item_id: '7706410293', price: 269.16 });
    expect(e.call('get_item_details', { item_id: '1656367028' })).toEqual(error('Item not found'));
    expect(e.call('get_product_details', { product_id: '7706410293' })).toEqual(error('Product not found'));
    expect(e.call('list_all_product_types', {})).toEqual({
      ok: true,
      value: '{"Mechanical Keyboard": "1656367028", "Water Bottle": "8310926033"}',
    });
  });

  it('calculates as τ²-bench does, refusing other characters', () => {
    const e = env();
    expect(e.call('calculate', { expression: '2 + 2' })).toEqual({ ok: true, value: '4.0' });
    expect(e.call('calculate', { expression: '(326.37 + 50.1) / 3' })).toEqual({ ok: true, value: '125.49' });
    expect(e.call('calculate', { expression: '1e3' })).toEqual(error('Invalid characters in expression'));
    expect(e.call('calculate', { expression: 'abs(-1)' })).toEqual(error('Invalid characters in expression'));
    expect(e.call('calculate', { expression: '1/0' })).toEqual(error('division by zero'));
  });

  it('cancels only pending orders, for one of two reasons', () => {
    const e = env();
    const before = e.snapshot();
    expect(e.call('cancel_pending_order', { order_id: '#W0000002', reason: 'no longer needed' })).toEqual(error('Non-pending order cannot be cancelled'));
    expect(e.call('cancel_pending_order', { order_id: '#W0000003', reason: 'too expensive' })).toEqual(error('Invalid reason'));
    expect(e.snapshot()).toEqual(before);
    const order = value(e.call('cancel_pending_order', { order_id: '#W0000003', reason: 'no longer needed' })) as JsonObject;
    expect(order).toMatchObject({ status: 'cancelled', cancel_reason: 'no longer needed' });
    expect(order['payment_history']).toEqual([
      { transaction_type: 'payment', amount: 374.96, payment_method_id: 'credit_card_1111111' },
      { transaction_type: 'refund', amount: 374.96, payment_method_id: 'credit_card_1111111' },
    ]);
    // A card refund takes days: no balance changes.
    expect(readPath(e.snapshot(), 'users.ana_lima_1234.payment_methods.gift_card_2222222.balance')).toBe(50.1);
  });

  it('modifies items once, within the same product, only to available items', () => {
    const e = env();
    const args = (item_ids: string[], new_item_ids: string[], payment_method_id = 'credit_card_1111111') => ({
      order_id: '#W0000003',
      item_ids,
      new_item_ids,
      payment_method_id,
    });
    expect(e.call('modify_pending_order_items', args(['1151293680'], ['1151293680']))).toEqual(error('The new item id should be different from the old item id'));
    expect(e.call('modify_pending_order_items', args(['1151293680'], ['4843487907']))).toEqual(error('New item 4843487907 not found or available'));
    expect(e.call('modify_pending_order_items', args(['1151293680'], ['4579334072']))).toEqual(error('Variant not found'));
    expect(e.call('modify_pending_order_items', args(['1151293680', '1151293680'], ['7706410293', '7706410293']))).toEqual(error('1151293680 not found'));
    expect(e.call('modify_pending_order_items', args(['1151293680'], []))).toEqual(error('The number of items to be exchanged should match'));
    expect(e.call('modify_pending_order_items', args(['1151293680'], ['7706410293'], 'paypal_3333333'))).toEqual(error('Payment method not found'));
    const order = value(e.call('modify_pending_order_items', args(['2366567022'], ['4579334072']))) as JsonObject;
    expect(order['status']).toBe('pending (item modified)');
    expect((order['payment_history'] as JsonObject[]).at(-1)).toEqual({ transaction_type: 'payment', amount: 54.85 - 54.04, payment_method_id: 'credit_card_1111111' });
    // Once modified, the items and the order are fixed; the address and payment still change.
    expect(e.call('modify_pending_order_items', args(['1151293680'], ['7706410293']))).toEqual(error('Non-pending order cannot be modified'));
    expect(e.call('cancel_pending_order', { order_id: '#W0000003', reason: 'no longer needed' })).toEqual(error('Non-pending order cannot be cancelled'));
    const address = { address1: '1 Main St', address2: '', city: 'Austin', state: 'TX', country: 'USA', zip: '73301' };
    expect(value(e.call('modify_pending_order_address', { order_id: '#W0000003', ...address }))).toMatchObject({ address });
  });

  it('changes a pending order’s payment once, refunding a gift card at once', () => {
    const e = env();
    expect(e.call('modify_pending_order_payment', { order_id: '#W0000001', payment_method_id: 'gift_card_2222222' })).toEqual(
      error('The new payment method should be different from the current one'),
    );
    expect(e.call('modify_pending_order_payment', { order_id: '#W0000003', payment_method_id: 'gift_card_2222222' })).toEqual(
      error('Insufficient gift card balance to pay for the order'),
    );
    expect(e.call('modify_pending_order_payment', { order_id: '#W0000002', payment_method_id: 'gift_card_2222222' })).toEqual(
      error('Non-pending order cannot be modified'),
    );
    const order = value(e.call('modify_pending_order_payment', { order_id: '#W0000001', payment_method_id: 'credit_card_1111111' })) as JsonObject;
    expect(order['payment_history']).toEqual([
      { transaction_type: 'payment', amount: 326.37, payment_method_id: 'gift_card_2222222' },
      { transaction_type: 'payment', amount: 326.37, payment_method_id: 'credit_card_1111111' },
      { transaction_type: 'refund', amount: 326.37, payment_method_id: 'gift_card_2222222' },
    ]);
    expect(readPath(e.snapshot(), 'users.ana_lima_1234.payment_methods.gift_card_2222222.balance')).toBe(376.47);
    expect(e.call('modify_pending_order_payment', { order_id: '#W0000001', payment_method_id: 'gift_card_2222222' })).toEqual(
      error('There should be exactly one payment for a pending order'),
    );
    // τ²-bench refunds every entry of the history on cancellation, refunds included.
    const cancelled = value(e.call('cancel_pending_order', { order_id: '#W0000001', reason: 'ordered by mistake' })) as JsonObject;
    expect((cancelled['payment_history'] as JsonObject[]).slice(3).map((p) => [p['transaction_type'], p['payment_method_id']])).toEqual([
      ['refund', 'gift_card_2222222'],
      ['refund', 'credit_card_1111111'],
      ['refund', 'gift_card_2222222'],
    ]);
    expect(readPath(e.snapshot(), 'users.ana_lima_1234.payment_methods.gift_card_2222222.balance')).toBe(1029.21);
  });

  it('returns delivered items to the original payment method or a gift card', () => {
    const e = env();
    const ret = (payment_method_id: string, item_ids = ['2366567022'], order_id = '#W0000002') =>
      e.call('return_delivered_order_items', { order_id, item_ids, payment_method_id });
    expect(ret('credit_card_1111111', ['2366567022'], '#W0000001')).toEqual(error('Non-delivered order cannot be returned'));
    expect(ret('paypal_3333333')).toEqual(error('Payment method not found'));
    expect(ret('credit_card_1111111', ['2366567022', '2366567022'])).toEqual(error('Some item not found'));
    expect(value(ret('gift_card_2222222'))).toMatchObject({
      status: 'return requested',
      return_items: ['2366567022'],
      return_payment_method_id: 'gift_card_2222222',
    });
    expect(ret('gift_card_2222222')).toEqual(error('Non-delivered order cannot be returned'));
  });

  it('exchanges delivered items, checking the gift card covers the difference', () => {
    const e = env();
    const ex = (item_ids: string[], new_item_ids: string[], payment_method_id = 'credit_card_1111111') =>
      e.call('exchange_delivered_order_items', { order_id: '#W0000002', item_ids, new_item_ids, payment_method_id });
    expect(ex(['2366567022', '2366567022'], ['4579334072', '4579334072'])).toEqual(error('Number of 2366567022 not found.'));
    expect(ex(['2366567022'], [])).toEqual(error('The number of items to be exchanged should match.'));
    expect(ex(['2366567022'], ['1151293680'])).toEqual(error('Variant not found'));
    const order = value(ex(['2366567022'], ['4579334072'], 'gift_card_2222222')) as JsonObject;
    expect(order).toMatchObject({ status: 'exchange requested', exchange_price_difference: 0.81, exchange_new_items: ['4579334072'] });
    // An exchange does not touch the gift card balance: the difference is settled later.
    expect(readPath(e.snapshot(), 'users.ana_lima_1234.payment_methods.gift_card_2222222.balance')).toBe(50.1);
  });

  it('changes a user’s default address and transfers to a human', () => {
    const e = env();
    const address = { address1: '2 Oak Ave', address2: 'Suite 5', city: 'Salem', state: 'OR', country: 'USA', zip: '97301' };
    expect(value(e.call('modify_user_address', { user_id: 'ana_lima_1234', ...address }))).toMatchObject({ address });
    expect(e.call('modify_user_address', { user_id: 'nobody', ...address })).toEqual(error('User not found'));
    expect(e.call('transfer_to_human_agents', { summary: 'wants a human' })).toEqual({ ok: true, value: 'Transfer successful' });
    expect(e.isTransfer('transfer_to_human_agents')).toBe(true);
    // Arguments are checked against the tool's parameters before it runs.
    expect(e.call('modify_user_address', { user_id: 'ana_lima_1234' })).toMatchObject({ ok: false, error: { name: 'InvalidArguments' } });
  });
});
