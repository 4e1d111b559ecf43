import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  DOMAINS,
  importTau2Domain,
  importTau2DomainReport,
  parseTau2Files,
  readPath,
  replayGold,
  replayGoldAsync,
  validateScenarioPack,
  ValidationError,
  type CodeToolRunner,
  type JsonObject,
  type Scenario,
  type Tau2DomainInput,
} from '../../../src/core/index.ts';

const shared = path.resolve(process.cwd(), '../shared/data/tau2-bench');
const fixture = path.resolve(__dirname, 'fixtures/tau2-mini');
const text = (dir: string, name: string) => readFileSync(path.join(dir, name), 'utf8');
const json = (dir: string, name: string) => JSON.parse(text(dir, name)) as unknown;

type RawTask = {
  id: string;
  user_scenario: { persona?: string | null; instructions: string | Record<string, string | null> };
  evaluation_criteria?: {
    actions?: { name: string; arguments: JsonObject; compare_args?: string[] | null; requestor?: string }[] | null;
    communicate_info?: string[] | null;
    nl_assertions?: string[] | null;
    reward_basis?: string[];
    env_assertions?: unknown[] | null;
  } | null;
};

/** The mini fixture, freshly read (tests may change their copy). */
function mini(): Tau2DomainInput & { tasks: RawTask[]; db: JsonObject } {
  return {
    domain: 'retail',
    db: json(fixture, 'db.json') as JsonObject,
    tasks: json(fixture, 'tasks.json') as RawTask[],
    policy: text(fixture, 'policy.md'),
  };
}

/** What a call throws, for asserting on a ValidationError's fields. */
function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** Runs code tools with node:vm, as the page's worker sandbox would. */
const vmRunner: CodeToolRunner = async (job) => {
  class Fail {
    constructor(readonly message: string) {}
  }
  const sandbox = { db: job.db, args: job.args, fail: (m: unknown) => { throw new Fail(String(m)); } };
  try {
    const value = vm.runInNewContext(`(function (db, args, fail) {\n${job.source}\n})(db, args, fail)`, sandbox, { timeout: job.timeoutMs });
    return { ok: true, db: JSON.parse(JSON.stringify(job.db)), value: value === undefined ? null : JSON.parse(JSON.stringify(value)) };
  } catch (err) {
    if (err instanceof Fail) return { ok: false, error: { name: 'DomainError', message: err.message } };
    return { ok: false, error: { name: 'ToolCrashed', message: String((err as Error)?.message ?? err) } };
  }
};

const catalog = { toolsOf: (d: string) => (DOMAINS[d] ? Object.keys(DOMAINS[d]!.tools) : undefined) };

