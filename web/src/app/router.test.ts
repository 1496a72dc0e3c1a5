import { describe, expect, it } from 'vitest';
import { findRoute, matchPath, normalizePath, parseHash, toHref } from './router.js';

describe('parseHash', () => {
  it('splits path and query', () => {
    expect(parseHash('#/sign-in?next=%2Fprofile')).toEqual({ path: '/sign-in', query: { next: '/profile' } });
  });

  it('treats an empty hash as the start page', () => {
    expect(parseHash('')).toEqual({ path: '/', query: {} });
    expect(parseHash('#')).toEqual({ path: '/', query: {} });
  });

  it('normalises slashes', () => {
    expect(parseHash('#settings//users/')).toEqual({ path: '/settings/users', query: {} });
    expect(normalizePath('///')).toBe('/');
  });
});

describe('toHref', () => {
  it('builds a hash link with an optional query', () => {
    expect(toHref('/accounts/new')).toBe('#/accounts/new');
    expect(toHref('sign-in', { next: '/settings/users' })).toBe('#/sign-in?next=%2Fsettings%2Fusers');
  });

  it('round-trips through parseHash', () => {
    expect(parseHash(toHref('/a/b', { q: 'x y&z' }))).toEqual({ path: '/a/b', query: { q: 'x y&z' } });
  });
});

describe('matchPath', () => {
  it('matches fixed segments exactly', () => {
    expect(matchPath('/settings/users', '/settings/users')).toEqual({});
    expect(matchPath('/settings/users', '/settings')).toBeNull();
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/', '/profile')).toBeNull();
  });

  it('captures and decodes parameters', () => {
    expect(matchPath('/accounts/:id', '/accounts/a%20b')).toEqual({ id: 'a b' });
    expect(matchPath('/accounts/:id/folders/:folder', '/accounts/7/folders/INBOX')).toEqual({
      id: '7',
      folder: 'INBOX',
    });
  });

  it('rejects malformed escapes instead of throwing', () => {
    expect(matchPath('/accounts/:id', '/accounts/%E0%A4%A')).toBeNull();
  });
});

describe('findRoute', () => {
  const routes = [{ pattern: '/accounts/new' }, { pattern: '/accounts/:id' }];

  it('prefers the first match, so fixed paths listed first win over parameters', () => {
    expect(findRoute(routes, '/accounts/new')?.route.pattern).toBe('/accounts/new');
    expect(findRoute(routes, '/accounts/12')).toEqual({
      route: { pattern: '/accounts/:id' },
      params: { id: '12' },
    });
    expect(findRoute(routes, '/nowhere')).toBeNull();
  });
});
