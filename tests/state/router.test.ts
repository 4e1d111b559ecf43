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
    { page: 'personas' },
    { page: 'models' },
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
});
