import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from '../../src/state/router.svelte.ts';

describe('hash routes', () => {
  const routes: Route[] = [
    { page: 'new' },
    { page: 'new', from: 'run-abc 1' },
    { page: 'runs' },
    { page: 'run', runId: 'run-x/y' },
    { page: 'session', runId: 'run-x', sessionId: 's 1' },
    { page: 'library' },
    { page: 'leaderboard' },
    { page: 'leaderboard', packId: 'tau2 retail/1' },
    { page: 'personas' },
    { page: 'models' },
    { page: 'compare', run: 'run-abc' },
    { page: 'compare', run: 'run x&y', entries: ['a1', 'a3'] },
    { page: 'compare', runs: ['run-1', 'run 2'] },
    { page: 'compare', run: 'run-1', entries: ['a2'], runs: ['run-3'] },
  ];
  it.each(routes)('reads back what it writes: %o', (route) => {
    expect(parseRoute(href(route))).toEqual(route);
  });

  it('"Run again" carries the run id; anything unknown opens New run', () => {
    expect(href({ page: 'new', from: 'run-1' })).toBe('#/new/from/run-1');
    expect(parseRoute('#/new/from/run-1')).toEqual({ page: 'new', from: 'run-1' });
    expect(parseRoute('#/new/from')).toEqual({ page: 'new' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'new' });
    expect(parseRoute('')).toEqual({ page: 'new' });
  });

  it('the comparison of a run’s entries is a query, #/compare?run=…&entries=…', () => {
    expect(href({ page: 'compare', run: 'run-1' })).toBe('#/compare?run=run-1');
    expect(href({ page: 'compare', run: 'run-1', entries: ['a1', 'a2'] })).toBe('#/compare?run=run-1&entries=a1%2Ca2');
    expect(parseRoute('#/compare?run=run-1&entries=a1,a2')).toEqual({ page: 'compare', run: 'run-1', entries: ['a1', 'a2'] });
    expect(parseRoute('#/compare?entries=a1')).toEqual({ page: 'new' });
    expect(parseRoute('#/compare')).toEqual({ page: 'new' });
  });

  it('separate runs compare as #/compare?runs=id1,id2', () => {
    expect(href({ page: 'compare', runs: ['run-1', 'run-2'] })).toBe('#/compare?runs=run-1%2Crun-2');
    expect(parseRoute('#/compare?runs=run-1,run-2')).toEqual({ page: 'compare', runs: ['run-1', 'run-2'] });
  });
});
