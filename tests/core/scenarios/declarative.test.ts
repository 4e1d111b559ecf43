import { describe, expect, it } from 'vitest';
import type { JsonObject, Scenario, ToolSpec } from '../../../src/core/model/types.ts';
import { createEnvironment } from '../../../src/core/scenarios/environment.ts';
import {
  compileDeclarativeTool,
  resolveTemplate,
  splitPath,
  type DeclarativeToolImpl,
  type ToolStep,
} from '../../../src/core/scenarios/tools/declarative.ts';
import { ToolError } from '../../../src/core/scenarios/domain.ts';
import { makeScenario } from '../fixtures.ts';
import { nodeCodeRunner } from './node-code-runner.ts';

/*
 * Declarative tools (steps over the JSON database) and code tools, through the environment
 * a session uses. The database has an object table (customers, keyed by id) and array tables
 * (rentals with string ids, bikes with numeric ids).
 */

function shopDb(): JsonObject {
  return {
    meta: { today: '2025-05-01', fee: 4 },
    customers: {
      'C-100': { id: 'C-100', name: 'Ana Lima', email: 'ana@example.org', tier: 'gold', credit: 10 },
      'C-200': { id: 'C-200', name: 'Ben Ode', email: 'ben@example.org', tier: 'basic', credit: 0 },
    },
    rentals: [
      { id: 'R-1', customer_id: 'C-100', bike: 7, status: 'active', days: 2 },
      { id: 'R-2', customer_id: 'C-200', bike: 9, status: 'returned', days: 1 },
      { id: 'R-3', customer_id: 'C-100', bike: 9, status: 'active', days: 5 },
    ],
    bikes: [
      { id: 7, model: 'City', rate: 12 },
      { id: 9, model: 'Trail', rate: 20 },
    ],
    notes: [],
  };
}

const anyArgs = { type: 'object', properties: {} } as const;

function tool(name: string, kind: 'read' | 'write', impl: ToolSpec['impl'], parameters: JsonObject = { ...anyArgs }): ToolSpec {
  return { name, description: `${name} (test tool)`, kind, parameters, impl };
}

function steps(list: ToolStep[], extra: Partial<DeclarativeToolImpl> = {}): DeclarativeToolImpl {
  return { type: 'declarative', steps: list, ...extra };
}

/** A scenario in a domain with no built-in code: every tool runs from its own impl. */
function scenario(tools: ToolSpec[], db = shopDb()): Scenario {
  return makeScenario({ domain: 'rentals-test', agent: { policy: 'Test policy.', tools }, initialDb: db });
}

/** Calls one declarative tool on a fresh environment; returns the result and the database after. */
function callOne(impl: DeclarativeToolImpl, args: JsonObject = {}, kind: 'read' | 'write' = 'write') {
  const env = createEnvironment(scenario([tool('t', kind, impl)]));
  const result = env.call('t', args);
  return { result, db: env.snapshot() };
}

describe('templates', () => {
  const bindings = { args: { id: 'R-1', n: 3, list: ['a', 'b'] }, order: { status: 'active', items: [{ sku: 'x' }] }, db: shopDb() };

  it('a whole-string reference keeps the JSON type', () => {
    expect(resolveTemplate('{args.n}', bindings)).toBe(3);
    expect(resolveTemplate('{args.list}', bindings)).toEqual(['a', 'b']);
    expect(resolveTemplate('{order.items[0].sku}', bindings)).toBe('x');
    expect(resolveTemplate('{db.meta.today}', bindings)).toBe('2025-05-01');
    expect(resolveTemplate('{db.customers.C-100.tier}', bindings)).toBe('gold');
  });

  it('references inside text are interpolated as text', () => {
    expect(resolveTemplate('Rental {args.id} is {order.status} ({args.n} days)', bindings)).toBe('Rental R-1 is active (3 days)');
    expect(resolveTemplate('list: {args.list}', bindings)).toBe('list: ["a","b"]');
    expect(resolveTemplate('missing: [{args.nope}]', bindings)).toBe('missing: []');
    expect(resolveTemplate('no {reference here}', bindings)).toBe('no {reference here}');
  });

  it('resolves inside objects and arrays; a missing value is dropped from objects and null in arrays', () => {
    expect(resolveTemplate({ id: '{args.id}', n: '{args.n}', gone: '{args.nope}', fixed: true }, bindings)).toEqual({ id: 'R-1', n: 3, fixed: true });
    expect(resolveTemplate(['{args.n}', '{args.nope}', 5], bindings)).toEqual([3, null, 5]);
    expect(resolveTemplate('{args.nope}', bindings)).toBeUndefined();
  });

  it('never reads through the prototype chain', () => {
    expect(resolveTemplate('{args.constructor}', bindings)).toBeUndefined();
    expect(resolveTemplate('{db.__proto__}', bindings)).toBeUndefined();
    expect(resolveTemplate('{args.list.length}', bindings)).toBeUndefined();
  });

  it('splits paths with dots and indices', () => {
    expect(splitPath('order.items[2].sku')).toEqual(['order', 'items', '2', 'sku']);
    expect(splitPath('db.customers.C-100')).toEqual(['db', 'customers', 'C-100']);
  });
});

