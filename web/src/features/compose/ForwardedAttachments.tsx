import { Stack, Text } from '@mantine/core';
import type { MessageDetail } from '../inbox/inbox.api.js';
import { formatSize } from '../inbox/format.js';

/** A forward carries the original's attachments: listed, not editable. */
export function ForwardedAttachments({ message }: { message: MessageDetail }) {
  if (message.attachments.length === 0) return null;
  return (
    <Stack gap={2} aria-label="Forwarded attachments">
      <Text size="sm" fw={600}>
        Forwarded attachments
      </Text>
      {message.attachments.map((a) => (
        <Text size="sm" key={a.id}>
          {a.filename} ({formatSize(a.size)})
        </Text>
      ))}
    </Stack>
  );
}
