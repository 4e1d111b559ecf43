/** Hash routes, so the page works from any static sub-path without server rewrites. */
export type Route =
  | { page: 'new'; from?: string }
  | { page: 'runs' }
  | { page: 'run'; runId: string }
  | { page: 'session'; runId: string; sessionId: string }
  | { page: 'library' }
  /** A scenario pack's leaderboard; without a pack, the first one with runs. */
  | { page: 'leaderboard'; packId?: string }
  | { page: 'personas' }
  | { page: 'models' }
  /**
   * Agents side by side (issue 14): the entries of run `run` (all of them without `entries`).
   * Written as a query, #/compare?run=<runId>&entries=a1,a2, so more parameters can join it.
   * Separate runs on the same tasks: #/compare?runs=<id1>,<id2> (each run's agents, paired by
   * scenario, persona and trial); `run` may be given with `runs`, and is then listed first.
   */
  | { page: 'compare'; run?: string; entries?: string[]; runs?: string[] };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const q = path.indexOf('?');
  if (q >= 0 && path.slice(0, q).replace(/\/+$/, '') === 'compare') {
    const params = new URLSearchParams(path.slice(q + 1));
    const run = params.get('run');
    const entries = (params.get('entries') ?? '').split(',').filter(Boolean);
    const runs = (params.get('runs') ?? '').split(',').filter(Boolean);
    if (run || runs.length) return { page: 'compare', ...(run ? { run } : {}), ...(entries.length ? { entries } : {}), ...(runs.length ? { runs } : {}) };
  }
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'runs' && parts[1] && parts[2] === 'sessions' && parts[3]) {
    return { page: 'session', runId: parts[1], sessionId: parts[3] };
  }
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', runId: parts[1] };
  if (parts[0] === 'runs') return { page: 'runs' };
  if (parts[0] === 'new' && parts[1] === 'from' && parts[2]) return { page: 'new', from: parts[2] };
  if (parts[0] === 'library') return { page: 'library' };
  if (parts[0] === 'leaderboard') return parts[1] ? { page: 'leaderboard', packId: parts[1] } : { page: 'leaderboard' };
  if (parts[0] === 'personas') return { page: 'personas' };
  if (parts[0] === 'models') return { page: 'models' };
  return { page: 'new' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'new':
      return route.from ? `#/new/from/${encodeURIComponent(route.from)}` : '#/new';
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/runs/${encodeURIComponent(route.runId)}`;
    case 'session':
      return `#/runs/${encodeURIComponent(route.runId)}/sessions/${encodeURIComponent(route.sessionId)}`;
    case 'library':
      return '#/library';
    case 'leaderboard':
      return route.packId ? `#/leaderboard/${encodeURIComponent(route.packId)}` : '#/leaderboard';
    case 'personas':
      return '#/personas';
    case 'models':
      return '#/models';
    case 'compare': {
      const params = new URLSearchParams();
      if (route.run) params.set('run', route.run);
      if (route.entries?.length) params.set('entries', route.entries.join(','));
      if (route.runs?.length) params.set('runs', route.runs.join(','));
      return `#/compare?${params}`;
    }
  }
}

class Router {
  route = $state<Route>(parseRoute(typeof location === 'undefined' ? '' : location.hash));
  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => {
        this.route = parseRoute(location.hash);
      });
    }
  }
  go(route: Route): void {
    location.hash = href(route);
  }
}

export const router = new Router();