describe('get', () => {
  it('finds a record in an object table by key, case-insensitively', () => {
    const impl = steps([{ get: 'customers', key: '{args.id}', as: 'c' }], { returns: '{c.name}' });
    expect(callOne(impl, { id: 'C-200' }).result).toEqual({ ok: true, value: 'Ben Ode' });
    expect(callOne(impl, { id: ' c-100 ' }).result).toEqual({ ok: true, value: 'Ana Lima' });
  });

  it('finds a record in an array table by id, by another field, and by a numeric key', () => {
    const byId = steps([{ get: 'rentals', key: '{args.id}', as: 'r' }], { returns: '{r.status}' });
    expect(callOne(byId, { id: 'r-2' }).result).toEqual({ ok: true, value: 'returned' });
    const byField = steps([{ get: 'rentals', key: '{args.customer}', by: 'customer_id', as: 'r' }], { returns: '{r.id}' });
    expect(callOne(byField, { customer: 'C-200' }).result).toEqual({ ok: true, value: 'R-2' });
    const numeric = steps([{ get: 'bikes', key: '{args.bike}', as: 'b' }], { returns: '{b.model}' });
    expect(callOne(numeric, { bike: 9 }).result).toEqual({ ok: true, value: 'Trail' });
    expect(callOne(numeric, { bike: '7' }).result).toEqual({ ok: true, value: 'City' });
  });

  it('fails with a default or templated not-found domain error', () => {
    expect(callOne(steps([{ get: 'rentals', key: '{args.id}', as: 'r' }]), { id: 'R-9' }).result).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'rentals not found: R-9' },
    });
    const custom = steps([{ get: 'customers', key: '{args.id}', as: 'c', notFound: 'No customer with id {key} (asked for {args.id}).' }]);
    expect(callOne(custom, { id: 'X-1' }).result).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'No customer with id X-1 (asked for X-1).' },
    });
  });

  it('refuses a missing key as invalid arguments', () => {
    expect(callOne(steps([{ get: 'rentals', key: '{args.id}', as: 'r' }]), {}).result).toEqual({
      ok: false,
      error: { name: 'InvalidArguments', message: 't: get rentals needs a key, got null.' },
    });
  });

  it('reads a table nested in a bound record', () => {
    const db = shopDb();
    (db.customers as Record<string, JsonObject>)['C-100']!.cards = [{ id: 'K1', last4: '4242' }];
    const impl = steps([{ get: 'customers', key: 'C-100', as: 'c' }, { get: 'c.cards', key: '{args.card}', as: 'k' }], { returns: '{k.last4}' });
    const env = createEnvironment(scenario([tool('t', 'read', impl)], db));
    expect(env.call('t', { card: 'k1' })).toEqual({ ok: true, value: '4242' });
  });
});

