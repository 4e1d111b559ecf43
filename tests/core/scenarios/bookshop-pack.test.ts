import { describe, expect, it } from 'vitest';
import type { Json, JsonObject, ToolSpec } from '../../../src/core/model/types.ts';
import { validateScenarioPack } from '../../../src/core/model/schema.ts';
import { daysBetween, roundMoney } from '../../../src/core/scenarios/domains/helpers.ts';
import { getDomain } from '../../../src/core/scenarios/domains/index.ts';
import { getPath, loadBookshopPack, replayGold } from './bookshop-helpers.ts';

const pack = loadBookshopPack();
// second_order_id: the other order of a two-order task, which the user holds like the first (with its source).
const SLOTS = ['email', 'name', 'zip', 'order_id', 'second_order_id', 'items', 'refund_method', 'address', 'reason'];

type Obj = Record<string, Json>;
const obj = (v: Json | undefined): Obj => v as Obj;

/** The checks the environment makes on arguments: required, no extras, primitive types, enums. */
function schemaProblem(spec: ToolSpec, args: JsonObject): string | null {
  const params = spec.parameters as { properties: Record<string, { type?: string; enum?: Json[] }>; required: string[] };
  for (const r of params.required) if (!(r in args)) return `missing ${r}`;
  for (const [k, v] of Object.entries(args)) {
    const p = params.properties[k];
    if (!p) return `unknown ${k}`;
    if (p.type === 'array' ? !Array.isArray(v) : typeof v !== p.type) return `${k} is not ${p.type}`;
    if (p.enum && !p.enum.includes(v)) return `${k} not in enum`;
  }
  return null;
}

function numbersIn(v: Json): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(numbersIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(numbersIn);
  return [];
}

describe('bookshop pack: shape', () => {
  it('is a formatVersion 1 pack of the bookshop domain', () => {
    expect(pack.formatVersion).toBe(1);
    expect(pack.id).toBe('bookshop');
    expect(pack.domain).toBe('bookshop');
    expect(pack.title).toMatch(/Folio & Quill/);
    expect(pack.description.length).toBeGreaterThan(40);
    const lines = pack.policy.trim().split('\n').length;
    expect(lines).toBeGreaterThanOrEqual(25);
    expect(lines).toBeLessThanOrEqual(45);
    expect(pack.policy).toContain(`Today's date is ${obj(pack.db['meta'])['today']}`);
  });

  it('passes the import validation the page applies to packs', () => {
    const catalog = { toolsOf: (domain: string) => Object.keys(getDomain(domain)?.tools ?? {}) };
    expect(() => validateScenarioPack(structuredClone(pack), catalog, 'bookshop.json')).not.toThrow();
  });

  it('declares the six tools with closed object schemas', () => {
    expect(pack.tools.map((t) => [t.name, t.kind])).toEqual([
      ['find_customer', 'read'],
      ['get_order', 'read'],
      ['cancel_order', 'write'],
      ['return_items', 'write'],
      ['update_shipping_address', 'write'],
      ['transfer_to_human', 'read'],
    ]);
    for (const t of pack.tools) {
      expect(t.description.length).toBeGreaterThan(20);
      expect(t.parameters['type']).toBe('object');
      expect(t.parameters['additionalProperties']).toBe(false);
      const props = obj(t.parameters['properties']);
      for (const r of t.parameters['required'] as string[]) expect(props[r], `${t.name}.${r}`).toBeDefined();
    }
  });
});

describe('bookshop pack: database', () => {
  const { books, customers, orders, meta } = pack.db as Record<string, Obj>;
  const today = String(meta!['today']);

  it('is the size the tasks need', () => {
    expect(today).toBe('2026-11-20');
    expect(Object.keys(books!).length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(customers!).length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(orders!).length).toBeGreaterThanOrEqual(35);
  });

  it('links customers and orders both ways', () => {
    for (const [id, c] of Object.entries(customers!)) {
      expect(obj(c)['id']).toBe(id);
      for (const oid of obj(c)['order_ids'] as string[]) expect(obj(orders![oid])['customer_id'], oid).toBe(id);
    }
    for (const [id, o] of Object.entries(orders!)) {
      const c = obj(customers![String(obj(o)['customer_id'])]);
      expect(c['order_ids'] as string[], id).toContain(id);
    }
  });

  it('has consistent orders', () => {
    for (const [id, raw] of Object.entries(orders!)) {
      const o = obj(raw);
      expect(o['id']).toBe(id);
      expect(['processing', 'shipped', 'delivered', 'cancelled']).toContain(o['status']);
      const items = (o['items'] as Json[]).map(obj);
      items.forEach((it, k) => {
        expect(it['item_id']).toBe(`${id}-${k + 1}`);
        const book = obj(books![String(it['isbn'])]);
        expect(book['title']).toBe(it['title']);
        expect(book['price']).toBe(it['price']);
        expect(['ok', 'returned']).toContain(it['status']);
      });
      const subtotal = roundMoney(items.reduce((s, it) => s + Number(it['price']), 0));
      expect(o['subtotal']).toBe(subtotal);
      expect(o['total']).toBe(roundMoney(subtotal + Number(o['shipping_fee'])));
      if (o['status'] === 'shipped' || o['status'] === 'delivered') expect(o['tracking_number']).toBeTypeOf('string');
      if (o['status'] === 'delivered') expect(daysBetween(String(o['delivered_on']), today)).toBeGreaterThan(0);
      expect(String(o['shipping_address'])).toMatch(/^.+, .+, [A-Z]{2} \d{5}$/);
      expect(['card', 'paypal', 'gift_card']).toContain(obj(o['payment'])['method']);
    }
  });

  it('has same-name customers and look-alike titles', () => {
    const names = Object.values(customers!).map((c) => obj(c)['name']);
    expect(names.filter((n) => n === 'Maria Garcia')).toHaveLength(2);
    expect(names.filter((n) => n === 'James Smith')).toHaveLength(2);
    const titles = Object.values(books!).map((b) => String(obj(b)['title']));
    expect(titles).toEqual(expect.arrayContaining(['Dune', 'Dune Messiah', 'The Secret History', 'The Secret Garden']));
  });
});

