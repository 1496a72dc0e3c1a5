import { createContext, use, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { authApi, type Session } from '../features/auth/auth.api.js';
import { api, ApiError } from '../shared/api.js';
import type { User } from '../shared/types.js';
import { navigate } from './router.js';
import { SIGN_IN_PATH } from './sign-in-redirect.js';

export type AuthState =
  { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; user: User };

interface AuthContextValue {
  state: AuthState;
  /** Resolves once signed in; rejects with an ApiError the sign-in form shows. */
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });

  const startSession = useCallback((session: Session) => {
    api.setCsrfToken(session.csrfToken);
    setState({ status: 'signed-in', user: session.user });
  }, []);

  const endSession = useCallback(() => {
    api.setCsrfToken(null);
    setState({ status: 'signed-out' });
  }, []);

  // The session cookie is HttpOnly, so asking the server is the only way to know whether we are
  // signed in after a reload — and the only way to get the CSRF token back.
  useEffect(() => {
    let cancelled = false;
    const restore = async () => {
      try {
        const session = await authApi.session();
        if (!cancelled) startSession(session);
      } catch (error) {
        if (cancelled) return;
        if (!(error instanceof ApiError) || error.status !== 401)
          console.warn('Session check failed:', error);
        endSession();
      }
    };
    void restore();
    return () => {
      cancelled = true;
    };
  }, [startSession, endSession]);

  useEffect(() => {
    api.onUnauthorized(endSession);
    return () => api.onUnauthorized(null);
  }, [endSession]);

  const signIn = useCallback(
    async (email: string, password: string) => startSession(await authApi.login(email, password)),
    [startSession],
  );

  const signOut = useCallback(async () => {
    try {
      await authApi.logout();
    } catch (error) {
      // The server may already have forgotten us; signing out locally is still right.
      console.warn('Sign-out request failed:', error);
    } finally {
      // Navigate first: a plain sign-out should not remember this page as the place to return to.
      navigate(SIGN_IN_PATH);
      endSession();
    }
  }, [endSession]);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): AuthContextValue {
  const context = use(AuthContext);
  if (!context) throw new Error('useAuth must be used inside <AuthProvider>');
  return context;
}

/** The signed-in user; only for components rendered inside the signed-in shell. */
export function useCurrentUser(): User {
  const { state } = useAuth();
  if (state.status !== 'signed-in') throw new Error('useCurrentUser needs a signed-in user');
  return state.user;
}
