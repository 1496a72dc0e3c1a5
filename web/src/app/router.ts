// A hash router: `#/settings/users?x=1`. Hash URLs need nothing from the server (every deep link
// loads index.html at `/`), and a page reload keeps the place. The pure functions below are the
// whole routing logic; the hook only subscribes to `hashchange`.
import { useMemo, useSyncExternalStore } from 'react';

export interface RouteLocation {
  /** Always starts with `/`, never ends with `/` (except the root itself). */
  path: string;
  query: Record<string, string>;
}

export type RouteParams = Record<string, string>;

export function normalizePath(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '');
  return '/' + segments.join('/');
}

export function parseHash(hash: string): RouteLocation {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const queryStart = raw.indexOf('?');
  const pathPart = queryStart === -1 ? raw : raw.slice(0, queryStart);
  const queryPart = queryStart === -1 ? '' : raw.slice(queryStart + 1);
  return { path: normalizePath(pathPart), query: Object.fromEntries(new URLSearchParams(queryPart)) };
}

/** `toHref('/accounts/new')` → `#/accounts/new`, for links. */
export function toHref(path: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return '#' + normalizePath(path) + (search ? '?' + search : '');
}

/**
 * Matches `/accounts/:id` against `/accounts/42` → `{id: '42'}`; null when it does not match.
 * Segments must match one to one: no wildcards, no optional parts — a route table stays readable.
 */
export function matchPath(pattern: string, path: string): RouteParams | null {
  const patternSegments = normalizePath(pattern).split('/').slice(1);
  const pathSegments = normalizePath(path).split('/').slice(1);
  if (patternSegments.length !== pathSegments.length) return null;
  const params: RouteParams = {};
  for (const [index, expected] of patternSegments.entries()) {
    const actual = pathSegments[index] ?? '';
    if (expected.startsWith(':')) {
      if (actual === '') return null;
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

/** The first route whose pattern matches, with its params. */
export function findRoute<R extends { pattern: string }>(
  routes: readonly R[],
  path: string,
): { route: R; params: RouteParams } | null {
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (params) return { route, params };
  }
  return null;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const href = to.startsWith('#') ? to : toHref(...splitTarget(to));
  if (options.replace) window.location.replace(href);
  else window.location.hash = href;
}

function splitTarget(to: string): [string, Record<string, string>] {
  const { path, query } = parseHash(to);
  return [path, query];
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useLocation(): RouteLocation {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return useMemo(() => parseHash(hash), [hash]);
}