describe('importTau2Domain on a τ²-bench-style fixture (tests/core/scenarios/fixtures/tau2-mini)', () => {
  const input = mini();
  const report = importTau2DomainReport(input);
  const byId = new Map(report.scenarios.map((s) => [s.id, s]));
  const get = (id: string): Scenario => {
    const s = byId.get(`tau2-retail-${id}`);
    if (!s) throw new Error(`no scenario tau2-retail-${id}`);
    return s;
  };

  it('makes one runnable scenario per task, sharing one database object and one tools array', () => {
    expect(report.domain).toBe('retail');
    expect(report.runnable).toBe(true);
    expect(report.scenarios.map((s) => s.id)).toEqual(input.tasks.map((t) => `tau2-retail-${t.id}`));
    for (const s of report.scenarios) {
      expect(s.domain).toBe('tau2-retail');
      expect(s.packId).toBe('tau2-retail');
      expect(s.initialDb).toBe(input.db);
      expect(s.agent.tools).toBe(report.pack.tools);
      expect(s.agent.policy).toBe(input.policy);
    }
    expect(report.pack.tools.map((t) => t.name)).toContain('transfer_to_human_agents');
    // The pack is a valid scenario pack for the built-in domain.
    expect(() => validateScenarioPack(report.pack, catalog)).not.toThrow();
  });

  it('maps the structured instructions, the persona and the facts the user holds', () => {
    const s = get('cancel-gift');
    expect(s.user.reasonForContact).toBe(
      'You want to cancel order #W0000001 because you ordered it by mistake, and you want to know your gift card balance afterwards.',
    );
    expect(s.user.knownInfo).toEqual({
      name: 'Ana Lima',
      first_name: 'Ana',
      last_name: 'Lima',
      email: 'ana.lima1234@example.com',
      order_id: '#W0000001',
      details: 'You are Ana Lima, your email is ana.lima1234@example.com.',
      // One of the tool's listed reasons, which the user picks by meaning ("you ordered it by mistake").
      reason: 'ordered by mistake',
    });
    expect(s.user.unknownInfo).toEqual(['You do not remember when you placed the order.']);
    expect(s.user.taskInstructions).toBe('Persona: Brisk and to the point.\n\nConfirm only once the agent names the order.');
    expect(s.purpose).toBe('Cancel a pending order paid by gift card: the refund goes back to the card at once.');

    const quirk = get('modify-items-quirk');
    expect(quirk.user.knownInfo).toMatchObject({ name: 'Ana Lima', zip: '97205', order_id: '#W0000003' });
    // "." is τ²-bench's placeholder for no instructions: not passed on as if it meant something.
    expect(quirk.user.taskInstructions).not.toBe('.');
    expect(get('wrong-zip-return').user.knownInfo).toMatchObject({ user_id: 'ana_lima_1234', zip: '97250' });
    expect(get('wrong-zip-return').user.unknownInfo).toEqual([]);
  });

  it('builds the agenda goal from the gold writes and the information to convey', () => {
    expect(get('cancel-gift').user.goal).toEqual({
      requests: [
        { type: 'action', utterance: 'cancel an order', tool: 'cancel_pending_order', expect: { order_id: '#W0000001', reason: 'ordered by mistake' } },
        { type: 'info', utterance: 'know my gift card balance afterwards', slot: '376.47' },
      ],
    });
    // compare_args narrows what the user insists on; the item is said by its product name, never
    // its id, with its options since Ana owns more than one water bottle.
    expect(get('wrong-zip-return').user.goal.requests).toEqual([
      {
        type: 'action',
        utterance: 'return some items I received',
        tool: 'return_delivered_order_items',
        expect: { order_id: '#W0000002', items: 'Water Bottle (capacity 1000ml stainless steel blue)' },
      },
    ]);
    expect(JSON.stringify(get('wrong-zip-return').user)).not.toContain('2366567022');
    // No write at all: the right outcome is a refusal, which the user accepts.
    expect(get('refuse-processed').user.goal).toEqual({
      requests: [{ type: 'info', utterance: 'cancel order #W0000004 since I no longer need it', slot: 'resolution' }],
      acceptsRefusal: true,
    });
  });

  it('maps the criteria: gold actions with compare_args, communicate_info, nl_assertions, reward basis', () => {
    const c = get('cancel-gift').evaluation;
    expect(c.goldActions).toEqual([
      { name: 'find_user_id_by_email', arguments: { email: 'ana.lima1234@example.com' } },
      { name: 'get_order_details', arguments: { order_id: '#W0000001' } },
      { name: 'cancel_pending_order', arguments: { order_id: '#W0000001', reason: 'ordered by mistake' } },
    ]);
    expect(c.communicateInfo).toEqual(['376.47']);
    expect(c.nlAssertions).toEqual(['The agent tells the user that the refund went back to the gift card at once.']);
    expect(c.rewardBasis).toEqual(['DB', 'COMMUNICATE']);
    expect(get('wrong-zip-return').evaluation.goldActions[2]!.compareArgs).toEqual(['order_id', 'item_ids']);
    expect(get('string-exchange').evaluation.goldActions[4]!.compareArgs).toEqual([]);
    expect(get('string-exchange').evaluation.rewardBasis).toEqual(['DB', 'ACTION']);
    expect(get('modify-items-quirk').evaluation.nlAssertions).toEqual([]);
    // No reward_basis: τ²-bench's default.
    expect(get('refuse-processed').evaluation.rewardBasis).toEqual(['DB', 'COMMUNICATE']);
  });

  it('takes plain-string instructions as both the reason and the task', () => {
    const s = get('string-exchange');
    const raw = input.tasks[4]!.user_scenario.instructions as string;
    expect(s.user.reasonForContact).toBe(raw);
    expect(s.user.taskInstructions).toBe(raw);
    expect(s.user.goal.requests[0]).toMatchObject({ type: 'action', tool: 'exchange_delivered_order_items' });
  });

  it('reports what it could not map: initial states and τ²-bench issue notes', () => {
    expect(report.unmapped).toEqual([
      {
        taskId: 'refuse-processed',
        file: 'tasks.json',
        path: '[3].initial_state.message_history',
        message: expect.stringContaining('not imported'),
      },
      {
        taskId: 'refuse-processed',
        file: 'tasks.json',
        path: '[3].issues[0]',
        message: expect.stringContaining('The user may ask for a human agent instead.'),
      },
    ]);
  });

  it('replays gold actions with τ²-bench’s rules: gift-card refunds at once, errors by design', () => {
    const cancel = replayGold(get('cancel-gift'));
    expect(cancel.results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(readPath(cancel.db, 'users.ana_lima_1234.payment_methods.gift_card_2222222.balance')).toBe(376.47);
    expect(readPath(cancel.db, 'orders["#W0000001"]')).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'ordered by mistake',
      payment_history: [
        { transaction_type: 'payment', amount: 326.37, payment_method_id: 'gift_card_2222222' },
        { transaction_type: 'refund', amount: 326.37, payment_method_id: 'gift_card_2222222' },
      ],
    });

    const ret = replayGold(get('wrong-zip-return'));
    expect(ret.results).toEqual([{ ok: false, error: 'User not found' }, { ok: true }, { ok: true }]);
    expect(readPath(ret.db, 'orders["#W0000002"]')).toMatchObject({
      status: 'return requested',
      return_items: ['2366567022'],
      return_payment_method_id: 'credit_card_1111111',
    });

    // The refusal task changes nothing.
    const refuse = replayGold(get('refuse-processed'));
    expect(refuse.db).toEqual(input.db);
    // The shared database itself is never changed by a replay.
    expect(input.db).toEqual(json(fixture, 'db.json'));
  });

  it('keeps τ²-bench’s modify-items quirk: every changed item takes the last new item’s price and options', () => {
    const gold = replayGold(get('modify-items-quirk'));
    expect(gold.results.every((r) => r.ok)).toBe(true);
    const order = readPath(gold.db, 'orders["#W0000003"]') as JsonObject;
    const bottleOptions = { capacity: '750ml', material: 'glass', color: 'black' };
    expect(order['status']).toBe('pending (item modified)');
    expect(order['items']).toEqual([
      { name: 'Mechanical Keyboard', product_id: '1656367028', item_id: '7706410293', price: 54.85, options: bottleOptions },
      { name: 'Water Bottle', product_id: '8310926033', item_id: '4579334072', price: 54.85, options: bottleOptions },
      { name: 'Water Bottle', product_id: '8310926033', item_id: '7533802601', price: 48.59, options: { capacity: '500ml', material: 'stainless steel', color: 'green' } },
    ]);
    // (269.16 − 272.33) + (54.85 − 54.04) in doubles, stored unrounded; the balance is rounded.
    expect((order['payment_history'] as JsonObject[])[1]).toEqual({ transaction_type: 'refund', amount: 2.359999999999957, payment_method_id: 'gift_card_2222222' });
    expect(readPath(gold.db, 'users.ana_lima_1234.payment_methods.gift_card_2222222.balance')).toBe(52.46);
  });

  it('replays an exchange, a calculation and a transfer', () => {
    const gold = replayGold(get('string-exchange'));
    expect(gold.results).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    expect(readPath(gold.db, 'orders["#W0000002"]')).toMatchObject({
      status: 'exchange requested',
      exchange_items: ['2366567022'],
      exchange_new_items: ['7533802601'],
      exchange_payment_method_id: 'gift_card_2222222',
      exchange_price_difference: -5.45,
    });
  });

  it('parses the same files from text and imports them alike, naming the files', () => {
    const files = {
      'tau2-mini/db.json': text(fixture, 'db.json'),
      'tau2-mini/policy.md': text(fixture, 'policy.md'),
      'tau2-mini/tasks.json': text(fixture, 'tasks.json'),
      'tau2-mini/README.txt': 'ignored',
    };
    const parsed = parseTau2Files(files);
    // The domain comes from the tasks' instructions, not the folder name.
    expect(parsed.domain).toBe('retail');
    expect(parsed.sources).toEqual({ db: 'tau2-mini/db.json', tasks: 'tau2-mini/tasks.json', policy: 'tau2-mini/policy.md' });
    const again = importTau2DomainReport(parsed);
    expect(again.pack.tasks).toEqual(report.pack.tasks);
    expect(again.unmapped.map((u) => u.file)).toEqual(['tau2-mini/tasks.json', 'tau2-mini/tasks.json']);
  });
});