describe('find', () => {
  it('lists every record whose fields match, strings compared case-insensitively', () => {
    const impl = steps([{ find: 'rentals', where: { customer_id: '{args.customer}', status: 'ACTIVE' }, as: 'rs' }], { returns: '{rs}' });
    const { result } = callOne(impl, { customer: 'c-100' });
    expect(result.ok && (result.value as JsonObject[]).map((r) => r.id)).toEqual(['R-1', 'R-3']);
  });

  it('matches nested fields and searches object tables', () => {
    const impl = steps([{ find: 'customers', where: { email: '{args.email}' }, as: 'c', first: true }], { returns: '{c.id}' });
    expect(callOne(impl, { email: 'BEN@example.org' }).result).toEqual({ ok: true, value: 'C-200' });
  });

  it('first: binds one record, and fails with its notFound message when there is none', () => {
    const impl = steps([{ find: 'customers', where: { email: '{args.email}' }, as: 'c', first: true, notFound: 'No account uses {args.email}.' }]);
    expect(callOne(impl, { email: 'zed@example.org' }).result).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'No account uses zed@example.org.' },
    });
    const fallback = steps([{ find: 'customers', where: { email: 'none' }, as: 'c', first: true }]);
    expect(callOne(fallback).result).toEqual({ ok: false, error: { name: 'DomainError', message: 'No customers match.' } });
  });

  it('an empty list is a result, unless notFound is given', () => {
    expect(callOne(steps([{ find: 'rentals', where: { bike: 1 }, as: 'rs' }], { returns: '{rs}' })).result).toEqual({ ok: true, value: [] });
    expect(callOne(steps([{ find: 'rentals', where: { bike: 1 }, as: 'rs', notFound: 'Bike 1 was never rented.' }])).result).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'Bike 1 was never rented.' },
    });
  });

  it('compares numbers by value, not as text', () => {
    const impl = steps([{ find: 'rentals', where: { bike: '{args.bike}' }, as: 'rs' }], { returns: '{rs}' });
    const { result } = callOne(impl, { bike: 9 });
    expect(result.ok && (result.value as JsonObject[]).map((r) => r.id)).toEqual(['R-2', 'R-3']);
  });
});

describe('check', () => {
  const guarded = (check: Omit<Extract<ToolStep, { check: unknown }>, 'check' | 'message'>) =>
    steps([{ get: 'rentals', key: '{args.id}', as: 'r' }, { check: '{r.status}', message: 'Rental {r.id} is {r.status}; cannot do that.', ...check }], { returns: 'ok' });

  it('in / notIn / equals pass or fail with the templated message', () => {
    expect(callOne(guarded({ in: ['active'] }), { id: 'R-1' }).result).toEqual({ ok: true, value: 'ok' });
    expect(callOne(guarded({ in: ['active'] }), { id: 'R-2' }).result).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'Rental R-2 is returned; cannot do that.' },
    });
    expect(callOne(guarded({ notIn: ['Returned'] }), { id: 'R-2' }).result.ok).toBe(false);
    expect(callOne(guarded({ notIn: ['returned'] }), { id: 'R-1' }).result.ok).toBe(true);
    expect(callOne(guarded({ equals: 'ACTIVE' }), { id: 'R-3' }).result.ok).toBe(true);
    expect(callOne(guarded({ equals: 'active' }), { id: 'R-2' }).result.ok).toBe(false);
  });

  it('exists: true needs a value, false needs none', () => {
    const needs = steps([{ check: '{args.reason}', exists: true, message: 'Give a reason.' }], { returns: '{args.reason}' });
    expect(callOne(needs, { reason: 'flat tyre' }).result).toEqual({ ok: true, value: 'flat tyre' });
    expect(callOne(needs, {}).result).toEqual({ ok: false, error: { name: 'DomainError', message: 'Give a reason.' } });
    const forbids = steps([{ check: '{args.coupon}', exists: false, message: 'Coupons are not accepted.' }], { returns: 'ok' });
    expect(callOne(forbids, {}).result.ok).toBe(true);
    expect(callOne(forbids, { coupon: 'X' }).result.ok).toBe(false);
  });

  it('compares numbers exactly and several tests must all pass', () => {
    const impl = steps([{ check: '{args.days}', in: [1, 2, 3], notIn: [2], message: 'Days must be 1 or 3, not {args.days}.' }], { returns: 'ok' });
    expect(callOne(impl, { days: 3 }).result.ok).toBe(true);
    expect(callOne(impl, { days: '3' }).result.ok).toBe(false);
    expect(callOne(impl, { days: 2 }).result).toEqual({ ok: false, error: { name: 'DomainError', message: 'Days must be 1 or 3, not 2.' } });
  });
});

