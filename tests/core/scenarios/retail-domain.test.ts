/**
 * The retail domain's code tools (src/core/scenarios/domains/retail.ts) on a small database
 * written here, so each policy edge is tested on its own: the return window (day 30 in,
 * day 31 out), final-sale items, the restocking fee on opened electronics, gift-card refunds,
 * exchanges (same product, stock, price difference). Every failure must leave the database
 * as it was, as the environment promises.
 */
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject, Scenario, ToolResult } from '../../../src/core/model/types.ts';
import { getDomain } from '../../../src/core/scenarios/domains/index.ts';
import {
  restockingFee,
  retailDomain,
  returnWindow,
  RESTOCKING_FEE_RATE,
  RETURN_WINDOW_DAYS,
} from '../../../src/core/scenarios/domains/retail.ts';
import { createEnvironment, type Environment } from '../../../src/core/scenarios/environment.ts';

const TODAY = '2026-05-15';

function item(order: string, n: number, product: string, variant: string, price: number, extra: JsonObject = {}): JsonObject {
  return { item_id: `${order}-${n}`, product_id: product, variant_id: variant, name: `${product} item`, options: {}, category: 'home', price, final_sale: false, status: 'ok', ...extra };
}

function order(id: string, delivered: string | null, items: JsonObject[], extra: JsonObject = {}): JsonObject {
  return {
    id,
    customer_id: 'C1',
    status: delivered ? 'delivered' : 'processing',
    ...(delivered ? { delivered_on: delivered } : {}),
    items,
    payment: { method: 'card', detail: 'Visa ending 1111' },
    refunds: [],
    exchanges: [],
    ...extra,
  };
}

function db(): JsonObject {
  return {
    meta: { today: TODAY },
    customers: { C1: { id: 'C1', name: 'Test Person', store_credit: 10 } },
    products: {
      P1: {
        id: 'P1',
        name: 'Hoodie',
        variants: [
          { variant_id: 'P1-M', options: { size: 'M' }, price: 60, stock: 2 },
          { variant_id: 'P1-L', options: { size: 'L' }, price: 60, stock: 1 },
          { variant_id: 'P1-XL', options: { size: 'XL' }, price: 72.5, stock: 3 },
          { variant_id: 'P1-S', options: { size: 'S' }, price: 55.25, stock: 4 },
          { variant_id: 'P1-XXL', options: { size: 'XXL' }, price: 60, stock: 0 },
        ],
      },
      P2: { id: 'P2', name: 'Lamp', variants: [{ variant_id: 'P2-A', options: {}, price: 40, stock: 5 }] },
    },
    orders: {
      D30: order('D30', '2026-04-15', [item('D30', 1, 'P1', 'P1-M', 60, { category: 'apparel' })]),
      D31: order('D31', '2026-04-14', [item('D31', 1, 'P1', 'P1-M', 60, { category: 'apparel' })]),
      EL: order('EL', '2026-05-10', [
        item('EL', 1, 'P2', 'P2-A', 149.99, { category: 'electronics' }),
        item('EL', 2, 'P2', 'P2-A', 33.33, { category: 'electronics' }),
        item('EL', 3, 'P1', 'P1-M', 60, { category: 'apparel' }),
      ]),
      FS: order('FS', '2026-05-10', [item('FS', 1, 'P1', 'P1-M', 29.99, { final_sale: true }), item('FS', 2, 'P1', 'P1-M', 60)]),
      GC: order('GC', '2026-05-10', [item('GC', 1, 'P1', 'P1-M', 60)], { payment: { method: 'gift_card', detail: 'gift card ending 9' } }),
      PR: order('PR', null, [item('PR', 1, 'P1', 'P1-M', 60)]),
      EX: order('EX', '2026-05-01', [item('EX', 1, 'P1', 'P1-M', 60), item('EX', 2, 'P1', 'P1-M', 60), item('EX', 3, 'P1', 'P1-M', 60)]),
    },
  };
}

const param = (props: Record<string, Json>, required: string[]) => ({ type: 'object', properties: props, required, additionalProperties: false });