describe('importTau2Domain on τ²-bench’s airline tasks (no database, no toolset here)', () => {
  const tasks = json(path.join(shared, 'airline'), 'tasks.json') as RawTask[];
  const policy = text(path.join(shared, 'airline'), 'policy.md');
  const report = importTau2DomainReport({ domain: 'airline', tasks, policy });

  it('maps every task’s user side and criteria, and says the tools cannot run', () => {
    expect(report.scenarios).toHaveLength(50);
    expect(report.runnable).toBe(false);
    expect(report.unmapped.filter((u) => u.taskId === null).map((u) => u.message)).toEqual([
      expect.stringContaining('no implementation of the τ²-bench airline tools'),
      expect.stringContaining('no database'),
    ]);
    tasks.forEach((t, i) => {
      const s = report.scenarios[i]!;
      const ins = t.user_scenario.instructions as Record<string, string | null>;
      expect(s.id).toBe(`tau2-airline-${t.id}`);
      expect(s.user.reasonForContact).toBe(ins['reason_for_call']!.trim());
      expect(s.user.knownInfo['details']).toBe(ins['known_info']!.trim());
      expect(s.user.unknownInfo).toEqual(ins['unknown_info'] ? [ins['unknown_info'].trim()] : []);
      const ec = t.evaluation_criteria!;
      expect(s.evaluation.goldActions.map((a) => a.name)).toEqual((ec.actions ?? []).map((a) => a.name));
      expect(s.evaluation.goldActions.map((a) => a.compareArgs)).toEqual((ec.actions ?? []).map((a) => a.compare_args ?? undefined));
      expect(s.evaluation.communicateInfo).toEqual(ec.communicate_info ?? []);
      expect(s.evaluation.nlAssertions).toEqual(ec.nl_assertions ?? []);
      expect(s.evaluation.rewardBasis).toEqual(ec.reward_basis ?? ['DB', 'COMMUNICATE']);
      expect(s.user.goal.requests.length).toBeGreaterThan(0);
    });
  });

  it('reads user ids and reservation numbers out of the known info', () => {
    const s = report.scenarios.find((x) => x.id === 'tau2-airline-3')!;
    expect(s.user.knownInfo).toMatchObject({ name: 'Anya Garcia', user_id: 'anya_garcia_5901', reservation_id: 'JMO1MG' });
    // The information to convey becomes a request the agenda simulator waits for.
    expect(s.user.goal.requests).toContainEqual(expect.objectContaining({ type: 'info', slot: '4' }));
  });

  it('describes the airline tools from the gold actions, with writes as action requests', () => {
    const names = new Set(tasks.flatMap((t) => (t.evaluation_criteria?.actions ?? []).map((a) => a.name)));
    expect(new Set(report.pack.tools.map((t) => t.name))).toEqual(names);
    expect(report.pack.tools.find((t) => t.name === 'cancel_reservation')?.kind).toBe('write');
    expect(report.pack.tools.find((t) => t.name === 'get_user_details')?.kind).toBe('read');
    const cancel = report.scenarios.find((s) => s.evaluation.goldActions.some((a) => a.name === 'cancel_reservation'))!;
    expect(cancel.user.goal.requests).toContainEqual(expect.objectContaining({ type: 'action', tool: 'cancel_reservation' }));
    // Nothing implements them: a replay says so instead of inventing results.
    expect(replayGold(cancel).results.some((r) => !r.ok && /Unknown tool/.test(r.error))).toBe(true);
    expect(() => validateScenarioPack(report.pack, catalog)).toThrow(/no built-in tools/);
  });
});

