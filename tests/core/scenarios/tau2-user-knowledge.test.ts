/**
 * The simulated user knows only what the user knows (issue 12), over every τ²-bench retail task
 * (read from ../shared at test time):
 * - no id the gold actions use (item, variant, product, payment-method, order, user ids) is
 *   anywhere in the user side unless τ²-bench's own instructions give it to the user;
 * - every value-like token of the agenda goal is one the leak check finds in the user side;
 * - a whole session of the agenda user against the generic rule-based agent has no user turn
 *   flagged by the leak check.
 * Plus the descriptions themselves, on records of the retail database.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject, Persona, Scenario, Turn } from '../../../src/core/model/types.ts';
import { createFrameAgent } from '../../../src/core/agents/frame-agent.ts';
import { planSessions, runSession } from '../../../src/core/simulation/session.ts';
import { unknownValues, userKnownTexts, USER_UNKNOWN_VALUE_FLAG } from '../../../src/core/simulation/leak-check.ts';
import { importTau2Domain } from '../../../src/core/scenarios/tau2/import.ts';
import { describeItems, describePaymentArg, findRecord, userSayer } from '../../../src/core/scenarios/tau2/describe.ts';
import { createAgendaUser } from '../../../src/core/users/agenda.ts';
import { agendaVsFrameSpec } from '../agents/drive.ts';
import { describedIn } from '../../../src/core/users/nlu.ts';

const PUBLIC = fileURLToPath(new URL('../../../public/', import.meta.url));
const RETAIL = path.resolve(process.cwd(), '../shared/data/tau2-bench/retail');
const have = existsSync(RETAIL);
const read = (f: string) => readFileSync(path.join(RETAIL, f), 'utf8');

const db = have ? (JSON.parse(read('db.json')) as JsonObject) : {};
const rawTasks = have ? (JSON.parse(read('tasks.json')) as { id: string; user_scenario: { persona?: string | null; instructions: Json }; evaluation_criteria?: { actions?: { name: string; arguments: Record<string, Json> }[] } }[]) : [];
const scenarios: Scenario[] = have ? importTau2Domain({ domain: 'retail', db, tasks: rawTasks, policy: read('policy.md') }) : [];

/** τ²-bench's own words for the user: what the user was really given. */
function instructionText(t: (typeof rawTasks)[number]): string {
  const i = t.user_scenario.instructions;
  const parts = typeof i === 'string' ? [i] : Object.values(i as Record<string, Json>).filter((v): v is string => typeof v === 'string');
  return [...parts, t.user_scenario.persona ?? ''].join('\n');
}

/** Every string in the gold actions' arguments that names a record of the database. */
function goldIds(t: (typeof rawTasks)[number]): string[] {
  const out = new Set<string>();
  const visit = (v: Json) => {
    if (typeof v === 'string' && findRecord(db, v)) out.add(v);
    else if (Array.isArray(v)) v.forEach(visit);
  };
  for (const a of t.evaluation_criteria?.actions ?? []) Object.values(a.arguments).forEach(visit);
  return [...out];
}

