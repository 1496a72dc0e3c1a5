import { Alert } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useLocation } from '../../app/router.js';

const reasons: Record<string, string> = {
  wrong_address: 'You signed in with another address',
  invalid_client: 'The provider rejected Mailyard’s OAuth client',
  access_denied: 'Access was not allowed',
  state_invalid: 'This sign-in link is no longer valid',
  state_expired: 'The sign-in took too long',
};

/** What happened at the provider, when the browser comes back from "Sign in" (`?oauthError=` / `?connected=1`). */
export function OAuthReturnNotice() {
  const { query } = useLocation();
  if (query.connected === '1') {
    return (
      <Alert
        color="teal"
        variant="light"
        icon={<IconCircleCheck size={18} />}
        title="Mailbox connected"
        role="status"
      >
        Signed in: the mailbox is saved and synchronisation has started.
      </Alert>
    );
  }
  if (query.oauthError === undefined) return null;
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={reasons[query.oauthError] ?? 'Sign-in did not complete'}
      role="alert"
    >
      {query.message ?? 'Nothing was saved. Try again.'} Nothing was saved.
    </Alert>
  );
}