describe('importTau2Domain on τ²-bench’s mock domain (tools carried in the pack)', () => {
  const dir = path.join(shared, 'mock');
  const input = parseTau2Files({
    'mock/db.json': text(dir, 'db.json'),
    'mock/policy.md': text(dir, 'policy.md'),
    'mock/tasks.json': text(dir, 'tasks.json'),
  });
  const report = importTau2DomainReport(input);
  const get = (id: string) => report.scenarios.find((s) => s.id === `tau2-mock-${id}`)!;

  it('names the domain from the folder when the tasks do not, and makes a valid runnable pack', () => {
    expect(report.domain).toBe('mock');
    expect(report.runnable).toBe(true);
    expect(report.scenarios).toHaveLength(10);
    expect(report.pack.tools.every((t) => t.impl)).toBe(true);
    expect(() => validateScenarioPack(report.pack, catalog)).not.toThrow();
  });

  it('maps persona, string instructions, criteria and the env assertions it can express', () => {
    const s = get('create_task_1_with_env_assertions');
    expect(s.user.taskInstructions).toMatch(/^Persona: Professional and direct communicator/);
    expect(s.evaluation.envAssertions).toEqual([{ path: 'tasks["task_2"].status', equals: 'pending' }]);
    expect(s.evaluation.rewardBasis).toEqual(['DB', 'ENV_ASSERTION']);
    expect(get('impossible_task_1').evaluation.goldActions).toEqual([
      {
        name: 'transfer_to_human_agents',
        arguments: { summary: 'User needs to delete all their current tasks. This is not possible to do with the tools available.' },
        compareArgs: [],
      },
    ]);
    expect(get('update_task_1').user.goal.requests).toEqual([
      { type: 'action', utterance: 'update the status of a task', tool: 'update_task_status', expect: { task_id: 'task_1', status: 'completed' } },
    ]);
  });

  it('reports initial states, user-side assertions and what they leave out of the reward', () => {
    const paths = report.unmapped.map((u) => `${u.taskId} ${u.path}`);
    expect(paths).toEqual([
      // The task it updates is named only in the message history, which is not imported: the user cannot say it.
      'update_task_with_message_history [4].evaluation_criteria.actions',
      'update_task_with_message_history [4].initial_state.message_history',
      'update_task_with_initialization_data [5].initial_state.initialization_data',
      'update_task_with_initialization_actions [6].initial_state.initialization_actions',
      'update_task_with_history_and_env_assertions [7].initial_state.message_history',
      'update_task_with_user_tools [8].evaluation_criteria.env_assertions[0]',
      'update_task_with_user_tools [8].evaluation_criteria.reward_basis',
      'update_task_with_user_tools [8].initial_state.initialization_actions',
    ]);
  });

  it('replays gold actions through the declarative and code tools', async () => {
    const created = await replayGoldAsync(get('create_task_1_with_env_assertions'), { codeRunner: vmRunner });
    expect(created.results).toEqual([{ ok: true }]);
    expect(readPath(created.db, 'tasks["task_2"]')).toEqual({ task_id: 'task_2', title: 'Important Meeting', description: null, status: 'pending' });
    expect(readPath(created.db, 'users.user_1.tasks')).toEqual(['task_1', 'task_2']);
    const assertion = get('create_task_1_with_env_assertions').evaluation.envAssertions[0]!;
    expect(readPath(created.db, assertion.path)).toEqual(assertion.equals);

    const updated = replayGold(get('update_task_1'));
    expect(updated.results).toEqual([{ ok: true }]);
    expect(readPath(updated.db, 'tasks.task_1.status')).toBe('completed');
    // Its initial state was not imported, so its task_2 does not exist: the replay says so.
    expect(replayGold(get('update_task_with_initialization_data')).results).toEqual([{ ok: false, error: 'Task task_2 not found' }]);
  });
});

