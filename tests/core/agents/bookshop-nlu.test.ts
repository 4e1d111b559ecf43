import { describe, expect, it } from 'vitest';
import { extractAddress, extractName, guessName, matchItems, understand } from '../../../src/core/agents/bookshop-nlu.ts';

const BK2031 = [
  { item_id: 'BK-2031-1', title: 'Dune', format: 'paperback' },
  { item_id: 'BK-2031-2', title: 'Dune Messiah', format: 'paperback' },
  { item_id: 'BK-2031-3', title: 'The Secret Garden', format: 'paperback' },
];

describe('understand: facts', () => {
  it('finds emails, order ids and item ids without confusing them', () => {
    const u = understand('Hi, my email is Ana.Souza@example.com. Please return BK-2041-2 from order bk-2041.');
    expect(u.email).toBe('Ana.Souza@example.com');
    expect(u.orderIds).toEqual(['BK-2041']);
    expect(u.itemIds).toEqual(['BK-2041-2']);
    expect(understand('order number 2044 please').orderIds).toEqual(['BK-2044']);
  });

  it('reads a zip code outside an address, and a full address', () => {
    expect(understand('Maria Garcia, 60614').zip).toBe('60614');
    const u = understand('Please ship order BK-2046 to 2510 Bluebonnet Ln, Austin, TX 78704 instead.');
    expect(u.address).toBe('2510 Bluebonnet Ln, Austin, TX 78704');
    expect(u.zip).toBeUndefined();
    expect(u.orderIds).toEqual(['BK-2046']);
  });

  it('normalizes addresses and starts the street at the house number', () => {
    expect(extractAddress('change order 2041 to 48 Alder Lane, Portland, or 97205')?.address).toBe('48 Alder Lane, Portland, OR 97205');
    expect(extractAddress('my new place is 31 Elm St, Apt 2, Somerville, MA, 02144')?.address).toBe('31 Elm St, Apt 2, Somerville, MA 02144');
    expect(extractAddress('4300 Shaw Blvd, St. Louis, MO 63110')?.address).toBe('4300 Shaw Blvd, St. Louis, MO 63110');
    expect(extractAddress('I live in Portland')).toBeUndefined();
  });

  it('reads names introduced as names, and bare names when one was asked for', () => {
    expect(extractName('Hi, my name is maria garcia and my zip is 60614')).toBe('Maria Garcia');
    expect(extractName("I'm Grace O'Neill, hello")).toBe("Grace O'Neill");
    expect(extractName("I'm looking for my order")).toBeUndefined();
    expect(extractName('This is Fatima Zahra Benali.')).toBe('Fatima Zahra Benali');
    expect(guessName('Maria Garcia, 60614')).toBe('Maria Garcia');
    expect(guessName('I already told you: James Smith.')).toBe('James Smith');
    expect(guessName("I don't know")).toBeUndefined();
  });
});

describe('understand: intents', () => {
  it('recognises each intent', () => {
    const kinds = (t: string) => understand(t).intents.map((i) => i.intent);
    expect(kinds('I want to cancel my order')).toEqual(['cancel']);
    expect(kinds("I'd like to send these books back")).toEqual(['return']);
    expect(kinds('Can I get a refund for Dune?')).toEqual(['return']);
    expect(kinds('Please update the shipping address on my order')).toEqual(['address']);
    expect(kinds("We've moved, can you ship it to the new place?")).toEqual(['address']);
    expect(kinds("Where is my order? It hasn't arrived")).toEqual(['status']);
    expect(kinds('Cancel it and refund me please')).toEqual(['cancel']);
    expect(kinds('My email address is ana@example.com')).toEqual([]);
    expect(kinds('My emial address is ana@example.com')).toEqual([]);
  });

  it('pairs each request with its own order id', () => {
    const u = understand('Cancel BK-2045, and change the shipping address on BK-2046 to 2510 Bluebonnet Ln, Austin, TX 78704.');
    expect(u.intents.map((i) => [i.intent, i.orderId])).toEqual([
      ['cancel', 'BK-2045'],
      ['address', 'BK-2046'],
    ]);
    expect(understand('Order BK-2041: I want to cancel it.').intents[0]?.orderId).toBe('BK-2041');
  });

  it('spots out-of-scope requests, not when a real request is there', () => {
    expect(understand("It's on sale now, I want a price adjustment").outOfScope).toBe('a price adjustment');
    expect(understand('Can I exchange it for the hardcover?').outOfScope).toBe('an exchange');
    expect(understand('I want to return Dune, it is cheaper elsewhere now').outOfScope).toBeUndefined();
  });
});

