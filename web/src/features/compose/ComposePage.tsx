// Compose, reply, reply all and forward: `#/compose?mode=reply&messageId=…`. The draft is kept in
// localStorage while writing; after Send the page follows the outbox item live (outbox.updated
// on the event stream) from queued to sent, not sent, or "may have been sent".
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Group,
  Loader,
  Select,
  Stack,
  TextInput,
  Textarea,
} from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import { PageHeader } from '../../shared/PageHeader.js';
import { errorMessage, fieldErrorsOf } from '../../shared/api.js';
import { navigate, useLocation } from '../../app/router.js';
import { paths } from '../../app/paths.js';
import { inboxApi, type MessageDetail } from '../inbox/inbox.api.js';
import { AttachmentsField, type PickedFile } from './AttachmentsField.js';
import { composeApi, type OutboxItem, type SenderAccount } from './compose.api.js';
import { ForwardedAttachments } from './ForwardedAttachments.js';
import { ComposeUnavailable } from './ComposeUnavailable.js';
import { SendStatus } from './SendStatus.js';
import { SignatureField } from './SignatureField.js';
import { useFollowOutboxItem } from './useFollowOutboxItem.js';
import {
  attachmentOf,
  composeBody,
  composeModeFrom,
  draftFor,
  draftKey,
  emptyDraft,
  loadDraft,
  saveDraft,
  senderChoices,
  type ComposeMode,
  type Draft,
} from './compose-draft.js';

const titles: Record<ComposeMode, string> = { new: 'New email', reply: 'Reply', replyAll: 'Reply all', forward: 'Forward' };

/** A signature is HTML; the preview shows its text (DOMParser runs no scripts and loads nothing). */
function signatureText(html: string): string {
  return new DOMParser().parseFromString(html.replace(/<br\s*\/?>/gi, '\n'), 'text/html').body.textContent?.trim() ?? '';
}

export function ComposePage() {
  const location = useLocation();
  const mode = composeModeFrom(location.query.mode);
  const messageId = mode === 'new' ? undefined : location.query.messageId;
  const storageKey = draftKey(mode, messageId);

  const [accounts, setAccounts] = useState<SenderAccount[] | null>(null);
  const [original, setOriginal] = useState<MessageDetail | undefined>();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [sending, setSending] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [sendError, setSendError] = useState<string | null>(null);
  const [item, setItem] = useState<OutboxItem | null>(null);
  const ready = useRef(false);

  // Load the sender accounts and the original, then start from the saved draft or a fresh one.
  useEffect(() => {
    const controller = new AbortController();
    ready.current = false;
    void (async () => {
      try {
        const [list, message] = await Promise.all([
          composeApi.accounts(controller.signal),
          messageId ? inboxApi.get(messageId) : Promise.resolve(undefined),
        ]);
        const choices = senderChoices(list.items);
        const from = (message && choices.find((a) => a.id === message.accountId)) ?? choices[0];
        setAccounts(choices);
        setOriginal(message);
        setDraft(loadDraft(window.localStorage, storageKey) ?? draftFor(mode, message, from));
        ready.current = true;
      } catch (error) {
        if (!controller.signal.aborted) setLoadError(errorMessage(error));
      }
    })();
    return () => controller.abort();
  }, [mode, messageId, storageKey]);

  useEffect(() => {
    if (ready.current && !item) saveDraft(window.localStorage, storageKey, draft);
  }, [draft, storageKey, item]);

  useFollowOutboxItem(item, setItem, storageKey);

  const sender = useMemo(() => accounts?.find((a) => a.id === draft.accountId), [accounts, draft.accountId]);
  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const addFiles = (list: File[] | FileList | null) => {
    if (!list) return;
    setFiles((current) => [...current, ...Array.from(list).map((file) => ({ key: `${file.name}-${file.size}-${Math.random()}`, file }))]);
  };

  async function send() {
    setSending(true);
    setFieldErrors({});
    setSendError(null);
    try {
      const attachments = await Promise.all(files.map(({ file }) => attachmentOf(file)));
      const queued = await composeApi.send(composeBody(draft, attachments, mode, messageId));
      setItem(queued);
    } catch (error) {
      setFieldErrors(fieldErrorsOf(error));
      setSendError(errorMessage(error));
    } finally {
      setSending(false);
    }
  }

  async function sendAgain() {
    if (!item) return;
    try {
      setItem(await composeApi.sendAgain(item.id));
    } catch (error) {
      setSendError(errorMessage(error));
    }
  }

  const fieldError = (name: 'to' | 'cc' | 'bcc') =>
    Object.entries(fieldErrors)
      .filter(([key]) => key === name || key.startsWith(`${name}.`))
      .map(([, message]) => message)
      .join('; ') || undefined;

  if (loadError) return <ComposeUnavailable title={titles[mode]} loadError={loadError} />;
  if (!accounts) return <Loader aria-label="Loading" />;
  if (accounts.length === 0) return <ComposeUnavailable title={titles[mode]} />;

  const locked = item !== null;
  const signature = sender?.signature ? signatureText(sender.signature) : '';

  return (
    <Stack maw={900}>
      <PageHeader title={titles[mode]} description={original ? `${titles[mode]}: ${original.subject}` : undefined} />

      {item && <SendStatus item={item} onSendAgain={() => void sendAgain()} />}
      {sendError && (
        <Alert color="red" title="Not queued">
          {sendError}
        </Alert>
      )}

      <Select
        label="From"
        data={accounts.map((a) => ({ value: a.id, label: a.displayName ? `${a.displayName} <${a.email}>` : a.email }))}
        value={draft.accountId || null}
        onChange={(value) => value && update({ accountId: value })}
        allowDeselect={false}
        disabled={locked}
        error={fieldErrors.accountId}
      />
      <TextInput label="To" value={draft.to} onChange={(e) => update({ to: e.currentTarget.value })} disabled={locked} error={fieldError('to')} />
      <Group grow>
        <TextInput label="Cc" value={draft.cc} onChange={(e) => update({ cc: e.currentTarget.value })} disabled={locked} error={fieldError('cc')} />
        <TextInput label="Bcc" value={draft.bcc} onChange={(e) => update({ bcc: e.currentTarget.value })} disabled={locked} error={fieldError('bcc')} />
      </Group>
      <TextInput label="Subject" value={draft.subject} onChange={(e) => update({ subject: e.currentTarget.value })} disabled={locked} />
      <Textarea label="Message" autosize minRows={10} value={draft.body} onChange={(e) => update({ body: e.currentTarget.value })} disabled={locked} />

      {signature && (
        <SignatureField
          signature={signature}
          checked={draft.signature}
          onChange={(checked) => update({ signature: checked })}
          disabled={locked}
        />
      )}

      {mode === 'forward' && original && <ForwardedAttachments message={original} />}

      <AttachmentsField
        files={files}
        locked={locked}
        onAdd={addFiles}
        onRemove={(key) => setFiles((list) => list.filter((f) => f.key !== key))}
      />

      {!locked && (
        <Group>
          <Button leftSection={<IconSend size={16} />} onClick={() => void send()} loading={sending} disabled={!draft.accountId}>
            Send
          </Button>
          <Button
            variant="default"
            onClick={() => {
              window.localStorage.removeItem(storageKey);
              navigate(paths.panelEmail);
            }}
          >
            Discard
          </Button>
        </Group>
      )}
    </Stack>
  );
}
