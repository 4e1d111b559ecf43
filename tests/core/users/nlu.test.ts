import { describe, expect, it } from 'vitest';
import {
  mentionsNumber,
  normalize,
  optionsIn,
  parseAgentText,
  refusalGrounds,
  slotAliases,
  slotLabel,
  statedIds,
  statedValue,
} from '../../../src/core/users/nlu.ts';

/** The slots the agenda user listens for in the acme scenario, plus its defaults. */
const SLOTS = ['account_id', 'email', 'plan', 'name', 'zip', 'order_id', 'items', 'refund_method', 'address', 'reason'];
const parse = (text: string) => parseAgentText(text, SLOTS);
const kinds = (text: string) => parse(text).map((a) => (a.slot ? `${a.act}:${a.slot}` : a.act));

describe('parseAgentText', () => {
  it('reads "email address" as a request for the email only, not the address', () => {
    expect(parse("What's your email address?")).toEqual([{ act: 'request', slot: 'email' }]);
  });

  it('reads a permission question as a confirmation carrying the sentence', () => {
    expect(parse('Shall I go ahead and cancel order BK-1001?')).toEqual([
      { act: 'confirm', value: 'Shall I go ahead and cancel order BK-1001?' },
    ]);
    expect(kinds('Would you like me to switch account A1 to the premium plan?')).toEqual(['confirm']);
  });

  it('reads a completed action as done', () => {
    expect(parse('Your order has been cancelled.')).toEqual([{ act: 'done', value: 'Your order has been cancelled.' }]);
    expect(kinds('I have updated your plan.')).toContain('done');
  });

  it('reads "anything else" as reqmore', () => {
    expect(parse('Is there anything else I can help with?')).toEqual([{ act: 'reqmore' }]);
  });

  it('reads an open question as a request for the intent', () => {
    expect(parse('How can I help you today?')).toEqual([{ act: 'request', slot: 'intent' }]);
  });

  it('reads several requested slots in the order they are asked', () => {
    expect(kinds('Could you give me your order number and zip code?')).toEqual(['request:order_id', 'request:zip']);
    expect(kinds('Please provide your full name.')).toEqual(['request:name']);
  });

  it('reads a refusal', () => {
    expect(kinds("I'm sorry, I can't cancel an order that has already shipped.")).toContain('refuse');
    expect(kinds('Unfortunately that plan is not available for business accounts.')).toContain('refuse');
  });

  it('reads a statement about a slot as inform, not request', () => {
    expect(kinds('Your account id is A1 and your plan is basic.')).toEqual(['inform:account_id', 'inform:plan']);
  });

  it('reads closings, one act per sentence of a longer message', () => {
    expect(kinds('Thanks for contacting us. Have a great day!')).toEqual(['bye']);
    expect(kinds('I have updated your plan. Is there anything else?')).toEqual(['done', 'inform:plan', 'reqmore']);
  });

  it('finds nothing to react to in small talk', () => {
    expect(parse('Please hold on a moment.')).toEqual([]);
  });

  it('reads "please confirm your email address?" as a request for the email, not a confirmation', () => {
    expect(kinds('Could you please confirm your email address?')).toEqual(['request:email']);
  });

  it('reads a slot question that mentions proceeding as a request, not a confirmation', () => {
    expect(kinds("Before I proceed, what's your account id?")).toEqual(['request:account_id']);
  });

  it('understands typographic apostrophes as LLMs often write them', () => {
    expect(kinds('I’m afraid I can’t change that plan.')).toContain('refuse');
    expect(kinds('I’ve changed your plan.')).toContain('done');
  });
});

