import { describe, expect, it } from 'vitest';
import { BOOKSHOP_AGENT_ID, createBookshopAgent } from '../../../src/core/agents/bookshop-agent.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';
import { getPath, loadBookshopPack, replayGold } from '../scenarios/bookshop-helpers.ts';
import { converse, goalUser, script, type Conversation } from './bookshop-harness.ts';

const pack = loadBookshopPack();

function callNames(c: Conversation): string[] {
  return c.calls.map((k) => k.name);
}
function acts(c: Conversation): string[] {
  return c.lines.filter((l) => l.role === 'agent').flatMap((l) => l.acts.map((a) => [a.act, a.slot].filter(Boolean).join(':')));
}
/** The agent's visible messages, in order (tool-only steps left out). */
function agentSays(c: Conversation): string[] {
  return c.lines.filter((l) => l.role === 'agent' && l.toolCalls.length === 0).map((l) => l.content);
}
async function run(lines: string[], seed = 1): Promise<Conversation> {
  const s = script(lines);
  return converse(pack, s.opening, s.user, { seed });
}

describe('bookshop agent: identity', () => {
  it('is an agent-seat participant', () => {
    const agent = createBookshopAgent({ role: 'agent', scenarioId: 'x', domain: 'bookshop', policy: pack.policy, tools: pack.tools });
    expect(agent.id).toBe(BOOKSHOP_AGENT_ID);
    expect(agent.role).toBe('agent');
  });

  it('greets when it speaks first', async () => {
    const agent = createBookshopAgent({ role: 'agent', scenarioId: 'x', domain: 'bookshop', policy: pack.policy, tools: pack.tools });
    const reply = await agent.nextMessage([], { turnIndex: 0, rng: mulberry32(1) });
    expect(reply.acts).toEqual([{ act: 'greet' }, { act: 'request', slot: 'intent' }]);
    expect(reply.content).toMatch(/help|do for you/i);
    expect(reply.toolCalls).toBeUndefined();
  });
});

