// Where to send a person who must sign in, and where to bring them back afterwards.

export const SIGN_IN_PATH = '/sign-in';

/** The sign-in route remembering the page the person was on. */
export function signInTarget(currentPath: string): string {
  if (currentPath === '/' || currentPath.startsWith(SIGN_IN_PATH)) return SIGN_IN_PATH;
  return `${SIGN_IN_PATH}?${new URLSearchParams({ next: currentPath }).toString()}`;
}

/** The `next` parameter if it is an in-app path; anything else goes to the start page. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith(SIGN_IN_PATH)) return '/';
  return next;
}
