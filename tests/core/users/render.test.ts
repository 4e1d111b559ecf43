import { describe, expect, it } from 'vitest';
import { renderUserActs, type RenderStyle } from '../../../src/core/users/render.ts';
import { mulberry32 } from '../../../src/core/stats/rng.ts';

const calm: RenderStyle = { register: 'neutral', typoRate: 0, upset: 0, driftRate: 0, learner: false };

describe('renderUserActs', () => {
  it('puts exact values in, even with heavy spelling noise', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const text = renderUserActs(
        [{ act: 'inform', slot: 'email', value: 'ana.lima@example.org' }, { act: 'inform', slot: 'order_id', value: 'BK-1001' }],
        { ...calm, typoRate: 1 },
        mulberry32(seed),
      );
      expect(text).toContain('ana.lima@example.org');
      expect(text).toContain('BK-1001');
    }
  });

  it('adds typos to template words when noisy, and none when clean', () => {
    const acts = [{ act: 'want', slot: '0', value: 'cancel my order' }];
    const clean = new Set(Array.from({ length: 20 }, (_, i) => renderUserActs(acts, calm, mulberry32(i))));
    const noisy = Array.from({ length: 20 }, (_, i) => renderUserActs(acts, { ...calm, typoRate: 1 }, mulberry32(i)));
    const templates = ["I'd like to cancel my order.", 'Can you help me cancel my order?', 'I want to cancel my order.'];
    for (const t of clean) expect(templates).toContain(t);
    expect(noisy.some((t) => !templates.includes(t))).toBe(true);
    expect(noisy.every((t) => t.includes('cancel my order'))).toBe(true);
  });

  it('follows the register', () => {
    const formal = renderUserActs([{ act: 'greet' }], { ...calm, register: 'formal' }, mulberry32(1));
    expect(['Good afternoon.', 'Hello, good day.']).toContain(formal);
  });

  it('renders a give-up goodbye differently from a satisfied one', () => {
    const bye = renderUserActs([{ act: 'bye' }], calm, mulberry32(1));
    const giveUp = renderUserActs([{ act: 'bye', value: 'gave_up' }], calm, mulberry32(1));
    expect(bye).not.toBe(giveUp);
    expect(["Forget it, I'll sort it out another way. Bye.", 'Never mind, this is going nowhere. Goodbye.']).toContain(giveUp);
  });

  it('names the slot a user does not know', () => {
    const texts = Array.from({ length: 10 }, (_, i) => renderUserActs([{ act: 'dont_know', slot: 'order_id' }], calm, mulberry32(i)));
    expect(texts.some((t) => t.includes('order number'))).toBe(true);
    expect(texts.every((t) => /don't/.test(t))).toBe(true);
  });

  it('says a picked option, and when it cannot pick, that it does not know which', () => {
    for (let seed = 1; seed <= 10; seed++) {
      expect(renderUserActs([{ act: 'pick', slot: 'rx_id', value: 'RX-4410022' }], calm, mulberry32(seed))).toContain('RX-4410022');
      const which = renderUserActs([{ act: 'dont_know', slot: 'rx_id', value: 'which' }], calm, mulberry32(seed));
      expect(which).toMatch(/know which/);
      expect(which).not.toContain('rx id');
    }
  });

  it('says what it wants instead after a no', () => {
    const text = renderUserActs([{ act: 'negate' }, { act: 'want', slot: 'instead', value: 'return a book' }], calm, mulberry32(3));
    expect(text).toMatch(/^No/);
    expect(text).toMatch(/want (is )?to return a book\.$/);
  });

  it('says plural labels with "are"', () => {
    const text = renderUserActs([{ act: 'inform', slot: 'item_ids', value: '1, 2', unprompted: true }], { ...calm, register: 'formal' }, mulberry32(1));
    expect(text).toBe('For reference, my item ids are 1, 2.');
  });

  it('is the same for the same seed', () => {
    const acts = [{ act: 'greet' }, { act: 'want', slot: '0', value: 'return a book' }];
    const style = { ...calm, typoRate: 0.3, driftRate: 0.5, upset: 0.8 };
    expect(renderUserActs(acts, style, mulberry32(5))).toBe(renderUserActs(acts, style, mulberry32(5)));
  });

  it('throws on an act it cannot render', () => {
    expect(() => renderUserActs([{ act: 'sing' }], calm, mulberry32(1))).toThrow('cannot render user act "sing"');
  });
});
