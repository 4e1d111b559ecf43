/**
 * The Harbor & Pine retail pack (public/packs/retail.json). The generic per-task checks (gold
 * replay scores 1, a dropped write or a changed compared argument scores 0, the agenda user
 * can start every task) run for every built-in pack in all-packs.test.ts; here: the file is
 * what its generator writes and is listed as built-in, the database hangs together, the
 * declarative tools enforce the policy, refusal tasks really are refused by the tools, and
 * the amounts the agent must tell come from the tools.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from '../../../src/core/model/types.ts';
import { validateScenarioPack } from '../../../src/core/model/schema.ts';
import { daysBetween, roundMoney } from '../../../src/core/scenarios/domains/helpers.ts';
import { DOMAINS } from '../../../src/core/scenarios/domains/index.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import { evaluateSession, replayGold } from '../../../src/core/scenarios/evaluator.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { buildRetailPack } from '../../../scripts/gen-packs/retail.ts';
import { expectEarnedRefusal, inRefusalReason, loadPack, numbersIn, PUBLIC, refusal, userWaitsFor, value, waitedFor, type Obj } from './pack-fixture.ts';
import { converse, makePersona, say, scripted, type ScriptStep } from '../fixtures.ts';

const { pack, scenarios, scenario, table, env } = loadPack('retail');

const obj = (v: Json | undefined): Obj => v as Obj;
const today = String(obj(pack.db['meta'])['today']);


describe('retail pack: file', () => {
  it('is exactly what scripts/gen-packs/retail.ts generates', () => {
    expect(pack).toEqual(JSON.parse(JSON.stringify(buildRetailPack())));
  });

  it('is listed in public/builtin.json, so all-packs.test.ts runs the per-task checks on it', () => {
    const manifest = JSON.parse(readFileSync(`${PUBLIC}builtin.json`, 'utf8')) as { packs: string[] };
    expect(manifest.packs).toContain('packs/retail.json');
  });

  it('passes the validation the page applies, with the retail domain code', () => {
    const catalog = { toolsOf: (d: string) => (Object.hasOwn(DOMAINS, d) ? Object.keys(DOMAINS[d]!.tools) : undefined) };
    expect(() => validateScenarioPack(structuredClone(pack), catalog, 'retail.json')).not.toThrow();
    // Without the domain code, the two code-backed tools are named as missing.
    expect(() => validateScenarioPack(structuredClone(pack), { toolsOf: () => undefined }, 'retail.json')).toThrow(/every tool needs an "impl"/);
  });

  it('writes declarative tools wherever no date or arithmetic is needed', () => {
    expect(pack.id).toBe('retail');
    expect(pack.domain).toBe('retail');
    const how = Object.fromEntries(pack.tools.map((t) => [t.name, `${t.kind}:${t.impl?.type ?? 'code'}`]));
    expect(how).toEqual({
      find_customer_by_email: 'read:declarative',
      find_customers_by_name_zip: 'read:declarative',
      get_order: 'read:declarative',
      get_product: 'read:declarative',
      cancel_order: 'write:declarative',
      update_shipping_address: 'write:declarative',
      return_items: 'write:code',
      exchange_item: 'write:code',
      transfer_to_human: 'read:declarative',
    });
    for (const t of pack.tools) {
      expect(t.parameters['additionalProperties'], t.name).toBe(false);
      expect(t.description.length).toBeGreaterThan(30);
    }
  });

  it("states today's date, the same as the database's, and the rules the tools enforce", () => {
    expect(pack.policy).toContain(`Today's date is ${today}`);
    for (const rule of ['30 days', 'day 31', 'final_sale', '15% restocking fee', 'gift card', 'store credit', '"processing"', 'saved on the customer\'s account']) {
      expect(pack.policy, rule).toContain(rule);
    }
  });
});

describe('retail pack: database', () => {
  const customers = table('customers');
  const orders = table('orders');
  const products = table('products');

  it('is the size of a small store', () => {
    expect(Object.keys(customers).length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(orders).length).toBeGreaterThanOrEqual(70);
    expect(Object.keys(products).length).toBeGreaterThanOrEqual(20);
    const statuses = new Set(Object.values(orders).map((o) => o['status']));
    expect(statuses).toEqual(new Set(['processing', 'shipped', 'delivered', 'cancelled']));
  });

  it('links customers and orders both ways, with unique emails and address ids', () => {
    const emails = Object.values(customers).map((c) => String(c['email']).toLowerCase());
    expect(new Set(emails).size).toBe(emails.length);
    for (const [id, c] of Object.entries(customers)) {
      expect(c['id']).toBe(id);
      (c['addresses'] as Obj[]).forEach((a, i) => expect(a['id']).toBe(`${id}-A${i + 1}`));
      expect(String((c['addresses'] as Obj[])[0]!['line'])).toMatch(new RegExp(` ${String(c['zip'])}$`));
      for (const oid of c['order_ids'] as string[]) expect(orders[oid]?.['customer_id'], oid).toBe(id);
    }
    for (const [id, o] of Object.entries(orders)) {
      const c = customers[String(o['customer_id'])]!;
      expect(c['order_ids'] as string[], id).toContain(id);
      expect(c['addresses'] as Obj[], `${id} ships to a saved address`).toContainEqual(o['shipping_address']);
    }
  });

  it('has orders whose items, totals and dates agree with the catalogue and today', () => {
    for (const [id, o] of Object.entries(orders)) {
      expect(o['id']).toBe(id);
      const items = o['items'] as Obj[];
      expect(items.length).toBeGreaterThan(0);
      items.forEach((it, k) => {
        expect(it['item_id']).toBe(`${id}-${k + 1}`);
        const product = products[String(it['product_id'])]!;
        const variant = (product['variants'] as Obj[]).find((v) => v['variant_id'] === it['variant_id']);
        expect(variant, `${id} ${String(it['variant_id'])}`).toBeDefined();
        expect(it['price']).toBe(variant!['price']);
        expect(it['final_sale']).toBe(product['final_sale']);
        expect(it['category']).toBe(product['category']);
        expect(it['status']).toBe('ok');
      });
      const subtotal = roundMoney(items.reduce((s, it) => s + Number(it['price']), 0));
      expect(o['subtotal']).toBe(subtotal);
      expect(o['shipping_fee']).toBe(subtotal >= 75 ? 0 : 5.99);
      expect(o['total']).toBe(roundMoney(subtotal + Number(o['shipping_fee'])));
      expect(daysBetween(String(o['placed_on']), today)).toBeGreaterThanOrEqual(0);
      if (o['status'] === 'shipped' || o['status'] === 'delivered') expect(o['tracking_number']).toBeTypeOf('string');
      if (o['status'] === 'delivered') {
        expect(daysBetween(String(o['placed_on']), String(o['delivered_on']))).toBeGreaterThan(0);
        expect(daysBetween(String(o['delivered_on']), today)).toBeGreaterThan(0);
      } else {
        expect(o['delivered_on']).toBeUndefined();
      }
      expect(o['refunds']).toEqual(o['status'] === 'cancelled' ? [expect.objectContaining({ type: 'cancellation', amount: o['total'] })] : []);
    }
  });

  it('has namesakes, final-sale products and variants that differ in price', () => {
    const kims = Object.values(customers).filter((c) => c['name'] === 'Daniel Kim');
    expect(kims.map((c) => c['zip']).sort()).toEqual(['60657', '98103']);
    expect(Object.values(products).filter((p) => p['final_sale'] === true).length).toBeGreaterThanOrEqual(3);
    const priced = Object.values(products).filter((p) => new Set((p['variants'] as Obj[]).map((v) => v['price'])).size > 1);
    expect(priced.length).toBeGreaterThanOrEqual(2);
  });
});

describe('retail pack: declarative tools', () => {
  it('finds customers by email (any case) and by name and zip, namesakes apart', () => {
    const e = env();
    expect(value(e.call('find_customer_by_email', { email: 'Sofia.Marchetti@example.com' }))['id']).toBe('C1003');
    expect(refusal(e, 'find_customer_by_email', { email: 'nobody@example.com' })).toBe('No customer found with email nobody@example.com.');
    const seattle = value(e.call('find_customers_by_name_zip', { name: 'daniel kim', zip: '98103' }))['customers'] as Obj[];
    expect(seattle.map((c) => c['id'])).toEqual(['C1015']);
    expect(refusal(e, 'find_customers_by_name_zip', { name: 'Daniel Kim', zip: '10001' })).toBe('No customer named Daniel Kim with zip code 10001.');
  });

  it('looks up orders and products, and names what is missing', () => {
    const e = env();
    expect(value(e.call('get_order', { order_id: 'hp-29950' }))['id']).toBe('HP-29950');
    expect(refusal(e, 'get_order', { order_id: 'HP-1' })).toBe('Order not found: HP-1.');
    expect((value(e.call('get_product', { product_id: 'P106' }))['variants'] as Obj[]).length).toBe(8);
    expect(refusal(e, 'get_product', { product_id: 'P999' })).toBe('Product not found: P999.');
  });

  it('cancels only processing orders, refunding the total to the original payment', () => {
    const e = env();
    const r = value(e.call('cancel_order', { order_id: 'HP-30118', reason: 'no longer needed' }));
    expect(r['refund']).toEqual({ amount: 107.5, refunded_to: 'Visa ending 2231' });
    const o = obj(obj(e.snapshot()['orders'])['HP-30118']);
    expect(o).toMatchObject({ status: 'cancelled', cancelled_on: today });
    expect(o['refunds']).toEqual([{ type: 'cancellation', amount: 107.5, method: 'original_payment', refunded_to: 'Visa ending 2231', issued_on: today }]);
    // The free-text reason is not stored: a differently worded reason gives the same state.
    const other = env();
    other.call('cancel_order', { order_id: 'HP-30118', reason: 'I changed my mind' });
    expect(other.snapshot()).toEqual(e.snapshot());
    expect(refusal(e, 'cancel_order', { order_id: 'HP-30118', reason: 'again' })).toBe('Order HP-30118 is cancelled; only orders that are still processing can be cancelled.');
    expect(refusal(e, 'cancel_order', { order_id: 'HP-30102', reason: 'x' })).toBe('Order HP-30102 is shipped; only orders that are still processing can be cancelled.');
  });

  it("changes the address only to another address saved on the customer's account", () => {
    const e = env();
    expect(refusal(e, 'update_shipping_address', { order_id: 'HP-30121', address_id: 'C1013-A2' })).toBe(
      'Address C1013-A2 is not saved on the account that placed order HP-30121; orders can only ship to saved addresses.',
    );
    expect(refusal(e, 'update_shipping_address', { order_id: 'HP-30121', address_id: 'C1012-A1' })).toBe(
      'Order HP-30121 already ships to 18 Magazine St, Cambridge, MA 02139.',
    );
    expect(refusal(e, 'update_shipping_address', { order_id: 'HP-30095', address_id: 'C1013-A2' })).toBe(
      'Order HP-30095 is shipped; the shipping address can only be changed while the order is processing.',
    );
    const r = value(e.call('update_shipping_address', { order_id: 'HP-30121', address_id: 'c1012-a2' }));
    expect(r['shipping_address']).toEqual({ id: 'C1012-A2', label: 'work', line: '200 Berkeley St, Boston, MA 02116' });
  });

  it('hands over to a person with transfer_to_human, changing nothing', () => {
    const e = env();
    expect(e.isTransfer('transfer_to_human')).toBe(true);
    expect(e.isTransfer('cancel_order')).toBe(false);
    expect(value(e.call('transfer_to_human', { summary: 'Wants a price match.' }))).toMatchObject({ transferred: true });
    expect(e.snapshot()).toEqual(pack.db);
  });
});

describe('retail pack: tasks', () => {
  it('has at least 12 tasks of every difficulty, with unique retail- ids', () => {
    expect(pack.tasks.length).toBeGreaterThanOrEqual(12);
    expect(new Set(pack.tasks.map((t) => t.id)).size).toBe(pack.tasks.length);
    for (const t of pack.tasks) expect(t.id).toMatch(/^retail-[a-z0-9-]+$/);
    expect(new Set(pack.tasks.map((t) => t.difficulty))).toEqual(new Set(['easy', 'medium', 'hard']));
  });

  it('covers every write tool and both kinds of goal request', () => {
    const used = new Set(pack.tasks.flatMap((t) => t.evaluation.goldActions.map((a) => a.name)));
    for (const t of pack.tools.filter((x) => x.kind === 'write')) expect(used, t.name).toContain(t.name);
    const kinds = new Set(pack.tasks.flatMap((t) => t.user.goal.requests.map((r) => r.type)));
    expect(kinds).toEqual(new Set(['action', 'info']));
    expect(pack.tasks.some((t) => t.user.goal.requests.length > 1)).toBe(true);
  });

  it('compares every argument of a write except free text', () => {
    for (const t of pack.tasks) {
      for (const a of t.evaluation.goldActions) {
        if (pack.tools.find((x) => x.name === a.name)!.kind !== 'write') continue;
        const free = a.name === 'cancel_order' ? ['reason'] : [];
        expect([...(a.compareArgs ?? [])].sort(), `${t.id} ${a.name}`).toEqual(Object.keys(a.arguments).filter((k) => !free.includes(k)).sort());
      }
    }
  });

  it('asks the agent to tell only amounts and facts the gold tool calls return', () => {
    for (const s of scenarios) {
      const e = createEnvironment(s);
      const values = s.evaluation.goldActions.map((a) => value(e.call(a.name, a.arguments)));
      for (const info of s.evaluation.communicateInfo) {
        // A refusal's reason comes from the tools' refusal of the request, checked with the refusal tasks below.
        if (inRefusalReason(s, info)) continue;
        const n = Number(info);
        if (Number.isFinite(n) && /^\d+(\.\d+)?$/.test(info)) expect(numbersIn(values), `${s.id}: ${info}`).toContain(n);
        else expect(JSON.stringify(values), `${s.id}: ${info}`).toContain(info);
      }
    }
  });

  it('meets its own environment assertions on replay', () => {
    for (const s of scenarios) {
      const { db } = replayGold(s);
      for (const a of s.evaluation.envAssertions) {
        let cur: Json | undefined = db;
        for (const step of a.path.replace(/\[(\d+)\]/g, '.$1').split('.')) cur = cur === null || typeof cur !== 'object' ? undefined : (cur as Obj)[step];
        expect(cur, `${s.id} ${a.path}`).toEqual(a.equals);
      }
    }
  });

  /** For each refusal task, the write the user asks for, and why the tools refuse it. */
  const REFUSED: Record<string, [string, Obj, RegExp]> = {
    'cancel-shipped-refused': ['cancel_order', { order_id: 'HP-30102', reason: 'found it cheaper elsewhere' }, /is shipped; only orders that are still processing/],
    'return-day-31-refused': ['return_items', { order_id: 'HP-29517', item_ids: ['HP-29517-1'], condition: 'unused', refund_method: 'original_payment' }, /31 days ago; items can be returned only within 30 days/],
    'return-final-sale-refused': ['return_items', { order_id: 'HP-29990', item_ids: ['HP-29990-1'], condition: 'unused', refund_method: 'original_payment' }, /final-sale item/],
    'change-address-shipped-refused': ['update_shipping_address', { order_id: 'HP-30095', address_id: 'C1013-A2' }, /is shipped; the shipping address can only be changed/],
  };

  it('makes refusal tasks ones the tools really refuse, with read-only gold actions', () => {
    const refusalTasks = pack.tasks.filter((t) => t.user.goal.acceptsRefusal).map((t) => t.id.replace(/^retail-/, ''));
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

  it('gives the hard variants of the rules a different answer than the easy reading', () => {
    // The gift-card order refuses a card refund, which the customer first asks for.
    expect(refusal(env(), 'return_items', { order_id: 'HP-29933', item_ids: ['HP-29933-1'], condition: 'unused', refund_method: 'original_payment' })).toMatch(/gift card/);
    // The damaged final-sale tote is only returnable as damaged.
    expect(refusal(env(), 'return_items', { order_id: 'HP-29964', item_ids: ['HP-29964-1'], condition: 'unused', refund_method: 'original_payment' })).toMatch(/final-sale/);
    // The first-choice variant of the fallback task is out of stock.
    expect(refusal(env(), 'exchange_item', { order_id: 'HP-29925', item_id: 'HP-29925-1', new_variant_id: 'P106-BLUE-10' })).toMatch(/out of stock/);
    // Opened headphones lose the fee; unused ones would not.
    const unused = value(env().call('return_items', { order_id: 'HP-29911', item_ids: ['HP-29911-1'], condition: 'unused', refund_method: 'original_payment' }));
    expect(obj(unused['refund'])['amount']).toBe(149.99);
    // Day 30 is in the window, and the namesake in Chicago is not the one in the task.
    expect(daysBetween(String(table('orders')['HP-29530']!['delivered_on']), today)).toBe(30);
    expect(daysBetween(String(table('orders')['HP-29517']!['delivered_on']), today)).toBe(31);
  });

  it('runs the restocking-fee task end to end with the agenda user and a scripted agent', async () => {
    const s = scenario('return-opened-electronics-fee');
    const call = (name: string, args: JsonObject) => say('', { toolCalls: [{ name, arguments: args }] });
    const agent: ScriptStep[] = [
      say('Hello! What is the email address on your account?'),
      call('find_customer_by_email', { email: 'ethan.brooks@example.org' }),
      call('get_order', { order_id: 'HP-29911' }),
      say('What condition are the headphones in: unused, opened or damaged?'),
      say('Opened electronics carry a 15% restocking fee of 22.50. Shall I return the Aria Wireless Headphones from order HP-29911, refunding 127.49 to your original payment method?'),
      call('return_items', { order_id: 'HP-29911', item_ids: ['HP-29911-1'], condition: 'opened', refund_method: 'original_payment' }),
      say('Your return has been processed: 127.49 will be refunded to your Mastercard ending 0932.'),
    ];
    const r = await converse(
      createAgendaUser({ role: 'user', scenario: s, persona: makePersona('baseline') }),
      scripted('agent', agent, { fallback: say('Is there anything else I can help with?') }),
      { scenario: s, environment: createEnvironment(s), seed: 3 },
    );
    const userText = r.turns.filter((t) => t.role === 'user').map((t) => t.content).join('\n');
    expect(userText).toContain('ethan.brooks@example.org');
    expect(userText).toContain('opened');
    expect(r.termination).toBe('user_stop');
    expect(evaluateSession(s, undefined, r).reward).toBe(1);
  });
});

describe('retail pack: what the user wants to learn', () => {
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
