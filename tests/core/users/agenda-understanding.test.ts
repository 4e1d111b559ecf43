/**
 * How the agenda user reads agents that send text only (the generic frame agent, LLMs, people):
 * refusals that mention a past action, options offered or asked to pick from, questions for
 * things it has no slot name for, actions it never asked for, ids it did not ask for, and
 * information goals that are numbers. Each case drives the simulator turn by turn with the
 * agent's lines and checks its acts, its words and its latent goal state.
 */
import { describe, expect, it } from 'vitest';
import type { DialogueAct, GoalRequest, Persona, Scenario } from '../../../src/core/model/types.ts';
import type { ParticipantReply, ViewMessage } from '../../../src/core/simulation/participant.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';
import { AGENDA_VERSION, createAgendaUser } from '../../../src/core/users/agenda.ts';
import { makePersona, PERSONAS, scenarioWith } from '../fixtures.ts';

/** The user's replies to the agent's lines, one per line, after its opening message. */
async function dialogue(scenario: Scenario, agentLines: readonly string[], opts: { persona?: Persona; seed?: number } = {}) {
  const user = createAgendaUser({ role: 'user', scenario, persona: opts.persona ?? PERSONAS.baseline });
  const rng = mulberry32(opts.seed ?? 1);
  const view: ViewMessage[] = [];
  const replies: ParticipantReply[] = [];
  const speak = async () => {
    const r = await user.nextMessage(view, { turnIndex: view.length, rng });
    view.push({ from: 'self', content: r.content, ...(r.acts ? { acts: r.acts } : {}), turnIndex: view.length });
    return r;
  };
  const opening = await speak();
  for (const line of agentLines) {
    if ((replies.at(-1) ?? opening).control === 'stop') break;
    view.push({ from: 'other', content: line, turnIndex: view.length });
    replies.push(await speak());
  }
  return { opening, replies, last: replies.at(-1)! };
}

const acts = (r: ParticipantReply): DialogueAct[] => r.acts ?? [];
const kinds = (r: ParticipantReply) => acts(r).map((a) => a.act);

/** The acme scenario with another user side: known facts, requests, instructions. */
function withUser(known: Record<string, string>, requests: GoalRequest[], instructions = 'You want help.', acceptsRefusal?: boolean): Scenario {
  return scenarioWith((s) => {
    s.user.knownInfo = known;
    s.user.goal = { requests, ...(acceptsRefusal !== undefined ? { acceptsRefusal } : {}) };
    s.user.taskInstructions = instructions;
  });
}

const planRequest: GoalRequest = { type: 'action', utterance: 'switch my plan to premium', tool: 'set_plan', expect: { account_id: 'account_id', plan: 'plan' } };

describe('agenda user: refusals that mention a past action', () => {
  it('hears "has been shipped and can\'t be cancelled" as a refusal, not as the request done', async () => {
    const scenario = withUser({ order_id: 'BK-2033' }, [{ type: 'action', utterance: 'cancel my order', tool: 'cancel_order', expect: { order_id: 'order_id' } }], 'Cancel order BK-2033.', false);
    const { replies } = await dialogue(scenario, ["I'm sorry: order BK-2033 has been shipped and can't be cancelled.", 'Unfortunately, order BK-2033 has been shipped and cannot be cancelled.']);
    // First a push back, then the user leaves without its goal: never "goal met".
    expect(acts(replies[0]!)[0]).toEqual({ act: 'complain', value: 'refused' });
    expect(replies[0]!.latent).toMatchObject({ requests: ['stated'] });
    expect(replies[1]!.latent).toMatchObject({ outcome: 'gave_up' });
  });

  it('still hears a completed cancellation that says the user will "no longer" be charged', async () => {
    const scenario = withUser({ order_id: 'BK-2041' }, [{ type: 'action', utterance: 'cancel my order', tool: 'cancel_order', expect: { order_id: 'order_id' } }]);
    const { replies } = await dialogue(scenario, ['Your order BK-2041 has been cancelled, so you will no longer be charged.']);
    expect(replies[0]!.latent).toMatchObject({ outcome: 'goal_met', requests: ['done'] });
  });
});

