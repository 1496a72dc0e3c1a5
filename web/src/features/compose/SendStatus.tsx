import { Alert, Badge, Button, Group, Stack, Text } from '@mantine/core';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/paths.js';
import type { OutboxItem } from './compose.api.js';
import { isFinal, statusLabels } from './compose-draft.js';

/** Where a sent message is: queued, sent, not sent or "may have been sent", and what to do next. */
export function SendStatus({ item, onSendAgain }: { item: OutboxItem; onSendAgain: () => void }) {
  return (
    <Alert
      role="status"
      aria-live="polite"
      color={
        item.status === 'sent'
          ? 'green'
          : item.status === 'failed'
            ? 'red'
            : item.status === 'uncertain'
              ? 'yellow'
              : 'blue'
      }
      title={
        <Group gap="xs">
          <Text fw={600}>Status:</Text>
          <Badge variant="light" data-testid="send-status">
            {statusLabels[item.status]}
          </Badge>
        </Group>
      }
    >
      <Stack gap="xs">
        {item.status === 'uncertain' && (
          <Text size="sm">
            Mailyard stopped while sending this message; it may have been sent. Check before sending it again.
          </Text>
        )}
        {item.error && <Text size="sm">{item.error.message}</Text>}
        <Group>
          {(item.status === 'failed' || item.status === 'uncertain') && (
            <Button onClick={onSendAgain}>Send again</Button>
          )}
          {isFinal(item.status) && (
            <Button variant="default" onClick={() => navigate(paths.panelEmail)}>
              Back to the panel
            </Button>
          )}
        </Group>
      </Stack>
    </Alert>
  );
}