/** A scenario over the small database granting only the two code tools. */
function scenario(): Scenario {
  return {
    id: 'retail-unit',
    domain: 'retail',
    title: 'unit',
    purpose: 'unit',
    difficulty: 'easy',
    user: { reasonForContact: 'x', knownInfo: {}, unknownInfo: [], taskInstructions: 'x', goal: { requests: [{ type: 'info', utterance: 'x', slot: 'x' }] } },
    agent: {
      policy: 'x',
      tools: [
        {
          name: 'return_items',
          description: 'return',
          kind: 'write',
          parameters: param(
            { order_id: { type: 'string' }, item_ids: { type: 'array' }, condition: { type: 'string' }, refund_method: { type: 'string' } },
            ['order_id', 'item_ids', 'condition', 'refund_method'],
          ),
        },
        {
          name: 'exchange_item',
          description: 'exchange',
          kind: 'write',
          parameters: param({ order_id: { type: 'string' }, item_id: { type: 'string' }, new_variant_id: { type: 'string' } }, ['order_id', 'item_id', 'new_variant_id']),
        },
      ],
    },
    initialDb: db(),
    evaluation: { goldActions: [], envAssertions: [], communicateInfo: [], nlAssertions: [], rewardBasis: ['DB'] },
  };
}

const env = (): Environment => createEnvironment(scenario());
const ret = (e: Environment, order_id: string, item_ids: string[], condition = 'unused', refund_method = 'original_payment') =>
  e.call('return_items', { order_id, item_ids, condition, refund_method });
const exchange = (e: Environment, order_id: string, item_id: string, new_variant_id: string) => e.call('exchange_item', { order_id, item_id, new_variant_id });

type Obj = Record<string, Json>;
function value(r: ToolResult): Obj {
  if (!r.ok) throw new Error(`expected success, got ${r.error.name}: ${r.error.message}`);
  return r.value as Obj;
}
function failure(r: ToolResult): { name: string; message: string } {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
}
const orderIn = (e: Environment, id: string) => (e.snapshot()['orders'] as Record<string, Obj>)[id]!;
const itemsOf = (o: Obj) => o['items'] as Obj[];

/** Runs a call that must fail, and checks that it changed nothing. */
function refused(e: Environment, call: (e: Environment) => ToolResult): { name: string; message: string } {
  const before = e.snapshot();
  const err = failure(call(e));
  expect(e.snapshot()).toEqual(before);
  return err;
}

describe('retail domain: registration', () => {
  it('is the built-in domain "retail" with the two code tools', () => {
    expect(getDomain('retail')).toBe(retailDomain);
    expect(Object.keys(retailDomain.tools).sort()).toEqual(['exchange_item', 'return_items']);
    expect(retailDomain.transferTools).toEqual([]);
  });
});

describe('retail domain: return window', () => {
  it('counts whole days and closes after day 30', () => {
    expect(RETURN_WINDOW_DAYS).toBe(30);
    expect(returnWindow('2026-04-15', TODAY)).toEqual({ days: 30, open: true });
    expect(returnWindow('2026-04-14', TODAY)).toEqual({ days: 31, open: false });
    expect(returnWindow(TODAY, TODAY)).toEqual({ days: 0, open: true });
    // Across a month end and a leap day.
    expect(returnWindow('2028-02-01', '2028-03-02')).toEqual({ days: 30, open: true });
    expect(returnWindow('2028-01-31', '2028-03-02')).toEqual({ days: 31, open: false });
  });

  it('accepts a return delivered exactly 30 days ago', () => {
    const e = env();
    const r = value(ret(e, 'D30', ['D30-1']));
    expect(r['refund']).toMatchObject({ amount: 60, method: 'original_payment', refunded_to: 'Visa ending 1111' });
    expect(itemsOf(orderIn(e, 'D30'))[0]).toMatchObject({ status: 'returned', return_condition: 'unused' });
  });

  it('refuses a return delivered 31 days ago, naming the dates, and changes nothing', () => {
    const err = refused(env(), (e) => ret(e, 'D31', ['D31-1']));
    expect(err.name).toBe('DomainError');
    expect(err.message).toBe('Order D31 was delivered on 2026-04-14, 31 days ago; items can be returned only within 30 days of delivery.');
  });

  it('refuses orders that are not delivered', () => {
    expect(refused(env(), (e) => ret(e, 'PR', ['PR-1'])).message).toMatch(/^Order PR is processing; only delivered orders can be returned\.$/);
  });

  it('applies the same window to exchanges', () => {
    expect(value(exchange(env(), 'D30', 'D30-1', 'P1-L'))['price_difference']).toBe(0);
    expect(refused(env(), (e) => exchange(e, 'D31', 'D31-1', 'P1-L')).message).toMatch(/31 days ago; items can be exchanged only within 30 days/);
  });
});