describe('agenda user: options offered are no assertion', () => {
  const refund = withUser(
    { order_id: 'BK-2026', items: 'Piranesi', refund_method: 'original payment method' },
    [{ type: 'action', utterance: 'return a book', tool: 'return_items', expect: { order_id: 'order_id', items: 'items', refund_method: 'refund_method' } }],
  );

  it('does not "correct" a statement listing the refund options', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { replies } = await dialogue(refund, ['The options are original payment and store credit.'], { seed });
      expect(kinds(replies[0]!), `seed ${seed}: "${replies[0]!.content}"`).not.toContain('negate');
      expect(acts(replies[0]!).some((a) => a.act === 'inform' && a.slot === 'refund_method' && !a.unprompted)).toBe(false);
    }
  });

  it('picks its own option when the statement is followed by "which would you prefer?"', async () => {
    const { replies } = await dialogue(refund, ['The options are store credit and original payment. Which would you prefer?']);
    expect(acts(replies[0]!)).toContainEqual({ act: 'pick', slot: 'refund_method', value: 'original payment' });
    expect(replies[0]!.content).toContain('original payment');
    expect(kinds(replies[0]!)).not.toContain('negate');
  });

  it('accepts the option it picked when the confirmation says it back', async () => {
    const { replies } = await dialogue(refund, [
      'What is your refund method (original payment or store credit)?',
      'To be sure: I will return items with order number BK-2026, items Piranesi and refund method original payment; shall I proceed?',
    ]);
    expect(acts(replies[0]!)).toContainEqual({ act: 'pick', slot: 'refund_method', value: 'original payment' });
    expect(acts(replies[1]!)[0]).toEqual({ act: 'affirm' });
  });
});

describe('agenda user: choosing among listed options', () => {
  const rx = (known: Record<string, string>, instructions: string) =>
    withUser(known, [{ type: 'action', utterance: 'refill my blood pressure medicine', tool: 'request_refill', expect: {} }], instructions);
  const WHICH = 'Which prescription do you mean: RX-1 (lisinopril, 10 mg), RX-2 (amlodipine, 5 mg) or RX-3 (atorvastatin, 20 mg)?';

  it('picks the option holding a value it knows, and says it', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { replies } = await dialogue(rx({ name: 'Linda Park', medication: 'amlodipine' }, 'You want a refill.'), [WHICH], { seed });
      const pick = acts(replies[0]!).find((a) => a.act === 'pick');
      expect(pick, `seed ${seed}: "${replies[0]!.content}"`).toEqual({ act: 'pick', slot: 'prescription', value: 'RX-2' });
      expect(replies[0]!.content).toContain('RX-2');
      expect(replies[0]!.content).not.toMatch(/RX-1|RX-3/);
    }
  });

  it('picks by the words of its task instructions when no known value decides', async () => {
    const { replies } = await dialogue(rx({ name: 'Linda Park' }, 'You take amlodipine for your blood pressure and are nearly out.'), [WHICH]);
    expect(acts(replies[0]!)).toContainEqual({ act: 'pick', slot: 'prescription', value: 'RX-2' });
  });

  it('says it does not know which when nothing it knows points to one option', async () => {
    for (const seed of [1, 2, 3]) {
      const { replies } = await dialogue(rx({ name: 'Linda Park' }, 'You want a refill of your usual medicine.'), [WHICH], { seed });
      expect(acts(replies[0]!)[0]).toEqual({ act: 'dont_know', slot: 'prescription', value: 'which' });
      expect(replies[0]!.content).toMatch(/know which/i);
      expect(replies[0]!.content).not.toMatch(/RX-\d/);
    }
  });

  it('does not pick a described observation because one word of its task is in it', async () => {
    const scenario = withUser(
      { email: 'j@x.com', device: 'laptop' },
      [{ type: 'action', utterance: 'report my stolen laptop', tool: 'report', expect: {} }],
      'Your work laptop was stolen from your car.',
    );
    const { replies } = await dialogue(scenario, [
      'Which of these matches what you see: no light at all, the light blinks amber or the laptop starts normally after the reset?',
    ]);
    expect(acts(replies[0]!)[0]).toEqual({ act: 'dont_know', slot: 'choice', value: 'which' });
  });

  it('picks a described observation when a fact of its own says it', async () => {
    const scenario = withUser(
      { email: 'l@x.com', charging_light: 'blinking amber' },
      [{ type: 'action', utterance: 'get my laptop working', tool: 'repair', expect: {} }],
      'Your laptop does not turn on.',
    );
    const { replies } = await dialogue(scenario, [
      'Which of these matches what you see: no light at all, the light blinks amber or the laptop starts normally after the reset?',
    ]);
    expect(acts(replies[0]!)).toContainEqual({ act: 'pick', value: 'the light blinks amber' });
  });

  it('answers with its own value when the options do not hold it', async () => {
    const { replies } = await dialogue(withUser({ email: 'n@x.com', error_code: 'E-52' }, [{ type: 'action', utterance: 'get the printer fixed', tool: 'repair', expect: {} }], 'The display shows E-52.'), [
      'What is your fault code (battery, display, keyboard or fuser)?',
    ]);
    // "fault code" is the error code it knows: it says that, rather than guess "display".
    expect(acts(replies[0]!)).toContainEqual({ act: 'inform', slot: 'error_code', value: 'E-52' });
    expect(kinds(replies[0]!)).not.toContain('pick');
  });

  it('takes a "queued" record for the pending one its task speaks of', async () => {
    const scenario = withUser({ name: 'Priya Desai' }, [{ type: 'action', utterance: 'move my pending refill to the downtown store', tool: 'move', expect: {} }]);
    const { replies } = await dialogue(scenario, ['Which rx id do you mean: RX-31 (queued; montelukast 10 mg) or RX-32 (albuterol, 90 mcg)?']);
    expect(acts(replies[0]!)).toContainEqual({ act: 'pick', slot: 'rx_id', value: 'RX-31' });
  });
});

