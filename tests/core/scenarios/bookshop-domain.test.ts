import { beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject, ToolResult } from '../../../src/core/model/types.ts';
import { ToolError } from '../../../src/core/scenarios/domain.ts';
import { bookshopDomain, normalizeAddress } from '../../../src/core/scenarios/domains/bookshop.ts';
import { daysBetween, roundMoney } from '../../../src/core/scenarios/domains/helpers.ts';
import { DOMAINS, getDomain } from '../../../src/core/scenarios/domains/index.ts';
import { getPath, loadBookshopPack, runTool } from './bookshop-helpers.ts';

const pack = loadBookshopPack();
let db: JsonObject;
beforeEach(() => {
  db = structuredClone(pack.db);
});

function call(name: string, args: JsonObject): ToolResult {
  return runTool(pack, db, name, args);
}
function value(r: ToolResult): JsonObject {
  if (!r.ok) throw new Error(`expected success, got ${r.error.name}: ${r.error.message}`);
  return r.value as JsonObject;
}
function error(r: ToolResult): { name: string; message: string } {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value).slice(0, 200)}`);
  return r.error;
}

describe('domain registry', () => {
  it('registers the bookshop domain by id', () => {
    expect(DOMAINS['bookshop']).toBe(bookshopDomain);
    expect(getDomain('bookshop')).toBe(bookshopDomain);
    expect(getDomain('no-such-domain')).toBeUndefined();
    expect(getDomain('toString')).toBeUndefined();
    expect(bookshopDomain.transferTools).toEqual(['transfer_to_human']);
  });

  it('implements exactly the tools the pack declares', () => {
    expect(Object.keys(bookshopDomain.tools).sort()).toEqual(pack.tools.map((t) => t.name).sort());
  });
});

describe('helpers', () => {
  it('rounds money to cents', () => {
    expect(roundMoney(0.1 + 0.2)).toBe(0.3);
    expect(roundMoney(10.99 + 18.99)).toBe(29.98);
    expect(roundMoney(1.005)).toBe(1.01);
  });

  it('counts days between ISO dates without time zones', () => {
    expect(daysBetween('2026-10-21', '2026-11-20')).toBe(30);
    expect(daysBetween('2026-10-20', '2026-11-20')).toBe(31);
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
  });

  it('normalizes one-line addresses and rejects incomplete ones', () => {
    expect(normalizeAddress('  2207 Fatherland St,Nashville,  tn 37206 ')).toBe('2207 Fatherland St, Nashville, TN 37206');
    expect(normalizeAddress('48 Alder Lane, Apt 3, Portland, OR, 97205')).toBe('48 Alder Lane, Apt 3, Portland, OR 97205');
    expect(() => normalizeAddress('48 Alder Lane Portland')).toThrow(ToolError);
  });
});

describe('find_customer', () => {
  it('finds by email, case-insensitively', () => {
    const c = value(call('find_customer', { email: 'Ana.Souza@Example.com' }));
    expect(c['id']).toBe('C-1001');
    expect(c['order_ids']).toEqual(['BK-2017', 'BK-2041']);
  });

  it('tells same-name customers apart by zip', () => {
    expect(value(call('find_customer', { name: 'Maria Garcia', zip: '60614' }))['id']).toBe('C-1003');
    expect(value(call('find_customer', { name: 'maria  garcia', zip: '97214' }))['id']).toBe('C-1002');
    expect(value(call('find_customer', { name: 'Grace ONeill', zip: '04101' }))['id']).toBe('C-1013');
  });

  it('reports unknown customers as domain errors', () => {
    expect(error(call('find_customer', { email: 'nobody@example.com' }))).toEqual({
      name: 'DomainError',
      message: 'No customer found with email nobody@example.com.',
    });
    expect(error(call('find_customer', { name: 'Maria Garcia', zip: '10001' })).message).toBe(
      'No customer found with name "Maria Garcia" and zip 10001.',
    );
  });

  it('needs an email, or a name together with a zip', () => {
    for (const args of [{}, { name: 'Maria Garcia' }, { zip: '60614' }, { email: '  ' }] as JsonObject[]) {
      const e = error(call('find_customer', args));
      expect(e.name).toBe('InvalidArguments');
      expect(e.message).toContain('either "email", or both "name" and "zip"');
    }
  });
});

describe('get_order', () => {
  it('returns the order with items, payment and tracking', () => {
    const o = value(call('get_order', { order_id: 'bk-2036' }));
    expect(o['status']).toBe('shipped');
    expect(o['tracking_number']).toMatch(/^1Z/);
    expect(Array.isArray(o['items'])).toBe(true);
  });

  it('reports a missing order by its id', () => {
    expect(error(call('get_order', { order_id: 'BK-9999' }))).toEqual({ name: 'DomainError', message: 'Order not found: BK-9999' });
  });

  it('rejects a missing order id', () => {
    expect(error(call('get_order', {})).name).toBe('InvalidArguments');
  });
});

describe('cancel_order', () => {
  it('cancels a processing order and refunds the total to the original payment', () => {
    const r = value(call('cancel_order', { order_id: 'BK-2045', reason: 'already own them' }));
    expect(r['status']).toBe('cancelled');
    expect(r['refund']).toEqual({ amount: 33.97, method: 'original_payment', refunded_to: 'Visa ending 8811' });
    expect(getPath(db, 'orders.BK-2045.status')).toBe('cancelled');
    expect(getPath(db, 'orders.BK-2045.cancelled_on')).toBe('2026-11-20');
    expect(getPath(db, 'orders.BK-2045.refunds')).toEqual([
      { item_ids: ['BK-2045-1', 'BK-2045-2'], amount: 33.97, method: 'original_payment', issued_on: '2026-11-20' },
    ]);
  });

  it('does not store the free-text reason, so the final DB does not depend on wording', () => {
    const other = structuredClone(pack.db);
    runTool(pack, other, 'cancel_order', { order_id: 'BK-2045', reason: 'something else entirely' });
    call('cancel_order', { order_id: 'BK-2045', reason: 'already own them' });
    expect(other).toEqual(db);
  });

  it('refuses shipped, delivered and cancelled orders without changing them', () => {
    const before = structuredClone(db);
    expect(error(call('cancel_order', { order_id: 'BK-2033', reason: 'x' }))).toEqual({
      name: 'DomainError',
      message: 'Order BK-2033 is shipped; only orders that are still processing can be cancelled.',
    });
    expect(error(call('cancel_order', { order_id: 'BK-2026', reason: 'x' })).message).toContain('is delivered');
    expect(error(call('cancel_order', { order_id: 'BK-2010', reason: 'x' })).message).toBe('Order BK-2010 is already cancelled.');
    expect(db).toEqual(before);
  });

  it('needs a reason and an existing order', () => {
    expect(error(call('cancel_order', { order_id: 'BK-2041' })).name).toBe('InvalidArguments');
    expect(error(call('cancel_order', { order_id: 'BK-9999', reason: 'x' })).message).toBe('Order not found: BK-9999');
  });
});

describe('return_items', () => {
  it('returns one item within the window to the original payment method', () => {
    const r = value(call('return_items', { order_id: 'BK-2026', item_ids: ['BK-2026-1'], refund_method: 'original_payment' }));
    expect(r['refund']).toEqual({ amount: 27, method: 'original_payment', refunded_to: 'Visa ending 3056' });
    expect(r['store_credit_balance']).toBeUndefined();
    expect(getPath(db, 'orders.BK-2026.items[0].status')).toBe('returned');
    expect(getPath(db, 'orders.BK-2026.items[1].status')).toBe('ok');
    expect(getPath(db, 'orders.BK-2026.status')).toBe('delivered');
    expect(getPath(db, 'customers.C-1006.store_credit')).toBe(0);
  });

  it('adds store credit to the customer, rounded to cents, whatever the order of ids', () => {
    const r = value(call('return_items', { order_id: 'BK-2029', item_ids: ['BK-2029-3', 'bk-2029-2'], refund_method: 'store_credit' }));
    expect(r['store_credit_balance']).toBe(34.98);
    expect(getPath(db, 'customers.C-1008.store_credit')).toBe(34.98);
    expect(getPath(db, 'orders.BK-2029.refunds[0]')).toEqual({
      item_ids: ['BK-2029-2', 'BK-2029-3'],
      amount: 29.98,
      method: 'store_credit',
      issued_on: '2026-11-20',
    });
  });

  it('accepts a return on day 30 and refuses it on day 31', () => {
    // BK-2021 was delivered on 2026-10-20: 31 days before meta.today.
    const late = error(call('return_items', { order_id: 'BK-2021', item_ids: ['BK-2021-1'], refund_method: 'store_credit' }));
    expect(late.message).toBe(
      'Order BK-2021 was delivered on 2026-10-20, 31 days ago; returns are accepted only within 30 days of delivery.',
    );
    (db['orders'] as JsonObject)['BK-2021'] = { ...((db['orders'] as JsonObject)['BK-2021'] as JsonObject), delivered_on: '2026-10-21' };
    expect(call('return_items', { order_id: 'BK-2021', item_ids: ['BK-2021-1'], refund_method: 'store_credit' }).ok).toBe(true);
  });

  it('refuses items already returned, items of other orders, and orders not delivered', () => {
    const before = structuredClone(db);
    expect(error(call('return_items', { order_id: 'BK-2024', item_ids: ['BK-2024-1'], refund_method: 'original_payment' })).message).toBe(
      'Item BK-2024-1 (The Secret History) has already been returned.',
    );
    expect(error(call('return_items', { order_id: 'BK-2026', item_ids: ['BK-2031-1'], refund_method: 'original_payment' })).message).toBe(
      'Item BK-2031-1 is not part of order BK-2026.',
    );
    expect(error(call('return_items', { order_id: 'BK-2036', item_ids: ['BK-2036-1'], refund_method: 'original_payment' })).message).toBe(
      'Order BK-2036 is shipped; only delivered orders can be returned.',
    );
    // A valid item next to an invalid one changes nothing.
    expect(call('return_items', { order_id: 'BK-2031', item_ids: ['BK-2031-1', 'BK-2031-9'], refund_method: 'store_credit' }).ok).toBe(false);
    expect(db).toEqual(before);
  });

  it('checks its arguments', () => {
    const cases: [JsonObject, string][] = [
      [{ order_id: 'BK-2026', item_ids: [], refund_method: 'store_credit' }, 'non-empty list'],
      [{ order_id: 'BK-2026', item_ids: 'BK-2026-1', refund_method: 'store_credit' }, 'non-empty list'],
      [{ order_id: 'BK-2026', item_ids: ['BK-2026-1', 'BK-2026-1'], refund_method: 'store_credit' }, 'same item twice'],
      [{ order_id: 'BK-2026', item_ids: ['BK-2026-1'], refund_method: 'cash' }, '"original_payment" or "store_credit"'],
    ];
    for (const [args, text] of cases) {
      const e = error(call('return_items', args));
      expect(e.name).toBe('InvalidArguments');
      expect(e.message).toContain(text);
    }
  });
});

describe('update_shipping_address', () => {
  it('changes the address of a processing order, normalized', () => {
    const r = value(call('update_shipping_address', { order_id: 'BK-2043', address: '2207 Fatherland St, Nashville, tn, 37206' }));
    expect(r['shipping_address']).toBe('2207 Fatherland St, Nashville, TN 37206');
    expect(getPath(db, 'orders.BK-2043.shipping_address')).toBe('2207 Fatherland St, Nashville, TN 37206');
    // The customer's own address is not the order's.
    expect(getPath(db, 'customers.C-1015.address')).toBe('915 Woodland St, Nashville, TN 37206');
  });

  it('refuses orders that have shipped', () => {
    expect(error(call('update_shipping_address', { order_id: 'BK-2036', address: '1 Main St, Boston, MA 02108' }))).toEqual({
      name: 'DomainError',
      message: 'Order BK-2036 is shipped; the shipping address can only be changed while the order is processing.',
    });
  });

  it('rejects an incomplete address', () => {
    const e = error(call('update_shipping_address', { order_id: 'BK-2043', address: 'Fatherland St' }));
    expect(e.name).toBe('InvalidArguments');
    expect(e.message).toContain('48 Alder Lane, Portland, OR 97205');
  });
});

describe('transfer_to_human', () => {
  it('hands over with a summary and leaves the DB alone', () => {
    const before = structuredClone(db);
    expect(value(call('transfer_to_human', { summary: 'Price adjustment on BK-2028' }))['transferred']).toBe(true);
    expect(error(call('transfer_to_human', {})).name).toBe('InvalidArguments');
    expect(db).toEqual(before);
  });
});
