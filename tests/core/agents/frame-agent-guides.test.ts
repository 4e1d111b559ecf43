/**
 * The frame agent's newer capabilities on small hand-made domains: following a
 * troubleshooting guide a tool returns (asking for the readings it names, picking the outcome
 * the user's report fits, doing the actions it names, with alternatives), resolving names the
 * user says ("the Elm Street store") to ids through a listing tool, and asking "which one"
 * by the options' human-readable fields rather than their ids.
 */
import { describe, expect, it } from 'vitest';
import { driveAgent, type ToolRunner, tool, fail } from './drive.ts';
import type { JsonObject, ToolResult, ToolSpec } from '../../../src/core/model/types.ts';
import { choiceWords, createFrameAgent, matchOutcomes, parseGuide, pickChoice, planFrom, readingsIn } from '../../../src/core/agents/frame-agent.ts';
import { optionsIn, parseAgentText } from '../../../src/core/users/nlu.ts';
import { countClarifyingQuestions } from '../../../src/core/metrics/clarification.ts';


/** Drives the agent through user lines, answering its tool calls with `run`. */
function converse(tools: ToolSpec[], policy: string, run: ToolRunner, lines: string[]) {
  return driveAgent(createFrameAgent({ role: 'agent', scenarioId: 't', domain: 'd', policy, tools, seed: 1 }), lines, run);
}

const ok = (value: JsonObject | JsonObject[] | string): ToolResult => ({ ok: true, value });

/* ------------------------------------------------------------ a home-internet desk with guides */

const DESK_TOOLS: ToolSpec[] = [
  tool('find_user_by_email', 'read', 'Find a user by email.', { email: { type: 'string', description: 'Email, e.g. "ann@example.com".' } }, ['email']),
  tool('get_guide', 'read', 'Open a troubleshooting guide: steps and what to do for each result. Guides: router-no-internet, kettle-not-heating.', { guide_id: { type: 'string', description: 'Guide id, e.g. "router-no-internet".' } }, ['guide_id']),
  tool('ship_part', 'write', 'Ship a spare part to the user. Only after the user has confirmed.', {
    user_id: { type: 'string', description: 'User id, e.g. "U-1".' },
    part: { type: 'string', description: 'The part.', enum: ['cable', 'fuse', 'adapter'] },
  }, ['user_id', 'part']),
  tool('book_visit', 'write', 'Book a technician visit. Only after the user has confirmed.', {
    user_id: { type: 'string', description: 'User id, e.g. "U-1".' },
    reason: { type: 'string', description: 'Why.', enum: ['wiring', 'hardware'] },
  }, ['user_id', 'reason']),
  tool('transfer_to_human', 'read', 'Hand the user to a person.', { summary: { type: 'string', description: 'A short summary.' } }, ['summary']),
];
const DESK_POLICY = 'Identify the user first with find_user_by_email. For device problems, open the matching guide with get_guide and follow it.';
const ROUTER_GUIDE = {
  id: 'router-no-internet',
  steps: ['Ask the user to restart the router and wait two minutes.', 'Ask what the status light on the front shows.'],
  outcomes: [
    { user_reports: 'solid green light', meaning: 'working again', action: 'nothing to do' },
    { user_reports: 'blinking red light', meaning: 'power adapter failure', action: 'ship_part, part adapter' },
    { user_reports: 'no light at all', meaning: 'wiring fault', action: 'book_visit, reason wiring; if no visit can be booked, transfer_to_human' },
  ],
};

function desk(visitFails = false): ToolRunner {
  return (name, args) => {
    switch (name) {
      case 'find_user_by_email':
        return args['email'] === 'ann@example.com' ? ok({ id: 'U-1', name: 'Ann Lee' }) : fail('No such user.');
      case 'get_guide':
        return args['guide_id'] === 'router-no-internet' ? ok(ROUTER_GUIDE) : fail('No such guide.');
      case 'ship_part':
        return ok({ shipment: 'SH-9', part: String(args['part']), status: 'shipped' });
      case 'book_visit':
        return visitFails ? fail('No technician is free this week.') : ok({ visit: 'V-3', status: 'booked' });
      case 'transfer_to_human':
        return ok('Transferred.');
      default:
        return fail(`unknown tool ${name}`);
    }
  };
}