describe('agenda user: questions for things it has no slot name for', () => {
  const exchange = withUser(
    { email: 'm@x.com', order_id: 'HP-1', items: 'Pine Ridge Hoodie', new_size: 'L' },
    [{ type: 'action', utterance: 'exchange my hoodie for a bigger size', tool: 'exchange_item', expect: { order_id: 'order_id', items: 'items', new_size: 'new_size' } }],
  );

  it('says it does not know, instead of not following', async () => {
    const { replies } = await dialogue(exchange, ['What is your rx id (prescription number)?'], { persona: PERSONAS.reluctant });
    expect(acts(replies[0]!)).toEqual([{ act: 'dont_know', slot: 'rx_id' }]);
    expect(replies[0]!.content).not.toMatch(/follow|mean/i);
  });

  it('a forthcoming user offers the details of its request instead, the nearest first', async () => {
    const { replies } = await dialogue(exchange, ['What is your new variant id?'], { persona: makePersona('forthcoming', { cooperativeness: 5, verbosity: 5 }) });
    const said = acts(replies[0]!);
    expect(said[0]).toEqual({ act: 'dont_know', slot: 'new_variant_id' });
    expect(said[1]).toEqual({ act: 'inform', slot: 'new_size', value: 'L', unprompted: true });
    // Only what it knows, never a variant id.
    expect(said.every((a) => a.act === 'dont_know' || (a.act === 'inform' && exchange.user.knownInfo[a.slot!] === a.value))).toBe(true);
  });

  it('a reserved user only says it does not know', async () => {
    for (const seed of [1, 2, 3]) {
      const { replies } = await dialogue(exchange, ['What is your new variant id?'], { persona: PERSONAS.reluctant, seed });
      expect(acts(replies[0]!)).toEqual([{ act: 'dont_know', slot: 'new_variant_id' }]);
    }
  });

  it('answers a label that names a slot it knows in other words', async () => {
    const scenario = withUser({ flight_number: 'SK202', asset_tag: 'LT-2231' }, [{ type: 'action', utterance: 'get compensation', tool: 'comp', expect: {} }]);
    // Neither forthcoming (it would have volunteered them) nor reluctant (it might ask why).
    const persona = makePersona('plain', { cooperativeness: 3 });
    const flight = await dialogue(scenario, ['What is your flight id?'], { persona });
    expect(acts(flight.replies[0]!)).toContainEqual({ act: 'inform', slot: 'flight_number', value: 'SK202' });
    const tag = await dialogue(scenario, ['What is your asset id (asset tag)?'], { persona });
    expect(acts(tag.replies[0]!)).toContainEqual({ act: 'inform', slot: 'asset_tag', value: 'LT-2231' });
  });

  it('does not read "(work email address)" as a question for an address', async () => {
    const { replies } = await dialogue(withUser({ email: 'a@x.com' }, [planRequest]), ['What is your email address (work email address)?'], { persona: PERSONAS.reluctant, seed: 9 });
    expect(acts(replies[0]!).filter((a) => a.act !== 'deflect')).toEqual(
      acts(replies[0]!).some((a) => a.act === 'deflect') ? [] : [{ act: 'inform', slot: 'email', value: 'a@x.com' }],
    );
    expect(acts(replies[0]!).some((a) => a.slot === 'address')).toBe(false);
  });
});