describe('bookshop pack: tasks', () => {
  it('has at least ten tasks with unique ids and well-formed user sides', () => {
    expect(pack.tasks.length).toBeGreaterThanOrEqual(10);
    expect(new Set(pack.tasks.map((t) => t.id)).size).toBe(pack.tasks.length);
    const toolNames = pack.tools.map((t) => t.name);
    for (const t of pack.tasks) {
      expect(t.id).toMatch(/^bookshop-[a-z0-9-]+$/);
      expect(['easy', 'medium', 'hard']).toContain(t.difficulty);
      for (const [slot, v] of Object.entries(t.user.knownInfo)) {
        expect(SLOTS, `${t.id} slot ${slot}`).toContain(slot);
        expect(v.length).toBeGreaterThan(0);
      }
      expect(t.user.goal.requests.length).toBeGreaterThan(0);
      for (const r of t.user.goal.requests) {
        if (r.type === 'action') {
          expect(toolNames, t.id).toContain(r.tool);
          for (const v of Object.values(r.expect)) expect(typeof v).toBe('string');
        }
      }
      expect(t.evaluation.rewardBasis.length).toBeGreaterThan(0);
    }
  });

  it('covers the situations the domain is about', () => {
    const ids = pack.tasks.map((t) => t.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'bookshop-cancel-processing',
        'bookshop-cancel-shipped-refused',
        'bookshop-return-one-original',
        'bookshop-return-two-store-credit',
        'bookshop-return-outside-window',
        'bookshop-change-address',
        'bookshop-where-is-order',
        'bookshop-identify-by-name-zip',
        'bookshop-cancel-and-change-address',
        'bookshop-return-similar-title',
      ]),
    );
    const two = pack.tasks.find((t) => t.id === 'bookshop-cancel-and-change-address')!;
    expect(two.user.goal.requests).toHaveLength(2);
  });

  for (const task of pack.tasks) {
    describe(task.id, () => {
      it('gold actions fit the tool schemas', () => {
        for (const a of task.evaluation.goldActions) {
          const spec = pack.tools.find((t) => t.name === a.name);
          expect(spec, a.name).toBeDefined();
          expect(schemaProblem(spec!, a.arguments), `${a.name} ${JSON.stringify(a.arguments)}`).toBeNull();
          if (spec!.kind === 'write') expect(a.compareArgs, `${a.name} compareArgs`).toBeDefined();
          for (const k of a.compareArgs ?? []) expect(a.arguments).toHaveProperty(k);
        }
      });

      it('replays its gold actions without errors and meets its assertions', () => {
        const { db, results } = replayGold(pack, task.id);
        for (const r of results) expect(r.result, `${r.name}: ${JSON.stringify(r.result)}`).toMatchObject({ ok: true });
        for (const a of task.evaluation.envAssertions) expect(getPath(db, a.path), a.path).toEqual(a.equals);
        const writes = task.evaluation.goldActions.filter((a) => pack.tools.find((t) => t.name === a.name)?.kind === 'write');
        if (writes.length === 0) expect(db).toEqual(pack.db);
        else expect(db).not.toEqual(pack.db);
      });

      it('asks the agent to convey only facts the gold tool calls return', () => {
        const { results } = replayGold(pack, task.id);
        const text = JSON.stringify(results.map((r) => (r.result.ok ? r.result.value : null)));
        for (const info of task.evaluation.communicateInfo) {
          const asNumber = Number(info);
          if (Number.isFinite(asNumber)) {
            // An amount must be one the tools report (an order total or a refund), not a made-up figure;
            // where nothing may change (a refusal), the policy's limit the refusal rests on (the 30-day window) counts too.
            const changes = task.evaluation.goldActions.some((a) => pack.tools.find((t) => t.name === a.name)?.kind === 'write');
            const limits = changes ? [] : [...pack.policy.matchAll(/\b\d+(?:\.\d+)?\b/g)].map((m) => Number(m[0]));
            expect([...numbersIn(results.map((r) => (r.result.ok ? r.result.value : null))), ...limits], info).toContain(asNumber);
          } else {
            expect(text, info).toContain(info);
          }
        }
      });
    });
  }
});
