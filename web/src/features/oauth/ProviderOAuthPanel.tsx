import { Alert, Button, CopyButton, Group, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { formatDateTime } from '../../shared/format.js';
import { OAUTH_PRESETS, oauthApi, redirectUriFor, type ProviderOAuthStatus } from './oauth.api.js';

export interface OAuthPresetValues {
  authorizationUrl: string;
  tokenUrl: string;
  scopes: string;
}

/**
 * The OAuth part of the provider form that only Mailyard knows: the redirect URI the admin must
 * register with the provider, one-click endpoints for Google and Microsoft, and the last client
 * failure (e.g. a wrong client secret found when someone signed in).
 */
export function ProviderOAuthPanel({
  providerId,
  onPreset,
}: {
  providerId?: string;
  onPreset: (values: OAuthPresetValues) => void;
}) {
  const [status, setStatus] = useState<ProviderOAuthStatus | null>(null);
  useEffect(() => {
    if (providerId === undefined) return;
    const controller = new AbortController();
    oauthApi.providerStatus(providerId, controller.signal).then(setStatus, () => setStatus(null));
    return () => controller.abort();
  }, [providerId]);
  const redirectUri = status?.redirectUri ?? redirectUriFor(window.location.origin);

  return (
    <>
      {status?.lastError && (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title="Sign-in with this provider is failing"
          role="alert"
        >
          {status.lastError.message} ({status.lastError.code}, {formatDateTime(status.lastError.at)}). Check
          the client ID and client secret; the next successful sign-in clears this message.
        </Alert>
      )}
      <Group align="flex-end" wrap="nowrap">
        <TextInput
          label="Redirect URI"
          description="Register this exact address with the provider as the app's redirect (callback) URI."
          value={redirectUri}
          readOnly
          style={{ flex: 1 }}
        />
        <CopyButton value={redirectUri}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Group gap="xs">
        <Text size="sm">Fill in the endpoints and scopes of:</Text>
        {OAUTH_PRESETS.map((preset) => (
          <Button
            key={preset.name}
            size="xs"
            variant="light"
            onClick={() =>
              onPreset({
                authorizationUrl: preset.authorizationUrl,
                tokenUrl: preset.tokenUrl,
                scopes: preset.scopes.join(' '),
              })
            }
          >
            {preset.name}
          </Button>
        ))}
      </Group>
    </>
  );
}