describe('agenda user: actions it never asked for', () => {
  const refill = withUser(
    { name: 'Chloe Martin', medication: 'escitalopram' },
    [{ type: 'info', utterance: 'find out whether my escitalopram refill is ready', slot: 'ready' }],
  );

  it('says no to a proposal of an action when it only wants to know something, and says what it wants', async () => {
    const { replies } = await dialogue(refill, ['To be sure: I will cancel refill with rx id RX-4500111 (escitalopram, 10 mg); shall I proceed?']);
    expect(acts(replies[0]!)[0]).toEqual({ act: 'negate' });
    expect(acts(replies[0]!)[1]).toMatchObject({ act: 'want', value: 'find out whether my escitalopram refill is ready' });
    expect(kinds(replies[0]!)).not.toContain('affirm');
  });

  it('says no to a different action than the one it wants, even when the details fit', async () => {
    const { replies } = await dialogue(withUser({ account_id: 'A1', plan: 'premium' }, [planRequest]), [
      'Shall I cancel account A1 with the premium plan?',
      'Shall I switch account A1 to the premium plan?',
    ]);
    expect(acts(replies[0]!)[0]).toEqual({ act: 'negate' });
    expect(acts(replies[1]!)[0]).toEqual({ act: 'affirm' });
  });

  it('does not take a report of another action as its request done', async () => {
    const { replies } = await dialogue(withUser({ account_id: 'A1', plan: 'premium' }, [planRequest]), [
      'All done: your request to cancel account A1 has been completed successfully.',
      'Your plan has been changed to premium.',
    ]);
    expect(replies[0]!.latent).toMatchObject({ outcome: null });
    expect(replies[0]!.control).toBeUndefined();
    expect(replies[1]!.latent).toMatchObject({ outcome: 'goal_met', requests: ['done'] });
  });

  it('does not mistake its own words echoed back for the action proposed', async () => {
    const { replies } = await dialogue(
      withUser({ order_id: 'BK-1' }, [{ type: 'action', utterance: 'return a book', tool: 'return_items', expect: { order_id: 'order_id' } }]),
      ["To be sure: I will cancel order with order number BK-1 and reason I'd like to return a book; shall I proceed?"],
    );
    expect(acts(replies[0]!)[0]).toEqual({ act: 'negate' });
    expect(kinds(replies[0]!)).toContain('want');
  });
});

describe('agenda user: checking ids in a confirmation', () => {
  const exchange = withUser(
    { order_id: '#W1' },
    [{ type: 'action', utterance: 'exchange some items I received', tool: 'exchange', expect: { order_id: '#W1', item_ids: '4983901480', new_item_ids: '7747408585' } }],
  );

  it('says no when the confirmation lists an id it did not ask for', async () => {
    const { replies } = await dialogue(exchange, [
      'To be sure: I will exchange items with order number #W1, item ids 4983901480, 7747408585, new item ids 7747408585; shall I proceed?',
      'To be sure: I will exchange items with order number #W1, item ids 4983901480, new item ids 7747408585; shall I proceed?',
    ]);
    expect(acts(replies[0]!)[0]).toEqual({ act: 'negate' });
    expect(acts(replies[0]!)).toContainEqual({ act: 'inform', slot: 'item_ids', value: '4983901480' });
    expect(acts(replies[1]!)[0]).toEqual({ act: 'affirm' });
  });

  it('checks a bare "Shall I proceed?" against the details said before it', async () => {
    const { replies } = await dialogue(withUser({ account_id: 'A1', plan: 'premium' }, [planRequest]), [
      'I will switch account A1 to the basic plan. Shall I proceed?',
      'I will switch account A1 to the premium plan. Shall I proceed?',
    ]);
    expect(acts(replies[0]!)[0]).toEqual({ act: 'negate' });
    expect(acts(replies[1]!)[0]).toEqual({ act: 'affirm' });
  });
});