describe('retail domain: item conditions and fees', () => {
  it('charges 15% on opened electronics only, rounded to cents', () => {
    expect(RESTOCKING_FEE_RATE).toBe(0.15);
    expect(restockingFee({ category: 'electronics', price: 149.99 }, 'opened')).toBe(22.5);
    expect(restockingFee({ category: 'electronics', price: 33.33 }, 'opened')).toBe(5);
    expect(restockingFee({ category: 'electronics', price: 149.99 }, 'unused')).toBe(0);
    expect(restockingFee({ category: 'electronics', price: 149.99 }, 'damaged')).toBe(0);
    expect(restockingFee({ category: 'apparel', price: 60 }, 'opened')).toBe(0);
  });

  it('deducts the fee per item and stores the condition and the total fee', () => {
    const e = env();
    const r = value(ret(e, 'EL', ['EL-3', 'EL-1', 'EL-2'], 'opened'));
    // 149.99 - 22.50 + 33.33 - 5.00 + 60 (apparel: no fee)
    expect(r['refund']).toMatchObject({ amount: 215.82 });
    expect(r['restocking_fee']).toBe(27.5);
    const refund = (orderIn(e, 'EL')['refunds'] as Obj[])[0]!;
    // Stored in the order's own item order, whatever order the call listed them in.
    expect(refund).toEqual({ type: 'return', item_ids: ['EL-1', 'EL-2', 'EL-3'], condition: 'opened', restocking_fee: 27.5, amount: 215.82, method: 'original_payment', issued_on: TODAY });
  });

  it('refunds damaged electronics in full', () => {
    expect(value(ret(env(), 'EL', ['EL-1'], 'damaged'))['refund']).toMatchObject({ amount: 149.99 });
  });

  it('refuses a final-sale item unless it arrived damaged', () => {
    for (const condition of ['unused', 'opened']) {
      expect(refused(env(), (e) => ret(e, 'FS', ['FS-1'], condition)).message).toBe(
        'Item FS-1 (P1 item) was a final-sale item; it can be returned only if it arrived damaged or defective.',
      );
    }
    // One final-sale item in the list refuses the whole call: nothing half-done.
    refused(env(), (e) => ret(e, 'FS', ['FS-2', 'FS-1']));
    expect(value(ret(env(), 'FS', ['FS-1'], 'damaged'))['refund']).toMatchObject({ amount: 29.99 });
  });

  it('refuses items already returned, items of other orders and repeated ids', () => {
    const e = env();
    value(ret(e, 'EX', ['EX-1']));
    expect(refused(e, (x) => ret(x, 'EX', ['EX-1'])).message).toBe('Item EX-1 (P1 item) has already been returned.');
    expect(refused(e, (x) => ret(x, 'EX', ['D30-1'])).message).toBe('Item D30-1 is not part of order EX.');
    expect(refused(e, (x) => ret(x, 'EX', ['EX-2', 'ex-2'])).name).toBe('InvalidArguments');
    expect(refused(e, (x) => ret(x, 'EX', [])).name).toBe('InvalidArguments');
    expect(refused(e, (x) => ret(x, 'EX', ['EX-2'], 'like new')).message).toMatch(/"condition" must be one of "unused", "opened", "damaged"/);
    expect(refused(e, (x) => ret(x, 'NOPE', ['EX-2'])).message).toBe('Order not found: NOPE');
  });

  it('finds orders and items whatever their case', () => {
    expect(value(ret(env(), 'ex', ['ex-2']))['order_id']).toBe('EX');
  });
});