describe('parseAgentText: refusals, options and questions without a slot name', () => {
  it('reads a refusal that mentions what "has been" done as a refusal only', () => {
    expect(kinds("Order BK-2033 has been shipped and can't be cancelled.")).toEqual(['refuse']);
    expect(kinds('Unfortunately, the return window has been closed for this order.')).toEqual(['refuse']);
  });

  it('reads "no longer" after a completed action as no refusal', () => {
    expect(kinds('Your order has been cancelled, so you will no longer be charged.')).toEqual(['done']);
    expect(kinds('That book is no longer in stock.')).toEqual(['refuse']);
  });

  it('reads a statement listing options as no statement of the user\'s facts', () => {
    expect(parse('The options are original payment and store credit.')).toEqual([]);
    expect(parse('You can choose between store credit or a refund to your card.')).toEqual([]);
  });

  it('reads "which would you prefer?" after listed options as a choice among them', () => {
    expect(parse('The options are original payment and store credit. Which would you prefer?')).toEqual([
      { act: 'choose', slot: 'refund_method', value: 'original payment | store credit' },
    ]);
  });

  it('reads a question listing options after its colon as a choice, options with their details', () => {
    expect(parse('Which prescription do you mean: RX-1 (amlodipine, 5 mg), RX-2 (lisinopril) or RX-3?')).toEqual([
      { act: 'choose', slot: 'prescription', value: 'RX-1 (amlodipine, 5 mg) | RX-2 (lisinopril) | RX-3' },
    ]);
    expect(parse('Which rx id (prescription number) do you mean: RX-1 (queued) or RX-2?')).toEqual([
      { act: 'choose', slot: 'rx_id', value: 'RX-1 (queued) | RX-2' },
    ]);
    expect(parse('Would you like pickup or delivery?')).toEqual([{ act: 'choose', value: 'pickup | delivery' }]);
  });

  it('reads alternatives in parentheses as options, and a known slot asked that way as a request too', () => {
    expect(parse('What is your team (network, security or facilities)?')).toEqual([
      { act: 'choose', slot: 'team', value: 'network | security | facilities' },
    ]);
    expect(parse('What is your refund method (original payment or store credit)?')).toEqual([
      { act: 'request', slot: 'refund_method' },
      { act: 'choose', slot: 'refund_method', value: 'original payment | store credit' },
    ]);
  });

  it('reads a confirmation whose summary has an "or" in it as a confirmation, not a choice', () => {
    expect(kinds('To be sure: I will report lost or stolen with asset id LT-2290; shall I proceed?')).toEqual(['confirm']);
    expect(kinds('Would you like me to proceed or cancel?')).toEqual(['confirm']);
  });

  it('reads a question for something it has no slot name for as a request by that label', () => {
    expect(parse('What is your rx id (prescription number)?')).toEqual([{ act: 'request', slot: 'rx_id', value: 'prescription number' }]);
    expect(parse('What is your new variant id?')).toEqual([{ act: 'request', slot: 'new_variant_id' }]);
    expect(parse('What does the charging light show?')).toEqual([{ act: 'request', slot: 'charging_light' }]);
    expect(parse('What is the issue with your order?')).toEqual([{ act: 'request', slot: 'intent' }]);
  });

  it('reads "your email address (work email address)" as the email only', () => {
    expect(parse('What is your email address (work email address)?')).toEqual([{ act: 'request', slot: 'email' }]);
  });

  it('takes a bare "Shall I proceed?" as confirming what the message said before it', () => {
    expect(parse('I will cancel order BK-1. Shall I proceed?')).toEqual([
      { act: 'confirm', value: 'I will cancel order BK-1. Shall I proceed?' },
    ]);
  });
});

describe('values stated in agent text', () => {
  it('finds a value only where the sentence plainly states it for the slot', () => {
    expect(statedValue('I have your email as ana@exmaple.org.', 'email')).toBe('ana@exmaple.org');
    expect(statedValue('level: write; status: pending.', 'level')).toBe('write');
    expect(statedValue('All done: your request to update access level has been completed.', 'level')).toBeUndefined();
    expect(statedValue('Your email is required to go on.', 'email')).toBeUndefined();
    // "refund" is a loose word for refund_method, not its name.
    expect(statedValue('Your refund is 27.00.', 'refund_method')).toBeUndefined();
  });

  it('lists the ids said for a slot, up to the next slot name', () => {
    const slots = ['item_ids', 'new_item_ids', 'order_id'];
    const text = 'I will exchange order number #W1 (delivered; Lamp), item ids 4983901480, 7747408585, new item ids 7747408585 and payment method id credit_card_1.';
    expect(statedIds(text, 'item_ids', slots)).toEqual(['4983901480', '7747408585']);
    expect(statedIds(text, 'new_item_ids', slots)).toEqual(['7747408585']);
    expect(statedIds(text, 'order_id', slots)).toEqual(['#w1']);
  });

  it('hears a number in any format, but not a different one or digits inside ids and dates', () => {
    expect(mentionsNumber('It costs $54.04.', '54.04')).toBe(true);
    expect(mentionsNumber('54.040 in total', '54.04')).toBe(true);
    expect(mentionsNumber('ten options', '10')).toBe(true);
    expect(mentionsNumber('twenty-one days', '21')).toBe(true);
    expect(mentionsNumber('154.04', '54.04')).toBe(false);
    expect(mentionsNumber('100 options', '10')).toBe(false);
    expect(mentionsNumber('on 2026-10-10', '10')).toBe(false);
    expect(mentionsNumber('flight SK10 at 10:30', '10')).toBe(false);
  });

  it('finds options only in questions that ask to choose', () => {
    expect(optionsIn('Which one: A or B?')).toEqual(['A', 'B']);
    expect(optionsIn('To be sure: I will report lost or stolen; shall I proceed?')).toBeUndefined();
    expect(optionsIn('Is it working now?')).toBeUndefined();
  });
});

