import { Anchor, Badge, Button, Group, Loader, Paper, Select, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import {
  IconArrowBackUp,
  IconArrowForwardUp,
  IconDownload,
  IconMail,
  IconMailOpened,
  IconPaperclip,
  IconStar,
  IconStarFilled,
  IconTrash,
  IconUsers,
} from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../shared/api.js';
import { attachmentUrl, inboxApi, rawUrl, type MailboxFolder, type MessageDetail, type MessageItem } from './inbox.api.js';
import { MessageFrame } from './MessageFrame.js';
import { displayName, formatAddresses, formatListDate, formatSize } from './format.js';

export type ComposeMode = 'reply' | 'replyAll' | 'forward';

export interface MessageActions {
  toggleSeen(message: MessageItem): void;
  toggleFlag(message: MessageItem): void;
  move(message: MessageItem, folder: string): void;
  remove(message: MessageItem): void;
  compose(mode: ComposeMode, message: MessageItem): void;
  open(id: string): void;
}

interface ReadingPaneProps {
  messageId: string;
  /** the list's copy: live changes (flags, folder) show without reloading the body */
  latest: MessageItem | undefined;
  foldersOf: (accountId: string) => MailboxFolder[] | undefined;
  /** moving and deleting change the mailbox: the manage right */
  canManage: (accountId: string) => boolean;
  actions: MessageActions;
}

function useMessage(id: string) {
  const [state, setState] = useState<{ id: string; detail?: MessageDetail; thread?: MessageItem[]; error?: unknown }>({ id });
  useEffect(() => {
    let current = true;
    setState({ id });
    inboxApi.get(id).then(
      (detail) => {
        if (!current) return;
        setState((s) => ({ ...s, detail }));
        inboxApi.thread(detail.threadId).then(
          (thread) => current && setState((s) => ({ ...s, thread: thread.items })),
          () => undefined,
        );
      },
      (error: unknown) => current && setState({ id, error }),
    );
    return () => {
      current = false;
    };
  }, [id]);
  return state.id === id ? state : { id };
}

export function ReadingPane({ messageId, latest, foldersOf, canManage: mayManage, actions }: ReadingPaneProps) {
  const { detail, thread, error } = useMessage(messageId);
  if (error) {
    return (
      <Paper withBorder p="lg">
        <Text c="red">{errorMessage(error)}</Text>
      </Paper>
    );
  }
  if (!detail) {
    return (
      <Paper withBorder p="lg">
        <Loader size="sm" aria-label="Loading message" />
      </Paper>
    );
  }
  const message: MessageDetail = { ...detail, ...latest };
  const canManage = mayManage(message.accountId);
  const moveTargets = (foldersOf(message.accountId) ?? []).filter((f) => f.path !== message.folder).map((f) => ({ value: f.path, label: f.path }));
  const files = message.attachments.filter((a) => !a.inline || !message.html?.includes(`cid:${a.contentId ?? ''}`));

  return (
    <Paper withBorder p="md" component="article" aria-label="Reading pane">
      <Stack gap="sm">
        <Title order={3} size="h4">
          {message.subject || '(no subject)'}
        </Title>
        <Stack gap={2}>
          <Text size="sm">
            <b>From:</b> {formatAddresses(message.from)}
          </Text>
          <Text size="sm">
            <b>To:</b> {formatAddresses(message.to)}
          </Text>
          {message.cc.length > 0 && (
            <Text size="sm">
              <b>Cc:</b> {formatAddresses(message.cc)}
            </Text>
          )}
          <Text size="sm" c="dimmed">
            {new Date(message.date).toLocaleString()} · {message.folder}
          </Text>
        </Stack>

        <Group gap="xs">
          <Button size="xs" variant="default" leftSection={<IconArrowBackUp size={14} />} onClick={() => actions.compose('reply', message)}>
            Reply
          </Button>
          <Button size="xs" variant="default" leftSection={<IconUsers size={14} />} onClick={() => actions.compose('replyAll', message)}>
            Reply all
          </Button>
          <Button size="xs" variant="default" leftSection={<IconArrowForwardUp size={14} />} onClick={() => actions.compose('forward', message)}>
            Forward
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={message.seen ? <IconMail size={14} /> : <IconMailOpened size={14} />}
            onClick={() => actions.toggleSeen(message)}
          >
            {message.seen ? 'Mark as unread' : 'Mark as read'}
          </Button>
          <Button
            size="xs"
            variant="default"
            leftSection={message.flagged ? <IconStarFilled size={14} /> : <IconStar size={14} />}
            onClick={() => actions.toggleFlag(message)}
          >
            {message.flagged ? 'Unflag' : 'Flag'}
          </Button>
          {canManage && (
            <Button size="xs" variant="default" color="red" leftSection={<IconTrash size={14} />} onClick={() => actions.remove(message)}>
              Delete
            </Button>
          )}
          {canManage && moveTargets.length > 0 && (
            <Select
              size="xs"
              label="Move to folder"
              placeholder="Choose a folder"
              data={moveTargets}
              value={null}
              onChange={(folder) => folder && actions.move(message, folder)}
              w={200}
            />
          )}
        </Group>

        {thread && thread.length > 1 && (
          <Stack gap={4} aria-label="Conversation">
            <Text size="sm" fw={600}>
              Conversation ({thread.length})
            </Text>
            {thread.map((m) => (
              <UnstyledButton
                key={m.id}
                onClick={() => actions.open(m.id)}
                aria-current={m.id === message.id}
                style={{ padding: '4px 8px', borderRadius: 4, background: m.id === message.id ? 'var(--mantine-color-blue-light)' : undefined }}
              >
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm" fw={m.seen ? 400 : 700} truncate style={{ flex: 1 }}>
                    {displayName(m.from[0])}: {m.snippet || m.subject}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {formatListDate(m.date)}
                  </Text>
                </Group>
              </UnstyledButton>
            ))}
          </Stack>
        )}

        {message.parseError && (
          <Text size="sm" c="orange">
            This message could not be read completely; the original is available below.
          </Text>
        )}
        <MessageFrame message={message} />

        {files.length > 0 && (
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              <IconPaperclip size={14} /> Attachments
            </Text>
            <Group gap="xs">
              {files.map((a) => (
                <Anchor key={a.id} href={attachmentUrl(message.id, a.id)} download={a.filename} size="sm">
                  <Badge variant="light" leftSection={<IconDownload size={12} />} style={{ textTransform: 'none', cursor: 'pointer' }}>
                    {a.filename} ({formatSize(a.size)})
                  </Badge>
                </Anchor>
              ))}
            </Group>
          </Stack>
        )}
        <Anchor href={rawUrl(message.id)} download size="xs" c="dimmed">
          Download original message
        </Anchor>
      </Stack>
    </Paper>
  );
}
