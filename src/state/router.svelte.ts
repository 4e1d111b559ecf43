/** Hash routes, so the page works from any static sub-path without server rewrites. */
export type Route =
  | { page: 'new'; from?: string }
  | { page: 'runs' }
  | { page: 'run'; runId: string }
  | { page: 'session'; runId: string; sessionId: string }
  | { page: 'library' }
  | { page: 'personas' }
  | { page: 'models' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'runs' && parts[1] && parts[2] === 'sessions' && parts[3]) {
    return { page: 'session', runId: parts[1], sessionId: parts[3] };
  }
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', runId: parts[1] };
  if (parts[0] === 'runs') return { page: 'runs' };
  if (parts[0] === 'new' && parts[1] === 'from' && parts[2]) return { page: 'new', from: parts[2] };
  if (parts[0] === 'library') return { page: 'library' };
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
    case 'personas':
      return '#/personas';
    case 'models':
      return '#/models';
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