describe('agenda user: corrections only of values plainly stated', () => {
  it('does not correct a sentence that only names one of its slots', async () => {
    const scenario = withUser({ email: 'h@x.com', level: 'write', system: 'Tableau' }, [
      { type: 'action', utterance: 'upgrade my Tableau access to write', tool: 'update_access_level', expect: { level: 'level' } },
      { type: 'info', utterance: 'ask who approves it', slot: 'approver' },
    ]);
    const { replies } = await dialogue(scenario, ['All done: your request to update access level has been completed successfully. level: write; status: pending.']);
    expect(kinds(replies[0]!)).not.toContain('negate');
  });

  it('corrects the value of a later request against that request, not against its first fact', async () => {
    const scenario = withUser({ system: 'AWS console', level: 'admin' }, [
      { type: 'action', utterance: 'get admin access', tool: 'request_access', expect: { level: 'admin' } },
      { type: 'action', utterance: 'get write access instead', tool: 'request_access', expect: { level: 'write' } },
    ], 'You want admin access.', true);
    const { replies } = await dialogue(scenario, [
      'Unfortunately, I could not request access: admin access needs a Security review.',
      'All done: access requested. level: write; status: pending.',
    ]);
    expect(kinds(replies[1]!)).not.toContain('negate');
    expect(replies[1]!.latent).toMatchObject({ outcome: 'refused_accepted', requests: ['refused', 'done'] });
  });
});

describe('agenda user: information goals that are numbers', () => {
  const price = (value: string) =>
    withUser({ order_id: '#W1' }, [{ type: 'info', utterance: 'know how much the exchange costs', slot: value }]);

  it.each([
    ['54.04', 'The price difference is $54.04.'],
    ['54.04', 'You will pay 54.040 dollars.'],
    ['1054.04', 'That comes to $1,054.04 in total.'],
    ['10', 'There are ten t-shirt options available.'],
    ['10', 'We have 10 options right now.'],
  ])('hears %s in "%s"', async (value, line) => {
    const { replies } = await dialogue(price(value), [line]);
    expect(replies[0]!.latent).toMatchObject({ outcome: 'goal_met', requests: ['done'] });
  });

  it.each([
    ['54.04', 'The price difference is $154.04.'],
    ['54.04', 'The price difference is 54.4.'],
    ['10', 'There are 100 t-shirt options available.'],
    ['10', 'It was ordered on 2026-10-10.'],
    ['10', 'Your flight SK10 leaves on time.'],
  ])('does not hear %s in "%s"', async (value, line) => {
    const { replies } = await dialogue(price(value), [line]);
    expect(replies[0]!.latent).toMatchObject({ outcome: null, requests: ['stated'] });
  });

  it('does not ask for information it already heard before the request came up', async () => {
    const scenario = withUser({ account_id: 'A1', plan: 'premium' }, [planRequest, { type: 'info', utterance: 'know the new monthly price', slot: '27.50' }]);
    const { replies } = await dialogue(scenario, ['Your plan has been changed to premium; it costs $27.50 a month.']);
    expect(replies[0]!.latent).toMatchObject({ outcome: 'goal_met', requests: ['done', 'done'] });
  });
});

describe('agenda user: version', () => {
  it('is versioned past the first release, so stored results say which reader produced them', () => {
    expect(AGENDA_VERSION).toMatch(/^agenda-\d+\.\d+$/);
    expect(AGENDA_VERSION).not.toBe('agenda-1.0');
  });
});

