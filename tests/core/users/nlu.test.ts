import { describe, expect, it } from 'vitest';
import { normalize, parseAgentText, slotAliases, slotLabel } from '../../../src/core/users/nlu.ts';

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