describe('slot words', () => {
  it('lists aliases most specific first, with the plain name', () => {
    const aliases = slotAliases('email');
    expect(aliases[0]).toBe('e-mail address');
    expect(aliases.indexOf('email address')).toBeLessThan(aliases.indexOf('email'));
    expect(slotAliases('account_id')).toEqual(['account id']);
  });

  it('labels slots as a person says them', () => {
    expect(slotLabel('order_id')).toBe('order number');
    expect(slotLabel('date_of_birth')).toBe('date of birth');
  });

  it('normalizes case, underscores and spaces', () => {
    expect(normalize('  Order_ID   is\nBK-1 ')).toBe('order id is bk-1');
  });
});

describe('refusalGrounds: what a refusal gives the user', () => {
  it('an inability to find or identify someone is no refusal', () => {
    for (const text of [
      'I cannot identify you.',
      "I couldn't get your user id.",
      "I can't locate that order.",
      'I could not find an account with those details (No customer found with email x@y.org).',
      "I'm sorry, I am unable to go on with this: I need the new flight id to change flight, and I could not get it.",
      'I was not able to verify your identity.',
    ]) {
      expect(refusalGrounds(text), text).toBe('inability');
      expect(refusalGrounds(text, ['shipped']), text).toBe('inability');
    }
  });

  it('a bare refusal gives no reason, whatever policy it invokes', () => {
    for (const text of [
      "I'm sorry, I can't help with that request under our policy.",
      "I'm sorry, I can't help with that.",
      'Unfortunately that is not possible.',
      "I'm afraid our policy doesn't allow that.",
      "I'm sorry, I can't help with that: it is outside what I can do here. Is there anything else I can help you with?",
      'I am not able to process this return.',
    ]) {
      expect(refusalGrounds(text), text).toBe('no_reason');
    }
  });

  it('a refusal that says why gives a reason', () => {
    for (const text of [
      'Unfortunately, I could not cancel order: Order HP-30102 is shipped; only orders that are still processing can be cancelled.',
      "Order BK-2033 has already shipped, so it can no longer be cancelled.",
      "I can't cancel it because it has been delivered.",
      'I cannot get you a refund because the fare is basic economy.',
      'Unfortunately, I could not request access: admin access needs a Security review.',
    ]) {
      expect(refusalGrounds(text), text).toBe('reason');
    }
  });

  it('with a named reason, only a message saying one of its phrases gives it (case, hyphens and word endings aside)', () => {
    expect(refusalGrounds('Order BK-2033 has already SHIPPED.', ['shipped'])).toBe('reason');
    expect(refusalGrounds('That shirt was a final-sale item.', ['final sale'])).toBe('reason');
    expect(refusalGrounds('Workday is not available to contractors.', ['contractor'])).toBe('reason');
    expect(refusalGrounds('Returns are accepted within a 30-day window.', ['30 days', '30-day'])).toBe('reason');
    // Another reason, or none, is not the one the task waits for.
    expect(refusalGrounds("I can't cancel it because it is a weekend.", ['shipped'])).toBe('no_reason');
    expect(refusalGrounds("I'm sorry, I can't help with that request under our policy.", ['shipped'])).toBe('no_reason');
    // A phrase is said from the start of a word: "route" is not said in "reroute", but is in "routes".
    expect(refusalGrounds('We could reroute you.', ['route'])).toBe('no_reason');
    expect(refusalGrounds('Changes keep to the same routes.', ['route'])).toBe('reason');
  });
});

describe('parseAgentText: a question for several details of a new thing', () => {
  it('asks for each detail named, as new_<detail>', () => {
    const acts = parseAgentText('Which new color, brightness and power source would you like for the Desk Lamp?', ['items']);
    expect(acts.filter((a) => a.act === 'request').map((a) => a.slot)).toEqual(['new_color', 'new_brightness', 'new_power_source']);
    expect(parseAgentText('Which new size and color would you like?', []).map((a) => a.slot)).toEqual(['new_size', 'new_color']);
  });
});