describe('check against values read at run time', () => {
  it('equals, in and notIn may be templates, so two looked-up values can be compared', () => {
    // A rental may only be returned by the customer who holds it.
    const own = steps(
      [
        { get: 'rentals', key: '{args.id}', as: 'r' },
        { check: '{r.customer_id}', equals: '{args.customer_id}', message: 'Rental {r.id} belongs to someone else.' },
      ],
      { returns: 'ok' },
    );
    expect(callOne(own, { id: 'R-1', customer_id: 'C-100' }).result.ok).toBe(true);
    expect(callOne(own, { id: 'R-1', customer_id: 'C-200' }).result).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'Rental R-1 belongs to someone else.' },
    });
    const notSame = steps(
      [
        { get: 'rentals', key: '{args.id}', as: 'r' },
        { check: '{args.bike}', notIn: ['{r.bike}'], message: 'Already on bike {r.bike}.' },
        { check: '{args.bike}', in: [7, '{r.bike}', 9], message: 'No such bike.' },
      ],
      { returns: 'ok' },
    );
    expect(callOne(notSame, { id: 'R-1', bike: 9 }).result.ok).toBe(true);
    expect(callOne(notSame, { id: 'R-1', bike: 7 }).result).toEqual({ ok: false, error: { name: 'DomainError', message: 'Already on bike 7.' } });
    expect(callOne(notSame, { id: 'R-1', bike: 3 }).result).toEqual({ ok: false, error: { name: 'DomainError', message: 'No such bike.' } });
  });

  it('append names a clash with its own templated message', () => {
    const add = steps([{ append: 'customers', key: '{args.id}', value: { id: '{args.id}' }, conflict: 'Customer {key} already exists.' }], { returns: 'ok' });
    expect(callOne(add, { id: 'C-100' }).result).toEqual({ ok: false, error: { name: 'DomainError', message: 'Customer C-100 already exists.' } });
    expect(callOne(add, { id: 'C-300' }).result.ok).toBe(true);
  });
});