describe.skipIf(!have)('τ²-bench retail: the simulated user knows only what the user knows', () => {
  it('imports all 114 tasks', () => {
    expect(scenarios).toHaveLength(114);
  });

  it('no gold id reaches the user side unless τ²-bench gives it to the user', () => {
    const leaks: string[] = [];
    rawTasks.forEach((t, i) => {
      const given = instructionText(t).replace(/#/g, '');
      const side = JSON.stringify(scenarios[i]!.user);
      for (const id of goldIds(t)) if (side.includes(id) && !given.includes(id.replace(/^#/, ''))) leaks.push(`${t.id}: ${id}`);
    });
    expect(leaks).toEqual([]);
  });

  it("every value in the agenda goal is one the leak check finds in the user side", () => {
    const unknown: string[] = [];
    for (const s of scenarios) {
      const known = userKnownTexts(s);
      for (const r of s.user.goal.requests) {
        if (r.type !== 'action') continue;
        for (const v of Object.values(r.expect)) for (const u of unknownValues(v, known, [])) unknown.push(`${s.id}: ${u}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('a session of the agenda user against the generic agent raises no leak flag on any task', { timeout: 600_000 }, async () => {
    const personas = (JSON.parse(readFileSync(`${PUBLIC}personas/core.json`, 'utf8')) as { personas: Persona[] }).personas;
    const baseline = personas.filter((p) => p.id === 'baseline');
    const spec = agendaVsFrameSpec('leak check', ['baseline']);
    const flagged: string[] = [];
    let userTurns = 0;
    const goldCache = new Map();
    for (const plan of planSessions('leak', spec, scenarios, baseline)) {
      const turns: Turn[] = [];
      const session = await runSession(plan, {
        runId: 'leak',
        spec,
        goldCache,
        onTurn: (t) => {
          turns.push(t);
        },
        createUser: (ctx) => createAgendaUser(ctx),
        createAgent: (ctx) => createFrameAgent(ctx),
      });
      expect(session.userUnknownValueTurns, plan.scenario.id).toBeDefined();
      for (const t of turns) {
        if (t.role !== 'user') continue;
        userTurns++;
        if (t.flags.includes(USER_UNKNOWN_VALUE_FLAG)) flagged.push(`${plan.scenario.id} turn ${t.index}: ${t.unknownValues?.join(', ')} in "${t.content}"`);
      }
    }
    expect(userTurns).toBeGreaterThan(114 * 2);
    expect(flagged).toEqual([]);
  });
});

describe.skipIf(!have)('descriptions of retail records', () => {
  const order = db['orders'] as Record<string, JsonObject>;

  it('says items by product name, and a new variant by the options that change', () => {
    // Task 0: a keyboard and a thermostat in one order, each for another variant of the same product.
    const said = describeItems(db, { order_id: '#W2378156', item_ids: ['1151293680', '4983901480'], new_item_ids: ['7706410293', '7747408585'] })!;
    expect(said.said['items']).toBe('Mechanical Keyboard, Smart Thermostat');
    expect(said.said['new_switch_type']).toBe('clicky');
    expect(said.said['new_backlight']).toBe('none');
    // The size stays full size: only what changes is said.
    expect(said.said['new_size']).toBeUndefined();
    expect(JSON.stringify(said.said)).not.toMatch(/\d{6,}/);
  });

  it('adds the options when the person owns two of the product', () => {
    // Yusuf Rossi has a T-Shirt in two pending orders: the one meant is told by its options.
    const lines = Object.values(order).filter((o) => o['user_id'] === 'yusuf_rossi_9620').flatMap((o) => (o['items'] as JsonObject[]).filter((it) => it['name'] === 'T-Shirt'));
    expect(lines.length).toBeGreaterThan(1);
    const said = describeItems(db, { order_id: '#W4776164', item_ids: ['8349118980'] })!;
    expect(said.said['items']).toMatch(/^T-Shirt \(.+\)$/);
    expect(said.said['items']).toContain('v-neck');
  });

  it('says a payment method by its kind and, for a card, its brand and last digits', () => {
    expect(describePaymentArg(db, 'credit_card_9513926')).toBe('Mastercard credit card ending in 2478');
    expect(describePaymentArg(db, 'paypal_7644869')).toBe('PayPal');
    const gift = Object.values(db['users'] as Record<string, JsonObject>)
      .flatMap((u) => Object.values(u['payment_methods'] as Record<string, JsonObject>))
      .find((m) => m['source'] === 'gift_card')!;
    expect(describePaymentArg(db, gift['id'] as string)).toBe('gift card');
    expect(describePaymentArg(db, 'no_such_method_1')).toBeUndefined();
  });

  it('keeps what the user was told, and reports what nobody could say', () => {
    const say = userSayer(db, ['You want to cancel order #W2378156.']);
    const out = say({ name: 'some_write', arguments: { order_id: '#W2378156', secret_code: 'ZX-99817' } }, ['order_id', 'secret_code']);
    expect(out.expect).toEqual({ order_id: '#W2378156' });
    expect(out.unsayable).toEqual([{ tool: 'some_write', arg: 'secret_code', value: 'ZX-99817' }]);
  });

  it('the agenda user recognises the described record when the agent names it by what it holds', () => {
    expect(describedIn('payment method id credit_card_9513926 (credit card (mastercard, ending in 2478))', 'Mastercard credit card ending in 2478')).toBe(true);
    // Another card of the same brand is not it.
    expect(describedIn('credit_card_1111111 (credit card (mastercard, ending in 9999))', 'Mastercard credit card ending in 2478')).toBe(false);
    expect(describedIn('item ids 8349118980 (T-Shirt: color blue, size s, material cotton, style v-neck)', 'T-Shirt (blue size S cotton v-neck)')).toBe(true);
    expect(describedIn('item ids 3799046073 (T-Shirt: color black, size xxl, material cotton, style crew neck)', 'T-Shirt (blue size S cotton v-neck)')).toBe(false);
  });
});
