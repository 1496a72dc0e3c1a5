import { Center, Loader, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { useEffect } from 'react';
import { SignInPage } from '../features/auth/SignInPage.js';
import { AppLayout } from './AppLayout.js';
import { AuthProvider, useAuth } from './AuthContext.js';
import { RouteView } from './RouteView.js';
import { navigate, useLocation } from './router.js';
import { safeNext, SIGN_IN_PATH, signInTarget } from './sign-in-redirect.js';
import { theme } from './theme.js';

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="bottom-right" autoClose={3500} />
      <AuthProvider>
        <Root />
      </AuthProvider>
    </MantineProvider>
  );
}

/** Chooses between the sign-in page and the signed-in shell, keeping the URL in step. */
function Root() {
  const { state } = useAuth();
  const location = useLocation();
  const onSignIn = location.path === SIGN_IN_PATH;

  useEffect(() => {
    if (state.status === 'signed-out' && !onSignIn) navigate(signInTarget(location.path), { replace: true });
    if (state.status === 'signed-in' && onSignIn) navigate(safeNext(location.query.next), { replace: true });
  }, [state.status, onSignIn, location]);

  switch (state.status) {
    case 'loading':
      return (
        <Center h="100dvh">
          <Loader aria-label="Loading" />
        </Center>
      );
    case 'signed-out':
      return <SignInPage />;
    case 'signed-in':
      return onSignIn ? null : (
        <AppLayout user={state.user}>
          <RouteView location={location} user={state.user} />
        </AppLayout>
      );
  }
}