describe('frame agent: troubleshooting guides', () => {
  it('opens the guide the symptom names, relays its steps, asks for the reading, and does what the outcome says', async () => {
    const { said, calls } = await converse(DESK_TOOLS, DESK_POLICY, desk(), [
      'My router has no internet since this morning.',
      'It is ann@example.com.',
      'It is blinking red.',
      'Yes, please.',
    ]);
    expect(calls.slice(0, 2).map((c) => [c.name, c.arguments])).toEqual([
      ['find_user_by_email', { email: 'ann@example.com' }],
      ['get_guide', { guide_id: 'router-no-internet' }],
    ]);
    // The step to perform, and a question for the reading the guide names, in words the simulator reads.
    expect(said[1]).toMatch(/Please restart the router and wait two minutes\./);
    expect(parseAgentText(said[1]!, ['status_light'])).toContainEqual({ act: 'request', slot: 'status_light' });
    // Nothing is done before the yes; the guide's action and its value are proposed.
    expect(said[2]).toMatch(/power adapter failure/);
    expect(said[2]).toMatch(/ship part .*part adapter/);
    expect(calls.map((c) => c.name)).toEqual(['find_user_by_email', 'get_guide', 'ship_part']);
    expect(calls[2]!.arguments).toEqual({ user_id: 'U-1', part: 'adapter' });
  });

  it('asks which outcome fits when the report fits several, naming them', async () => {
    const { said, calls } = await converse(DESK_TOOLS, DESK_POLICY, desk(), [
      'My router has no internet. My email address is ann@example.com.',
      'There is a light.',
      'The light is blinking red.',
      'yes',
    ]);
    expect(said[1]).toMatch(/Which of these matches what you see/);
    expect(optionsIn(said[1]!.split(/(?<=\.)\s+/).at(-1)!)).toEqual(['solid green light', 'blinking red light', 'no light at all']);
    // The steps are not relayed twice.
    expect(said[1]).not.toMatch(/restart the router/);
    expect(calls.at(-1)).toMatchObject({ name: 'ship_part', arguments: { user_id: 'U-1', part: 'adapter' } });
  });

  it('falls back to the alternative the guide names when its first action is refused', async () => {
    const { said, calls } = await converse(DESK_TOOLS, DESK_POLICY, desk(true), [
      'My router has no internet. My email address is ann@example.com.',
      'There is no light at all.',
      'Yes, go ahead.',
    ]);
    expect(calls.map((c) => c.name)).toEqual(['find_user_by_email', 'get_guide', 'book_visit', 'transfer_to_human']);
    expect(calls[2]!.arguments).toEqual({ user_id: 'U-1', reason: 'wiring' });
  });

  it('does not open a guide for a question about something', async () => {
    const { calls } = await converse(DESK_TOOLS, DESK_POLICY, desk(), ['What is the status of my router ticket? My email address is ann@example.com.']);
    expect(calls.some((c) => c.name === 'get_guide')).toBe(false);
  });

  it('reads guides, their readings, outcomes and plans from plain data', () => {
    const guide = parseGuide(ROUTER_GUIDE, DESK_TOOLS)!;
    expect(guide.steps).toHaveLength(2);
    expect(guide.outcomes[1]).toEqual({ reports: 'blinking red light', meaning: 'power adapter failure', action: 'ship_part, part adapter' });
    expect(parseGuide({ id: 'x', text: 'no outcomes' }, DESK_TOOLS)).toBeUndefined();
    expect(readingsIn('Ask them to read out the error code in the message window and what the charging light next to the port shows.')).toEqual(['error code', 'charging light']);
    // Words every outcome shares count for little; the question's own words not at all.
    expect(matchOutcomes(guide, 'it is blinking red', new Set())).toEqual([1]);
    expect(matchOutcomes(guide, 'the light', new Set(['light']))).toEqual([]);
    expect(matchOutcomes(guide, 'there is a light', new Set())).toEqual([0, 1, 2]);
    const writes = DESK_TOOLS.filter((t) => t.kind === 'write' || t.name === 'transfer_to_human');
    const seq = planFrom('ship_part, part cable; then book_visit, reason hardware', writes);
    expect(seq.map((s) => [s.tool.name, s.group])).toEqual([['ship_part', 0], ['book_visit', 1]]);
    const alt = planFrom('book_visit, reason hardware, if under warranty; out of warranty: ship_part, part fuse', writes);
    expect(alt.map((s) => [s.tool.name, s.group, s.condition])).toEqual([
      ['book_visit', 0, 'if under warranty'],
      ['ship_part', 0, 'out of warranty'],
    ]);
    // A clause naming no tool ("nothing to do") plans nothing; a verb names its tool.
    expect(planFrom('nothing to do', writes)).toEqual([]);
    expect(planFrom('ship the spare part', writes).map((s) => s.tool.name)).toEqual(['ship_part']);
  });
});

