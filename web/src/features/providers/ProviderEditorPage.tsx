// The page that opens from "Add" (seed step 6) and from a provider's Edit.
import { Alert, Button, Paper, Text } from '@mantine/core';
import { useCallback } from 'react';
import { paths } from '../../app/paths.js';
import { navigate, useLocation } from '../../app/router.js';
import { errorMessage } from '../../shared/api.js';
import { PageHeader } from '../../shared/PageHeader.js';
import { useApiData } from '../../shared/useApiData.js';
import { ProviderForm } from './ProviderForm.js';
import { ConnectionTestPanel } from './diagnosis/ConnectionTestPanel.js';
import type { Protocol } from './provider-form.js';
import { providersApi } from './providers.api.js';

export function NewProviderPage() {
  return (
    <>
      <PageHeader
        title="New email provider"
        description="Enter the two mail servers; everything else is filled in automatically and can be changed."
      />
      <Paper withBorder p="lg" maw={860}>
        <ProviderForm
          onCancel={() => navigate(paths.providers)}
          onApplied={(provider, { detected }) => {
            // Reopen it as an edit page (a reload keeps it) showing the values the server filled in;
            // the form itself says what was saved, so no toast covers its buttons.
            navigate(`${paths.provider(provider.id)}?detected=${detected.join(',')}`, { replace: true });
          }}
        />
      </Paper>
    </>
  );
}

export function EditProviderPage({ id }: { id: string }) {
  const { query } = useLocation();
  const load = useCallback((signal: AbortSignal) => providersApi.get(id, signal), [id]);
  const provider = useApiData(load);
  const detected =
    query.detected === undefined
      ? undefined
      : query.detected.split(',').filter((p): p is Protocol => p === 'imap' || p === 'smtp');

  return (
    <>
      <PageHeader
        title={provider.data ? provider.data.name : 'Email provider'}
        description="IMAP/SMTP mail server settings."
      />
      <Paper withBorder p="lg" maw={860}>
        {provider.error !== null ? (
          <Alert color="red" variant="light">
            {errorMessage(provider.error)}
            <Button
              variant="default"
              size="xs"
              mt="sm"
              display="block"
              onClick={() => navigate(paths.providers)}
            >
              Back to email providers
            </Button>
          </Alert>
        ) : provider.data ? (
          <ProviderForm
            key={provider.data.id}
            provider={provider.data}
            {...(detected && { justCreated: { detected } })}
            onCancel={() => navigate(paths.providers)}
            onApplied={() => undefined}
          />
        ) : (
          <Text c="dimmed" size="sm">
            Loading…
          </Text>
        )}
      </Paper>
      {provider.data && (
        <Paper withBorder p="lg" maw={860} mt="lg">
          <ConnectionTestPanel providerId={provider.data.id} />
        </Paper>
      )}
    </>
  );
}