describe('understand: answers', () => {
  it('tells yes from no', () => {
    for (const yes of ['Yes, please.', 'yep go ahead', 'Sure, do it', "That's right", 'That is correct, please go ahead.', 'ok']) {
      expect(understand(yes), yes).toMatchObject({ affirm: true, negate: false });
    }
    for (const no of ["No, that's not right.", 'nope', 'No, not quite.', 'wrong order', 'No, I am afraid that is not correct.']) {
      expect(understand(no), no).toMatchObject({ affirm: false, negate: true });
    }
    expect(understand('I no longer need it').negate).toBe(false);
    expect(understand("I'm not sure").affirm).toBe(false);
  });

  it('reads the refund method', () => {
    expect(understand('Store credit is fine').refundMethod).toBe('store_credit');
    expect(understand('original payment method, please.').refundMethod).toBe('original_payment');
    expect(understand('Back to my Visa please').refundMethod).toBe('original_payment');
    expect(understand('Not store credit, my card please').refundMethod).toBe('original_payment');
    expect(understand('Yes').refundMethod).toBeUndefined();
  });

  it('reads "I don\'t know" and closings', () => {
    expect(understand("I don't remember which email I used").dontKnow).toBe(true);
    expect(understand('dunno my email address').dontKnow).toBe(true);
    expect(understand("Sorry, I'm not sure what you mean.").dontKnow).toBe(false);
    expect(understand("No, that's all. Thanks, bye!").closing).toBe(true);
    expect(understand('Why do you need my email address?').asksWhy).toBe(true);
  });
});

describe('matchItems', () => {
  it('prefers the whole title over a title inside it', () => {
    expect(matchItems('I want to return Dune Messiah', BK2031)).toEqual({ kind: 'match', ids: ['BK-2031-2'] });
    expect(matchItems('Just Dune, please', BK2031)).toEqual({ kind: 'match', ids: ['BK-2031-1'] });
    expect(matchItems('Dune and Dune Messiah', BK2031)).toEqual({ kind: 'match', ids: ['BK-2031-1', 'BK-2031-2'] });
  });

  it('adds distinctive words said beside a whole title', () => {
    const bk2029 = [
      { item_id: 'BK-2029-1', title: 'Salt, Fat, Acid, Heat' },
      { item_id: 'BK-2029-2', title: 'The Very Hungry Caterpillar' },
      { item_id: 'BK-2029-3', title: 'Where the Wild Things Are' },
    ];
    expect(matchItems('The caterpillar one and Where the Wild Things Are', bk2029)).toEqual({ kind: 'match', ids: ['BK-2029-2', 'BK-2029-3'] });
    expect(matchItems('salt fat acid heat', bk2029)).toEqual({ kind: 'match', ids: ['BK-2029-1'] });
  });

  it('leaves out titles the user keeps', () => {
    expect(matchItems('Return Dune Messiah, not Dune', BK2031)).toEqual({ kind: 'match', ids: ['BK-2031-2'] });
    expect(matchItems("Dune Messiah — I'm keeping Dune and The Secret Garden", BK2031)).toEqual({ kind: 'match', ids: ['BK-2031-2'] });
  });

  it('falls back to distinctive words, and says when words are shared', () => {
    expect(matchItems('the messiah one', BK2031)).toEqual({ kind: 'match', ids: ['BK-2031-2'] });
    expect(matchItems('the garden book', BK2031)).toEqual({ kind: 'match', ids: ['BK-2031-3'] });
    const secrets = [
      { item_id: 'X-1', title: 'The Secret History' },
      { item_id: 'X-2', title: 'The Secret Garden' },
    ];
    expect(matchItems('the secret one', secrets)).toEqual({ kind: 'ambiguous', ids: ['X-1', 'X-2'] });
    expect(matchItems('let me know, go ahead', [{ item_id: 'N-1', title: 'Never Let Me Go' }, ...secrets])).toEqual({ kind: 'none' });
  });

  it('matches a title without its subtitle, item ids, and formats of one title', () => {
    expect(matchItems('Sapiens', [{ item_id: 'S-1', title: 'Sapiens: A Brief History of Humankind' }, { item_id: 'S-2', title: 'Project Hail Mary' }])).toEqual({
      kind: 'match',
      ids: ['S-1'],
    });
    expect(matchItems('item BK-2031-3', BK2031)).toEqual({ kind: 'match', ids: ['BK-2031-3'] });
    const twins = [
      { item_id: 'H-1', title: 'The Hobbit', format: 'hardcover' },
      { item_id: 'H-2', title: 'The Hobbit', format: 'paperback' },
    ];
    expect(matchItems('The Hobbit', twins)).toEqual({ kind: 'ambiguous', ids: ['H-1', 'H-2'] });
    expect(matchItems('the paperback Hobbit', twins)).toEqual({ kind: 'match', ids: ['H-2'] });
  });
});