/* ------------------------------------------------------------ a bakery with stores named alike */

const SHOP_TOOLS: ToolSpec[] = [
  tool('list_stores', 'read', 'List every store: id, name, town.', {}, []),
  tool('order_pickup', 'write', 'Order a product for pickup at a store. Only after the customer has confirmed.', {
    store_id: { type: 'string', description: 'Store id, e.g. "S1" (see list_stores).' },
    product: { type: 'string', description: 'The product.', enum: ['bread', 'cake'] },
  }, ['store_id', 'product']),
];
const STORES = [
  { id: 'S1', name: 'Elm Street', town: 'Riverton', hours: '8-18' },
  { id: 'S2', name: 'Main Street', town: 'Riverton', hours: '8-18' },
  { id: 'S3', name: 'Main Street', town: 'Fairview', hours: '8-18' },
];
const shop: ToolRunner = (name, args) => (name === 'list_stores' ? ok(STORES) : name === 'order_pickup' ? ok({ order: 'P-1', store: String(args['store_id']), status: 'queued' }) : fail('unknown'));

describe('frame agent: names to ids, and choices by what people call them', () => {
  it('resolves a store the user names through the listing tool, without asking', async () => {
    const { said, calls } = await converse(SHOP_TOOLS, 'Confirm before any order.', shop, ['I would like to order bread for pickup at the Elm Street store.', 'Yes, please.']);
    expect(calls.map((c) => c.name)).toEqual(['list_stores', 'order_pickup']);
    expect(calls[1]!.arguments).toEqual({ store_id: 'S1', product: 'bread' });
    const turns = said.map((content) => ({ role: 'agent' as const, content, toolCalls: [] }));
    expect(countClarifyingQuestions(turns)).toBe(0);
  });

  it('asks which one when the name fits two, by name and town rather than id, and reads the reply', async () => {
    const { said, calls } = await converse(SHOP_TOOLS, 'Confirm before any order.', shop, [
      'I would like to order bread for pickup at the Main Street store.',
      'The one in Fairview.',
      'Yes.',
    ]);
    expect(said[0]).toBe('Which store do you mean: Main Street (Riverton) or Main Street (Fairview)?');
    expect(said[0]).not.toMatch(/S\d/);
    expect(parseAgentText(said[0]!, [])).toContainEqual({ act: 'choose', slot: 'store', value: 'Main Street (Riverton) | Main Street (Fairview)' });
    expect(calls.at(-1)).toMatchObject({ name: 'order_pickup', arguments: { store_id: 'S3', product: 'bread' } });
  });

  it('describes records by their name and the fields that tell them apart', () => {
    const rx = [
      { id: 'RX-1', drug: 'levothyroxine', strength: '50 mcg', form: 'tablet', last_filled: '2027-01-01' },
      { id: 'RX-2', drug: 'levothyroxine', strength: '75 mcg', form: 'tablet', last_filled: '2027-02-01' },
    ];
    expect(rx.map((r) => choiceWords(r, rx))).toEqual(['levothyroxine (50 mcg)', 'levothyroxine (75 mcg)']);
    const choices = rx.map((r) => ({ value: r.id, text: choiceWords(r, rx) }));
    expect(pickChoice(choices, 'The 75 mcg one.')?.value).toBe('RX-2');
    expect(pickChoice(choices, 'the first one')?.value).toBe('RX-1');
    // Words every option shares pick none.
    expect(pickChoice(choices, 'levothyroxine')).toBeUndefined();
  });
});