describe('broken τ²-bench files are refused with a clear error', () => {
  it('a missing database, for a domain whose tools need it', () => {
    const { db: _db, ...noDb } = mini();
    const err = thrown(() => importTau2Domain(noDb));
    expect(err.source).toBe('db.json');
    expect(err.message).toMatch(/^db\.json: is missing: the τ²-bench retail tools run on its database/);
    // The same through the file helper: no db.json among the files.
    const files = parseTau2Files({ 'x/tasks.json': text(fixture, 'tasks.json'), 'x/policy.md': text(fixture, 'policy.md') });
    expect(thrown(() => importTau2Domain(files)).source).toBe('db.json');
  });

  it('a database of the wrong shape, naming the record', () => {
    const input = mini();
    delete ((input.db['orders'] as JsonObject)['#W0000002'] as JsonObject)['payment_history'];
    const err = thrown(() => importTau2Domain(input));
    expect(err.source).toBe('db.json');
    expect(err.issues).toEqual([{ path: 'orders.#W0000002.payment_history', message: 'is required but missing (expected array)' }]);
    const noUsers = mini();
    delete noUsers.db['users'];
    expect(thrown(() => importTau2Domain(noUsers)).issues[0]!.path).toBe('users');
  });

  it('unknown tools in the gold actions, naming the task and the action', () => {
    const input = mini();
    input.tasks[1]!.evaluation_criteria!.actions!.splice(2, 0, { name: 'refund_everything', arguments: {} });
    const err = thrown(() => importTau2Domain(input));
    expect(err.source).toBe('tasks.json');
    expect(err.issues).toEqual([
      { path: '[1].evaluation_criteria.actions[2].name', message: expect.stringMatching(/^unknown tool "refund_everything": the τ²-bench retail tools are calculate, /) },
    ]);
  });

  it('gold actions whose arguments the tool would refuse', () => {
    const input = mini();
    input.tasks[0]!.evaluation_criteria!.actions![2]!.arguments = { order_id: '#W0000001', why: 'ordered by mistake' };
    expect(thrown(() => importTau2Domain(input)).issues).toEqual([
      { path: '[0].evaluation_criteria.actions[2].arguments', message: 'cancel_pending_order: missing required argument "reason".' },
    ]);
  });

  it('malformed JSON, with its line and column', () => {
    const broken = text(fixture, 'tasks.json').replace('"id": "modify-items-quirk",', '"id": "modify-items-quirk"');
    const err = thrown(() => parseTau2Files({ 'tasks.json': broken, 'policy.md': 'p', 'db.json': '{}' }));
    expect(err.source).toBe('tasks.json');
    expect(err.message).toMatch(/^tasks\.json: not valid JSON at line \d+, column \d+/);
    const line = Number(/line (\d+)/.exec(err.message)![1]);
    // The error points at the line after the missing comma.
    expect(broken.split('\n')[line - 1]).toMatch(/"description"/);
    expect(thrown(() => parseTau2Files({ 'tasks.json': '[]', 'policy.md': 'p', 'db.json': '{"orders": ' })).source).toBe('db.json');
  });

  it('tasks that are not a list, missing fields and unknown reward bases, all reported at once', () => {
    expect(thrown(() => importTau2Domain({ ...mini(), tasks: { tasks: [] } })).message).toBe('tasks.json: must be a JSON array of tasks');
    expect(thrown(() => importTau2Domain({ ...mini(), tasks: [] })).message).toBe('tasks.json: holds no tasks');
    const input = mini();
    delete (input.tasks[0]!.user_scenario.instructions as Record<string, unknown>)['reason_for_call'];
    input.tasks[2]!.evaluation_criteria!.reward_basis = ['DB', 'VIBES'];
    (input.tasks[3] as { id: unknown }).id = 7;
    const err = thrown(() => importTau2Domain(input));
    expect(err.source).toBe('tasks.json');
    expect(err.issues.map((i) => i.path)).toEqual([
      '[0].user_scenario.instructions.reason_for_call',
      '[2].evaluation_criteria.reward_basis[1]',
      '[3].id',
    ]);
    expect(err.issues[0]!.message).toBe('is required but missing (expected string)');
    expect(err.issues[1]!.message).toMatch(/^must be one of "DB", .*\(got "VIBES"\)$/);
  });

  it('duplicate task ids, a missing policy, a missing tasks file, an unknown domain', () => {
    const input = mini();
    input.tasks[2]!.id = 'cancel-gift';
    expect(thrown(() => importTau2Domain(input)).issues).toEqual([{ path: '[2].id', message: 'duplicate task id "cancel-gift" (also task [0])' }]);
    expect(thrown(() => importTau2Domain({ ...mini(), policy: undefined })).message).toBe('policy.md: is missing: the agent needs its policy');
    expect(thrown(() => parseTau2Files({ 'policy.md': 'p' })).message).toMatch(/^tasks\.json: is missing/);
    const { domain: _d, ...anonymous } = mini();
    const stringOnly = anonymous.tasks.map((t) => ({ ...t, user_scenario: { instructions: 'Do something.' } }));
    expect(thrown(() => importTau2Domain({ ...anonymous, tasks: stringOnly })).message).toMatch(/cannot tell which τ²-bench domain/);
    expect(thrown(() => importTau2Domain({ ...mini(), domain: 'retail/../x' })).source).toBe('domain');
  });

  it('leaves its input untouched, whether it succeeds or fails', () => {
    const input = mini();
    const before = JSON.stringify(input);
    importTau2Domain(input);
    expect(JSON.stringify(input)).toBe(before);
    input.tasks[0]!.evaluation_criteria!.actions![0]!.name = 'nope';
    const broken = JSON.stringify(input);
    expect(() => importTau2Domain(input)).toThrow(ValidationError);
    expect(JSON.stringify(input)).toBe(broken);
  });
});