describe('retail domain: refund methods', () => {
  it('adds store credit to the customer balance', () => {
    const e = env();
    const r = value(ret(e, 'EX', ['EX-1', 'EX-2'], 'unused', 'store_credit'));
    expect(r['store_credit_balance']).toBe(130);
    expect((e.snapshot()['customers'] as Record<string, Obj>)['C1']!['store_credit']).toBe(130);
  });

  it('refunds gift-card orders only as store credit', () => {
    expect(refused(env(), (e) => ret(e, 'GC', ['GC-1'])).message).toBe(
      'Order GC was paid with a gift card; its refunds can only be issued as store credit.',
    );
    expect(value(ret(env(), 'GC', ['GC-1'], 'unused', 'store_credit'))['refund']).toMatchObject({ amount: 60, refunded_to: 'store credit' });
  });

  it('rejects an unknown refund method', () => {
    expect(refused(env(), (e) => ret(e, 'EX', ['EX-1'], 'unused', 'cash')).name).toBe('InvalidArguments');
  });
});

describe('retail domain: exchanges', () => {
  it('exchanges for another variant, takes one from stock and records it', () => {
    const e = env();
    const r = value(exchange(e, 'EX', 'EX-1', 'p1-l'));
    expect(r).toMatchObject({ price_difference: 0, settlement: 'no price difference', to: { variant_id: 'P1-L' } });
    const o = orderIn(e, 'EX');
    expect(itemsOf(o)[0]).toMatchObject({ status: 'exchanged', exchanged_for: 'P1-L' });
    expect(o['exchanges']).toEqual([
      { item_id: 'EX-1', from_variant_id: 'P1-M', to_variant_id: 'P1-L', options: { size: 'L' }, price_difference: 0, settled_with: 'Visa ending 1111', issued_on: TODAY },
    ]);
    const variants = (e.snapshot()['products'] as Record<string, Obj>)['P1']!['variants'] as Obj[];
    expect(variants.find((v) => v['variant_id'] === 'P1-L')!['stock']).toBe(0);
    // The last one is gone: the next exchange to it is refused.
    expect(refused(e, (x) => exchange(x, 'EX', 'EX-2', 'P1-L')).message).toBe('Variant P1-L of Hoodie is out of stock.');
    // And an item is exchanged once.
    expect(refused(e, (x) => exchange(x, 'EX', 'EX-1', 'P1-XL')).message).toBe('Item EX-1 (P1 item) has already been exchanged.');
  });

  it('charges a dearer variant and refunds a cheaper one', () => {
    expect(value(exchange(env(), 'EX', 'EX-1', 'P1-XL'))).toMatchObject({ price_difference: 12.5, settlement: '12.50 charged to Visa ending 1111' });
    expect(value(exchange(env(), 'EX', 'EX-1', 'P1-S'))).toMatchObject({ price_difference: -4.75, settlement: '4.75 refunded to Visa ending 1111' });
  });

  it('refuses variants of other products, the same variant, out-of-stock and final-sale items', () => {
    expect(refused(env(), (e) => exchange(e, 'EX', 'EX-1', 'P2-A')).message).toMatch(/^Variant P2-A is not a variant of Hoodie \(P1\); an exchange must be for another size or color of the same product\.$/);
    expect(refused(env(), (e) => exchange(e, 'EX', 'EX-1', 'P1-M')).message).toBe('Item EX-1 (P1 item) already is variant P1-M.');
    expect(refused(env(), (e) => exchange(e, 'EX', 'EX-1', 'P1-XXL')).message).toBe('Variant P1-XXL of Hoodie is out of stock.');
    expect(refused(env(), (e) => exchange(e, 'FS', 'FS-1', 'P1-L')).message).toBe('Item FS-1 (P1 item) was a final-sale item; final-sale items cannot be exchanged.');
    expect(refused(env(), (e) => exchange(e, 'PR', 'PR-1', 'P1-L')).message).toBe('Order PR is processing; only delivered orders can be exchanged.');
  });
});
