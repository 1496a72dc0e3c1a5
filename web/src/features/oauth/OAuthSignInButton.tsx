import { Button } from '@mantine/core';
import { IconLogin2 } from '@tabler/icons-react';
import { useState } from 'react';
import { oauthApi } from './oauth.api.js';

/**
 * "Sign in": asks the server for the provider's consent page and goes there. The provider sends
 * the browser back to Mailyard, which saves the mailbox and opens it (or shows why it failed).
 */
export function OAuthSignInButton({
  email,
  providerId,
  label = 'Sign in',
  onError,
  size,
  color,
}: {
  email: string;
  providerId: string;
  label?: string;
  onError: (error: unknown) => void;
  size?: 'xs' | 'sm';
  color?: string;
}) {
  const [busy, setBusy] = useState(false);
  return (
    <Button
      size={size}
      color={color}
      variant={size === 'xs' ? 'light' : 'filled'}
      leftSection={<IconLogin2 size={16} />}
      loading={busy}
      onClick={() => {
        setBusy(true);
        oauthApi.start({ email, providerId }).then(
          ({ authorizationUrl }) => window.location.assign(authorizationUrl),
          (error: unknown) => {
            setBusy(false);
            onError(error);
          },
        );
      }}
    >
      {label}
    </Button>
  );
}
