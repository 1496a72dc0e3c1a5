import { Alert, Anchor, Stack } from '@mantine/core';
import { toHref } from '../../app/router.js';
import { paths } from '../../app/paths.js';
import { PageHeader } from '../../shared/PageHeader.js';

/** Why there is no compose form: it could not be loaded, or no mailbox may send. */
export function ComposeUnavailable({ title, loadError }: { title: string; loadError?: string }) {
  return (
    <Stack>
      <PageHeader title={title} />
      {loadError !== undefined ? (
        <Alert color="red" title="Cannot open the compose form">
          {loadError}
        </Alert>
      ) : (
        <Alert color="yellow" title="No mailbox to send from">
          None of your email accounts may send. <Anchor href={toHref(paths.newAccount)}>Connect an email account</Anchor>{' '}
          or turn on “send through this mailbox” in its settings.
        </Alert>
      )}
    </Stack>
  );
}