describe('set, append, delete', () => {
  it('set changes a field of a bound record, keeping the template type', () => {
    const impl = steps(
      [
        { get: 'rentals', key: '{args.id}', as: 'r' },
        { set: 'r.status', value: 'returned' },
        { set: 'r.returned_on', value: '{db.meta.today}' },
        { set: 'r.days', value: '{args.days}' },
      ],
      { returns: '{r}' },
    );
    const { result, db } = callOne(impl, { id: 'R-1', days: 4 });
    expect(result).toEqual({ ok: true, value: { id: 'R-1', customer_id: 'C-100', bike: 7, status: 'returned', days: 4, returned_on: '2025-05-01' } });
    expect((db.rentals as JsonObject[])[0]).toEqual({ id: 'R-1', customer_id: 'C-100', bike: 7, status: 'returned', days: 4, returned_on: '2025-05-01' });
  });

  it('set reaches database paths, and a missing value removes the field', () => {
    const { db } = callOne(steps([{ set: 'meta.fee', value: '{args.fee}' }, { set: 'customers.C-200.tier', value: 'silver' }]), { fee: 5 });
    expect(db.meta).toEqual({ today: '2025-05-01', fee: 5 });
    expect((db.customers as Record<string, JsonObject>)['C-200']!.tier).toBe('silver');
    const removed = callOne(steps([{ get: 'customers', key: 'C-100', as: 'c' }, { set: 'c.credit', value: '{args.nothing}' }]));
    expect((removed.db.customers as Record<string, JsonObject>)['C-100']).not.toHaveProperty('credit');
  });

  it('append adds to an array table and binds the new record', () => {
    const impl = steps(
      [{ append: 'notes', value: { rental: '{args.id}', text: 'Note on {args.id}', on: '{db.meta.today}' }, as: 'n' }],
      { returns: '{n}' },
    );
    const { result, db } = callOne(impl, { id: 'R-3' });
    expect(result).toEqual({ ok: true, value: { rental: 'R-3', text: 'Note on R-3', on: '2025-05-01' } });
    expect(db.notes).toEqual([{ rental: 'R-3', text: 'Note on R-3', on: '2025-05-01' }]);
  });

  it('append adds to an object table under a key, refusing a key already there', () => {
    const impl = steps([{ append: 'customers', key: '{args.id}', value: { id: '{args.id}', name: '{args.name}', tier: 'basic', credit: 0 } }]);
    const { db } = callOne(impl, { id: 'C-300', name: 'Cy Ng' });
    expect((db.customers as JsonObject)['C-300']).toEqual({ id: 'C-300', name: 'Cy Ng', tier: 'basic', credit: 0 });
    expect(callOne(impl, { id: 'C-100', name: 'Dup' }).result).toEqual({ ok: false, error: { name: 'DomainError', message: 'customers already has C-100.' } });
  });

  it('delete removes from array tables (by id or field) and object tables', () => {
    const byId = callOne(steps([{ delete: 'rentals', key: '{args.id}' }]), { id: 'r-2' });
    expect((byId.db.rentals as JsonObject[]).map((r) => r.id)).toEqual(['R-1', 'R-3']);
    const byField = callOne(steps([{ delete: 'bikes', key: '{args.model}', by: 'model' }]), { model: 'trail' });
    expect(byField.db.bikes).toEqual([{ id: 7, model: 'City', rate: 12 }]);
    const fromObject = callOne(steps([{ delete: 'customers', key: '{args.id}' }]), { id: 'C-200' });
    expect(Object.keys(fromObject.db.customers as JsonObject)).toEqual(['C-100']);
    expect(callOne(steps([{ delete: 'customers', key: 'C-9', notFound: 'Nobody is {key}.' }])).result).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'Nobody is C-9.' },
    });
  });

  it('returns null when the tool names no result', () => {
    expect(callOne(steps([{ get: 'customers', key: 'C-100', as: 'c' }])).result).toEqual({ ok: true, value: null });
  });
});

