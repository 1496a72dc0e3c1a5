import { Alert, Button, EmptyState, Loader, Paper } from '@mantine/core';
import { IconMailbox, IconPlus } from '@tabler/icons-react';
import { useCallback, useMemo } from 'react';
import { paths } from '../../app/paths.js';
import { navigate } from '../../app/router.js';
import { errorMessage } from '../../shared/api.js';
import { useApiData } from '../../shared/useApiData.js';
import { inboxApi } from './inbox.api.js';
import { Mailbox } from './Mailbox.js';

/** The Email tab: every mailbox the user may read in one list, or the way to connect the first. */
export function EmailTab() {
  const load = useCallback((signal: AbortSignal) => inboxApi.accounts(signal), []);
  const { data, error, loading } = useApiData(load);

  // A stable list: the mailbox loads folders whenever its accounts change.
  const readable = useMemo(() => (data?.items ?? []).filter((a) => a.access.read), [data]);

  if (loading && !data) return <Loader size="sm" aria-label="Loading mailboxes" />;
  if (error) return <Alert color="red">{errorMessage(error)}</Alert>;
  if (readable.length > 0) return <Mailbox accounts={readable} />;

  return (
    <Paper withBorder p="xl">
      <EmptyState
        py="xl"
        variant="light"
        icon={<IconMailbox size={32} stroke={1.6} />}
        title="No email accounts yet"
        description="Connect a mailbox to read and send its email here. Mailyard keeps it in sync."
      >
        <EmptyState.Actions>
          <Button leftSection={<IconPlus size={16} />} onClick={() => navigate(paths.newAccount)}>
            New email account
          </Button>
        </EmptyState.Actions>
      </EmptyState>
    </Paper>
  );
}