describe('bookshop agent: cancellation end to end', () => {
  it('identifies, looks up, confirms, cancels, reports and says goodbye', async () => {
    const c = await run([
      "Hi, I'd like to cancel my order BK-2041, I ordered it by mistake.",
      'Sure, it is ana.souza@example.com',
      'Yes, please go ahead.',
      "No, that's all, thanks!",
    ]);
    expect(c.calls.map((k) => [k.name, k.arguments])).toEqual([
      ['find_customer', { email: 'ana.souza@example.com' }],
      ['get_order', { order_id: 'BK-2041' }],
      ['cancel_order', { order_id: 'BK-2041', reason: 'by mistake' }],
    ]);
    expect(c.calls.every((k) => k.result.ok)).toBe(true);
    const says = agentSays(c);
    // 1: asks for the email before touching anything.
    expect(says[0]).toMatch(/email/i);
    expect(c.lines[2]!.toolCalls).toEqual([]);
    // 2: states the exact change and asks for a yes; no write yet.
    expect(says[1]).toContain('BK-2041');
    expect(says[1]).toContain('Dune and The Hobbit');
    expect(says[1]).toContain('$42.99');
    expect(says[1]).toContain('original payment method');
    const confirmIndex = c.lines.findIndex((l) => l.acts.some((a) => a.act === 'confirm'));
    const writeIndex = c.lines.findIndex((l) => l.toolCalls.some((k) => k.name === 'cancel_order'));
    const yesIndex = c.lines.findIndex((l) => l.role === 'user' && l.content.startsWith('Yes'));
    expect(confirmIndex).toBeLessThan(yesIndex);
    expect(writeIndex).toBeGreaterThan(yesIndex);
    // 3: reports the outcome with the figures, then offers more help, then says goodbye.
    expect(says[2]).toMatch(/cancelled/);
    expect(says[2]).toContain('$42.99');
    expect(says[2]).toMatch(/anything else/i);
    expect(acts(c)).toEqual(['greet', 'request:email', 'confirm:cancel_order', 'done:cancel_order', 'inform:refund_amount', 'reqmore', 'bye']);
    expect(getPath(c.db, 'orders.BK-2041.status')).toBe('cancelled');
    expect(c.db).toEqual(replayGold(pack, 'bookshop-cancel-processing').db);
  });

  it('does nothing when the user says no, and asks what to change', async () => {
    const c = await run(['Please cancel BK-2041', 'ana.souza@example.com', "No, wait. Don't.", 'Leave it as it is.', 'no thanks, bye']);
    expect(callNames(c)).not.toContain('cancel_order');
    expect(agentSays(c)[2]).toMatch(/haven't changed anything/);
    expect(c.db).toEqual(pack.db);
  });

  it('asks again when the answer to a confirmation is unclear', async () => {
    const c = await run(['Please cancel BK-2041', 'ana.souza@example.com', 'Hmm, how long do refunds take?', 'yes', 'bye']);
    expect(agentSays(c)[2]).toMatch(/clear yes or no/);
    expect(getPath(c.db, 'orders.BK-2041.status')).toBe('cancelled');
  });
});

describe('bookshop agent: policy refusals', () => {
  it('refuses to cancel a shipped order and leaves the DB alone', async () => {
    const c = await run(['I want to cancel order BK-2033.', 'dan.okafor@example.net', 'Okay, I understand. Bye.']);
    expect(callNames(c)).toEqual(['find_customer', 'get_order']);
    expect(acts(c)).toContain('refuse:cancel_order');
    expect(agentSays(c)[1]).toMatch(/already shipped.*can no longer be cancelled/);
    expect(c.db).toEqual(pack.db);
  });

  it('refuses a return outside the 30-day window, and again on push-back', async () => {
    const c = await run([
      "I'd like to return Sapiens from BK-2008 to my gift card.",
      'tbecker@example.org',
      "Come on, it's only a little late. Can't you make an exception?",
      'Fine. Goodbye.',
    ]);
    expect(callNames(c)).toEqual(['find_customer', 'get_order']);
    const says = agentSays(c);
    expect(says[1]).toMatch(/51 days ago.*within 30 days/);
    expect(says[2]).toMatch(/can't make an exception/);
    expect(c.db).toEqual(pack.db);
  });

  it('will not return an item twice', async () => {
    const c = await run(['Hi, I want to return The Secret History from order BK-2024, to my card.', 'marcus.reid@example.com', 'ok thanks bye']);
    expect(callNames(c)).not.toContain('return_items');
    expect(agentSays(c)[1]).toMatch(/already returned.*\$19\.00/);
    expect(c.db).toEqual(pack.db);
  });

  it('keeps to the customer it identified', async () => {
    const c = await run(['Where is order BK-2041?', 'My email is dan.okafor@example.net', 'no, bye']);
    expect(callNames(c)).toEqual(['find_customer']);
    expect(agentSays(c)[1]).toMatch(/don't see an order BK-2041 on your account/);
  });
});

describe('bookshop agent: identification', () => {
  it('asks for full name and zip code when the email is unknown', async () => {
    const c = await run([
      'Hello, I need to cancel order BK-2044.',
      "I don't remember which email I used, sorry.",
      'Maria Garcia, 60614',
      'yes',
      'that is all, thank you',
    ]);
    const says = agentSays(c);
    expect(says[1]).toMatch(/full name/);
    expect(says[1]).toMatch(/zip code/);
    expect(c.lines.find((l) => l.acts.some((a) => a.slot === 'zip'))?.acts).toEqual([
      { act: 'request', slot: 'name' },
      { act: 'request', slot: 'zip' },
    ]);
    expect(c.calls[0]).toMatchObject({ name: 'find_customer', arguments: { name: 'Maria Garcia', zip: '60614' } });
    expect(getPath(c.db, 'orders.BK-2044.status')).toBe('cancelled');
    // The other Maria Garcia's orders are untouched.
    expect(getPath(c.db, 'orders.BK-2038.status')).toBe('shipped');
  });

  it('recovers from an email that finds no account', async () => {
    const c = await run(['Cancel my order BK-2041 please', 'ana@example.com', 'Oops, it is ana.souza@example.com', 'yes', 'bye']);
    expect(c.calls.slice(0, 2).map((k) => [k.name, k.result.ok])).toEqual([
      ['find_customer', false],
      ['find_customer', true],
    ]);
    expect(agentSays(c)[1]).toMatch(/couldn't find an account with the email ana@example.com/);
    expect(getPath(c.db, 'orders.BK-2041.status')).toBe('cancelled');
  });
});

describe('bookshop agent: returns', () => {
  it('returns exactly the named book when two titles look alike', async () => {
    const c = await run([
      "Hi! I'd like to return Dune Messiah from order BK-2031 — I'm keeping Dune.",
      'emily.chen@example.com',
      'Back to my PayPal, please.',
      'yes',
      'no thanks',
    ]);
    const says = agentSays(c);
    expect(says[2]).toContain('Dune Messiah (item BK-2031-2)');
    expect(c.calls.find((k) => k.name === 'return_items')?.arguments).toEqual({
      order_id: 'BK-2031',
      item_ids: ['BK-2031-2'],
      refund_method: 'original_payment',
    });
    expect(c.db).toEqual(replayGold(pack, 'bookshop-return-similar-title').db);
  });

  it('takes a correction at the confirmation step', async () => {
    const c = await run(['I want to return Dune from BK-2031', 'emily.chen@example.com', 'store credit', 'No, sorry, I meant Dune Messiah.', 'Yes', 'bye']);
    const proposals = c.lines.flatMap((l) => l.acts.filter((a) => a.act === 'confirm').map((a) => a.value ?? ''));
    expect(proposals).toHaveLength(2);
    expect(proposals[0]).toContain('return Dune (item BK-2031-1)');
    expect(proposals[1]).toContain('return Dune Messiah (item BK-2031-2)');
    expect(getPath(c.db, 'orders.BK-2031.items[0].status')).toBe('ok');
    expect(getPath(c.db, 'orders.BK-2031.items[1].status')).toBe('returned');
    expect(getPath(c.db, 'customers.C-1010.store_credit')).toBe(17.99);
  });

  it('asks which items and how to refund, then reports the new store-credit balance', async () => {
    const c = await run([
      'I need to send some books back. Order BK-2029.',
      'hannah.lindqvist@example.com',
      'The caterpillar one and Where the Wild Things Are',
      'store credit please',
      'yes',
      'nope, bye',
    ]);
    const says = agentSays(c);
    expect(says[1]).toMatch(/Which of them would you like to return/);
    expect(says[2]).toMatch(/original payment method.*or as store credit/);
    expect(says[3]).toContain('$29.98 as store credit');
    expect(says[4]).toContain('your balance is now $34.98');
    expect(c.db).toEqual(replayGold(pack, 'bookshop-return-two-store-credit').db);
  });
});

describe('bookshop agent: other requests', () => {
  it('handles two requests in one message, each with its own confirmation', async () => {
    const c = await run([
      'Hi, I want to cancel BK-2045 and change the shipping address on BK-2046 to 2510 Bluebonnet Ln, Austin, TX 78704.',
      'james.smith88@example.com',
      'yes',
      'yes please',
      "that's all",
    ]);
    expect(callNames(c)).toEqual(['find_customer', 'get_order', 'cancel_order', 'get_order', 'update_shipping_address']);
    expect(c.db).toEqual(replayGold(pack, 'bookshop-cancel-and-change-address').db);
  });

  it('tells the tracking number of a shipped order', async () => {
    const c = await run(["Where's my order BK-2036? It hasn't arrived.", 'sam.adeyemi@example.com', 'Great, thanks. Bye!']);
    const says = agentSays(c);
    expect(says[1]).toContain(String(getPath(pack.db, 'orders.BK-2036.tracking_number')));
    expect(acts(c)).toContain('inform:tracking_number');
    expect(c.db).toEqual(pack.db);
  });

  it('finds the order itself when the user has no order number', async () => {
    const c = await run([
      'I want to cancel the order with The Hobbit in it.',
      'grace.oneill@example.org',
      "I don't have the order number, sorry.",
      'yes',
      'bye',
    ]);
    expect(c.calls.filter((k) => k.name === 'get_order').map((k) => k.arguments['order_id'])).toEqual(['BK-2009', 'BK-2030', 'BK-2042']);
    expect(agentSays(c)[2]).toContain('cancel order BK-2042');
    expect(getPath(c.db, 'orders.BK-2042.status')).toBe('cancelled');
  });

  it('declines an out-of-scope request once and transfers when the user insists', async () => {
    const c = await run([
      'Where the Wild Things Are is on sale now. I want a price adjustment on BK-2028.',
      'I really want the difference back. Can I talk to a person?',
    ]);
    const says = agentSays(c);
    expect(says[0]).toMatch(/can't help with a price adjustment/);
    expect(c.end).toBe('transfer');
    expect(callNames(c)).toEqual(['transfer_to_human']);
    expect(String(c.calls[0]!.arguments['summary'])).toContain('BK-2028');
  });

  it('does not transfer requests it can handle', async () => {
    const c = await run(['I want to talk to a human.', 'I want to cancel BK-2041', 'ana.souza@example.com', 'yes', 'bye']);
    expect(callNames(c)).not.toContain('transfer_to_human');
    expect(getPath(c.db, 'orders.BK-2041.status')).toBe('cancelled');
  });
});

describe('bookshop agent: robustness', () => {
  it('never loops on tools: nonsense gets a clarifying question each turn', async () => {
    const lines = ['asdf qwerty', 'hmm', '???', 'blue', 'I want to cancel', 'zzz', 'no idea', 'zzz', 'zzz'];
    const c = await run(lines);
    expect(c.end).toBe('user');
    expect(agentSays(c)).toHaveLength(lines.length);
    for (const said of agentSays(c)) expect(said).toMatch(/\?/);
    expect(c.calls).toHaveLength(0);
  });

  it('makes no identical tool call twice', async () => {
    const c = await run([
      'cancel BK-2041',
      'ana@example.com',
      'ana@example.com',
      'ana@example.com',
      'ana.souza@example.com',
      'what?',
      'BK-2041',
      'yes',
    ]);
    const keys = c.calls.map((k) => `${k.name}${JSON.stringify(k.arguments)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(getPath(c.db, 'orders.BK-2041.status')).toBe('cancelled');
  });

  it('is deterministic for a seed and varies its wording across seeds', async () => {
    const lines = ['I want to cancel my order', 'ana.souza@example.com', 'BK-2041', 'yes', 'bye'];
    const a = await run(lines, 7);
    const b = await run(lines, 7);
    expect(agentSays(a)).toEqual(agentSays(b));
    const wordings = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) wordings.add(agentSays(await run(lines, seed)).join('|'));
    expect(wordings.size).toBeGreaterThan(1);
  });
});

describe('bookshop agent: every task of the pack', () => {
  for (const task of pack.tasks) {
    it(`${task.id}: reaches the gold end state against a goal-driven test user`, async () => {
      for (const seed of [1, 2, 3]) {
        const { opening, user } = goalUser(task);
        const c = await converse(pack, opening, user, { seed });
        expect(c.end, `seed ${seed}`).not.toBe('max_turns');
        expect(c.db, `seed ${seed}`).toEqual(replayGold(pack, task.id).db);
        for (const info of task.evaluation.communicateInfo) expect(c.agentText, `seed ${seed}: ${info}`).toContain(info);
        const writes = c.calls.filter((k) => ['cancel_order', 'return_items', 'update_shipping_address'].includes(k.name));
        expect(writes.every((k) => k.result.ok), `seed ${seed}`).toBe(true);
      }
    });
  }
});