describe('what a declarative tool can never do', () => {
  it('reach Object.prototype through a path or a key', () => {
    const pollute = callOne(steps([{ set: 'db.__proto__.polluted', value: 'yes' }]));
    expect(pollute.result).toMatchObject({ ok: false, error: { name: 'ToolCrashed' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const viaKey = callOne(steps([{ append: 'customers', key: '{args.id}', value: { polluted: 'yes' } }]), { id: '__proto__' });
    expect(viaKey.result).toMatchObject({ ok: false, error: { name: 'InvalidArguments' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(viaKey.db).toEqual(shopDb());
  });

  it('treat a table the database lacks as a domain error: it is a broken scenario, so it crashes', () => {
    expect(callOne(steps([{ get: 'orders', key: 'x', as: 'o' }])).result).toEqual({
      ok: false,
      error: { name: 'ToolCrashed', message: 't failed: t: "orders" is not a table in the database' },
    });
  });

  it('compile an unknown step (the schema refuses it on import; this is the last guard)', () => {
    const fn = compileDeclarativeTool({ name: 'odd' }, { type: 'declarative', steps: [{ mystery: 1 } as unknown as ToolStep] });
    expect(() => fn(shopDb(), {})).toThrow(/odd: unknown step/);
  });

  it('domain errors are ToolErrors, so the environment can tell them from crashes', () => {
    const fn = compileDeclarativeTool({ name: 'g' }, steps([{ get: 'customers', key: 'nobody', as: 'c' }]));
    expect(() => fn(shopDb(), {})).toThrow(ToolError);
  });
});

describe('through the environment', () => {
  const endRental = tool(
    'end_rental',
    'write',
    steps(
      [
        { get: 'rentals', key: '{args.rental_id}', as: 'r' },
        { set: 'r.status', value: 'returned' },
        { get: 'customers', key: '{r.customer_id}', as: 'c' },
        { set: 'c.credit', value: 0 },
        // A failure after two writes: none of them may stay.
        { check: '{c.tier}', in: ['gold'], message: 'Only gold customers may end rentals here; {c.name} is {c.tier}.' },
      ],
      { returns: { rental: '{r.id}', status: '{r.status}' } },
    ),
    { type: 'object', properties: { rental_id: { type: 'string' } }, required: ['rental_id'], additionalProperties: false },
  );
  const peek = tool('peek', 'read', steps([{ get: 'rentals', key: '{args.id}', as: 'r' }, { set: 'r.status', value: 'peeked' }], { returns: '{r.status}' }));
  const handOff = tool('transfer_to_human', 'read', steps([], { returns: 'Transferred.', transfer: true }));

  it('a failed write leaves the database exactly as it was', () => {
    const env = createEnvironment(scenario([endRental]));
    expect(env.call('end_rental', { rental_id: 'R-2' })).toEqual({
      ok: false,
      error: { name: 'DomainError', message: 'Only gold customers may end rentals here; Ben Ode is basic.' },
    });
    expect(env.snapshot()).toEqual(shopDb());
  });

  it('a successful write is committed', () => {
    const env = createEnvironment(scenario([endRental]));
    expect(env.call('end_rental', { rental_id: 'R-1' })).toEqual({ ok: true, value: { rental: 'R-1', status: 'returned' } });
    const db = env.snapshot();
    expect((db.rentals as JsonObject[])[0]!.status).toBe('returned');
    expect((db.customers as Record<string, JsonObject>)['C-100']!.credit).toBe(0);
  });

  it('a read tool may shape its answer with set, but its changes are never kept', () => {
    const env = createEnvironment(scenario([peek]));
    expect(env.call('peek', { id: 'R-1' })).toEqual({ ok: true, value: 'peeked' });
    expect(env.snapshot()).toEqual(shopDb());
  });

  it('arguments are checked against the parameters before any step runs', () => {
    const env = createEnvironment(scenario([endRental]));
    expect(env.call('end_rental', {})).toEqual({ ok: false, error: { name: 'InvalidArguments', message: 'end_rental: missing required argument "rental_id".' } });
    expect(env.call('end_rental', { rental_id: 'R-1', constructor: 'x' })).toMatchObject({ ok: false, error: { name: 'InvalidArguments' } });
    expect(env.snapshot()).toEqual(shopDb());
  });

  it('a transfer tool is marked as one', () => {
    const env = createEnvironment(scenario([endRental, handOff]));
    expect(env.isTransfer('transfer_to_human')).toBe(true);
    expect(env.isTransfer('end_rental')).toBe(false);
    expect(env.call('transfer_to_human', {})).toEqual({ ok: true, value: 'Transferred.' });
  });

  it('an impl wins over the built-in domain tool of the same name', () => {
    const s = makeScenario();
    s.agent.tools = s.agent.tools.map((t) =>
      t.name === 'get_account' ? { ...t, impl: steps([{ get: 'accounts', key: '{args.account_id}', as: 'a' }], { returns: 'declarative {a.name}' }) } : t,
    );
    expect(createEnvironment(s).call('get_account', { account_id: 'A1' })).toEqual({ ok: true, value: 'declarative Ana Lima' });
  });
});

describe('code tools through a runner', () => {
  const quote = tool('quote', 'read', {
    type: 'code',
    source: `
      const r = db.rentals.find((x) => x.id === args.rental_id);
      if (!r) fail('No rental ' + args.rental_id + '.');
      const bike = db.bikes.find((b) => b.id === r.bike);
      return { rental: r.id, total: bike.rate * r.days + db.meta.fee };`,
  });
  const extend = tool('extend', 'write', { type: 'code', source: 'const r = db.rentals.find((x) => x.id === args.id); r.days += args.days; return r.days;' });
  const boom = tool('boom', 'write', { type: 'code', source: 'db.meta.fee = 99; throw new Error("the meter broke");' });
  const spin = tool('spin', 'read', { type: 'code', source: 'while (true) {}', timeoutMs: 50 });
  const net = tool('phone_home', 'read', { type: 'code', source: 'return fetch("http://example.org/")' });
  const later = tool('later', 'read', { type: 'code', source: 'return Promise.resolve(1)' });
  const global = tool('leak', 'read', { type: 'code', source: 'counter = 1; return counter' });
  const all = [quote, extend, boom, spin, net, later, global];

  it('returns the value, and a read leaves the database alone', async () => {
    const runner = nodeCodeRunner();
    const env = createEnvironment(scenario(all), { codeRunner: runner });
    expect(await env.callAsync('quote', { rental_id: 'R-3' })).toEqual({ ok: true, value: { rental: 'R-3', total: 104 } });
    expect(runner.calls).toBe(1);
    expect(env.snapshot()).toEqual(shopDb());
  });

  it('fail(message) is a domain error', async () => {
    const env = createEnvironment(scenario(all), { codeRunner: nodeCodeRunner() });
    expect(await env.callAsync('quote', { rental_id: 'R-9' })).toEqual({ ok: false, error: { name: 'DomainError', message: 'No rental R-9.' } });
  });

  it('a write commits what the code changed', async () => {
    const env = createEnvironment(scenario(all), { codeRunner: nodeCodeRunner() });
    expect(await env.callAsync('extend', { id: 'R-1', days: 3 })).toEqual({ ok: true, value: 5 });
    expect((env.snapshot().rentals as JsonObject[])[0]!.days).toBe(5);
  });

  it('a throw is ToolCrashed with its message, and its changes are dropped', async () => {
    const env = createEnvironment(scenario(all), { codeRunner: nodeCodeRunner() });
    expect(await env.callAsync('boom', {})).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'boom failed: the meter broke' } });
    expect(env.snapshot()).toEqual(shopDb());
  });

  it('an endless loop times out', async () => {
    const env = createEnvironment(scenario(all), { codeRunner: nodeCodeRunner() });
    const started = Date.now();
    expect(await env.callAsync('spin', {})).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'spin timed out after 50 ms' } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('there is no network, no Promise results, and no globals', async () => {
    const env = createEnvironment(scenario(all), { codeRunner: nodeCodeRunner() });
    expect(await env.callAsync('phone_home', {})).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'phone_home failed: fetch is not defined' } });
    expect(await env.callAsync('later', {})).toMatchObject({ ok: false, error: { name: 'ToolCrashed', message: expect.stringMatching(/returned a Promise/) } });
    expect(await env.callAsync('leak', {})).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'leak failed: counter is not defined' } });
  });

  it('without a runner, or through the sync call, a code tool is a clear error', async () => {
    expect(await createEnvironment(scenario(all)).callAsync('quote', { rental_id: 'R-1' })).toEqual({
      ok: false,
      error: { name: 'ToolCrashed', message: 'quote is a code tool, and no sandbox is available to run it here.' },
    });
    expect(createEnvironment(scenario(all), { codeRunner: nodeCodeRunner() }).call('quote', { rental_id: 'R-1' })).toEqual({
      ok: false,
      error: { name: 'ToolCrashed', message: 'quote is a code tool and runs only in the sandbox (callAsync).' },
    });
  });

  it('a runner that rejects is a crash, not an exception', async () => {
    const env = createEnvironment(scenario(all), { codeRunner: () => Promise.reject(new Error('worker gone')) });
    expect(await env.callAsync('quote', { rental_id: 'R-1' })).toEqual({ ok: false, error: { name: 'ToolCrashed', message: 'quote failed: worker gone' } });
  });

  it('the runner works on a copy, and what it hands back is copied: keeping a reference changes nothing', async () => {
    let seen: JsonObject | undefined;
    const env = createEnvironment(scenario(all), {
      codeRunner: async (job) => {
        seen = job.db;
        return { ok: true, db: job.db, value: null };
      },
    });
    expect(await env.callAsync('extend', { id: 'R-1', days: 1 })).toEqual({ ok: true, value: null });
    (seen!.meta as JsonObject).fee = 1000;
    expect(env.snapshot()).toEqual(shopDb());
  });
});
