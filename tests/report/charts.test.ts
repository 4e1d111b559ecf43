import { describe, expect, it } from 'vitest';
import { beyondNoise, differenceChart, pairedDotsChart, pairedResult, passKChart, successChart, svgMarkup } from '../../src/report/charts.ts';
import { dom } from './fixture.ts';

const document = dom();
const texts = (el: Element, mark: string) => [...el.querySelectorAll(`g[aria-label="${mark}"] text`)].map((t) => t.textContent);

describe('charts', () => {
  it('success: a labelled row per key, "rate · passed/counted", a reference line', () => {
    const el = successChart(
      [
        { key: 'a', label: 'Same title', passed: 3, counted: 4, rate: 0.75, lower: 0.3, upper: 0.95 },
        { key: 'b', label: 'Same title', passed: 0, counted: 0, rate: null, lower: 0, upper: 1 },
      ],
      { document, title: 'Per task', reference: { value: 0.2, label: 'floor' } },
    );
    expect(el.getAttribute('aria-label')).toBe('Per task');
    expect(texts(el, 'y-axis tick label')).toEqual(['Same title', 'Same title']);
    expect(texts(el, 'text')).toEqual(['75% · 3/4', '—', 'floor']);
    // Only the row with a rate has a bar.
    expect(el.querySelectorAll('g[aria-label="bar"] rect')).toHaveLength(1);
  });

  it('paired dots: decisive tasks first, coloured by B against A', () => {
    expect([pairedResult({ a: 0.5, b: 1 }), pairedResult({ a: 1, b: 0 }), pairedResult({ a: 0.5, b: 0.5 })]).toEqual(['win', 'loss', 'tie']);
    const el = pairedDotsChart(
      [
        { key: 't1', label: 'Tie', a: 1, b: 1 },
        { key: 't2', label: 'Small win', a: 0.5, b: 0.75 },
        { key: 't3', label: 'Big loss', a: 1, b: 0 },
      ],
      { document, aLabel: 'Generic', bLabel: 'Bookshop' },
    );
    const svg = el.querySelector('svg[aria-label]')!;
    expect(svg.getAttribute('aria-label')).toBe('Per task: Generic against Bookshop');
    expect(texts(svg, 'y-axis tick label')).toEqual(['Big loss', 'Small win', 'Tie']);
    // The legend names the outcomes by agent.
    expect(el.textContent).toContain('Bookshop better');
    expect(el.textContent).toContain('Generic better');
    expect(svgMarkup(el)).not.toMatch(/<script/i);
  });

  it('difference: the noise-floor band, and rows inside it marked as noise', () => {
    expect(beyondNoise({ estimate: 0.12, lower: 0.03, upper: 0.21 }, 0.06)).toBe(true);
    expect(beyondNoise({ estimate: 0.04, lower: -0.05, upper: 0.13 }, 0.06)).toBe(false);
    // Outside the floor, but its interval reaches 0: not a difference either.
    expect(beyondNoise({ estimate: 0.1, lower: -0.01, upper: 0.2 }, 0.06)).toBe(false);
    const el = differenceChart(
      [
        { key: 'rate', label: 'Success rate', estimate: 0.12, lower: 0.03, upper: 0.21 },
        { key: 'p2', label: 'pass^2', estimate: 0.04, lower: -0.05, upper: 0.13 },
      ],
      { document, noiseFloor: 0.06 },
    );
    expect(el.getAttribute('aria-label')).toContain('noise floor of ±6.0 points');
    expect(texts(el, 'text')).toEqual(['noise floor ±6.0 pts', '+12.0 pts [+3.0, +21.0]', '+4.0 pts [−5.0, +13.0] · within noise']);
  });

  it('pass^k: one tick per k and both series in the legend', () => {
    const e = (value: number) => ({ value, lower: value / 2, upper: (1 + value) / 2 });
    const el = passKChart([{ k: 1, passHat: e(0.8), strict: e(0.7) }, { k: 2, passHat: e(0.6), strict: e(0.5) }], { document });
    expect(texts(el.querySelector('svg[aria-label]')!, 'x-axis tick label')).toEqual(['k=1', 'k=2']);
    expect(el.textContent).toContain('strict pass^k (gold writes made)');
  });
});