describe('agenda user: an answer and "anything else?" in one message', () => {
  it('takes the answer, then moves on to its next request instead of asking again', async () => {
    const scenario = withUser({ account_id: 'A1', plan: 'premium' }, [
      { type: 'info', utterance: 'find out my refund', slot: '12.50' },
      planRequest,
    ]);
    const { replies } = await dialogue(scenario, ['Your refund is $12.50. Is there anything else I can help you with?']);
    expect(replies[0]!.latent).toMatchObject({ requests: ['done', 'stated'] });
    const wants = acts(replies[0]!).filter((a) => a.act === 'want');
    expect(wants).toHaveLength(1);
    expect(wants[0]!.value).toBe(planRequest.utterance);
  });
});

describe('agenda user: records it knows by description (τ²-bench imports)', () => {
  const pay = (method: string) =>
    withUser({ name: 'Yusuf Rossi', payment_method: method }, [
      { type: 'action', utterance: 'return some items I received', tool: 'return_items', expect: { items: 'Vacuum Cleaner', payment_method: method } },
    ]);
  const WHICH = 'Which payment method do you mean: credit_card_1111111 (credit card (visa, ending in 1234)), credit_card_9513926 (credit card (mastercard, ending in 2478)) or paypal_7644869 (paypal)?';

  it('picks the offered record its description names, by kind and last digits', async () => {
    for (const seed of [1, 2, 3]) {
      const { replies } = await dialogue(pay('Mastercard credit card ending in 2478'), [WHICH], { seed });
      const pick = acts(replies[0]!).find((a) => a.act === 'pick');
      expect(pick?.value, `seed ${seed}: "${replies[0]!.content}"`).toMatch(/credit_card_9513926/);
    }
  });

  it('accepts a confirmation that names the record by what it holds, and corrects one that names another', async () => {
    const ok = await dialogue(pay('Mastercard credit card ending in 2478'), [
      'To be sure: I will return items with item ids 4602305039 (Vacuum Cleaner: type robotic) and payment method id credit_card_9513926 (credit card (mastercard, ending in 2478)); shall I proceed?',
    ]);
    expect(kinds(ok.replies[0]!)).toContain('affirm');
    const wrong = await dialogue(pay('Mastercard credit card ending in 2478'), [
      'To be sure: I will return items with item ids 4602305039 (Vacuum Cleaner: type robotic) and payment method id credit_card_1111111 (credit card (visa, ending in 1234)); shall I proceed?',
    ]);
    expect(kinds(wrong.replies[0]!)).toContain('negate');
    expect(wrong.replies[0]!.content).toContain('ending in 2478');
  });
});

describe("agenda user: which record a request is about", () => {
  it("picks the order holding this request's items, not an earlier request's", async () => {
    const scenario = withUser({ user_id: 'mia_1', items: 'Water Bottle, Action Camera, Backpack', items_2: 'Gaming Mouse' }, [
      { type: 'action', utterance: 'return some items I received', tool: 'return_items', expect: { items: 'Gaming Mouse' } },
    ]);
    const { replies } = await dialogue(scenario, ['Which order do you mean: #W5490111 (delivered; Water Bottle, Mechanical Keyboard, Action Camera, Backpack) or #W7387996 (delivered; Gaming Mouse)?']);
    const pick = acts(replies[0]!).find((a) => a.act === 'pick');
    expect(pick?.value).toMatch(/#W7387996/);
  });
});

describe('agenda user: asked several things at once', () => {
  it('says what it knows before what it does not', async () => {
    const scenario = withUser({ email: 'mei@x.org', new_size: 'L' }, [
      { type: 'action', utterance: 'exchange my hoodie for a bigger size', tool: 'exchange_item', expect: { new_size: 'new_size' } },
    ]);
    for (const seed of [1, 2, 3]) {
      const { replies } = await dialogue(scenario, ['Which new color and size would you like?'], { persona: PERSONAS.terse, seed });
      expect(acts(replies[0]!)[0], `seed ${seed}: "${replies[0]!.content}"`).not.toMatchObject({ act: 'dont_know' });
      expect(replies[0]!.content, `seed ${seed}`).toMatch(/\bL\b/);
    }
  });
});
