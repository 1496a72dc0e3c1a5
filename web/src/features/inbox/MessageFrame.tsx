import { Alert, Button, Group, Text } from '@mantine/core';
import { IconPhoto } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { attachmentUrl, type MessageDetail } from './inbox.api.js';
import { buildSrcdoc, hasRemoteContent, textAsHtml } from './safe-html.js';

/** Inline parts bigger than this are left out rather than held in memory as data: URLs. */
const maxInlineBytes = 5 * 1024 * 1024;

function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error('could not read the inline part'));
    reader.readAsDataURL(blob);
  });
}

/**
 * `cid:` images are fetched here, by the page, with its session cookie: the sandboxed frame has
 * an opaque origin, so its own requests would be cross-site and carry no cookie. They enter the
 * frame as data: URLs, the only kind its policy loads.
 */
function useInlineParts(message: MessageDetail): ReadonlyMap<string, string> {
  const [parts, setParts] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    const html = message.html ?? '';
    const wanted = message.attachments.filter(
      (a) => a.contentId && a.size <= maxInlineBytes && html.includes(`cid:${a.contentId}`) && a.contentType.startsWith('image/'),
    );
    setParts(new Map());
    if (wanted.length === 0) return;
    const controller = new AbortController();
    void Promise.all(
      wanted.map(async (a) => {
        const response = await fetch(attachmentUrl(message.id, a.id), { credentials: 'same-origin', signal: controller.signal });
        if (!response.ok) return null;
        return [a.contentId ?? '', await readAsDataUrl(await response.blob())] as const;
      }),
    )
      .then((entries) => {
        if (!controller.signal.aborted) setParts(new Map(entries.filter((e) => e !== null)));
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [message]);
  return parts;
}

/** The message body in a sandboxed frame: no script runs, nothing remote loads until allowed. */
export function MessageFrame({ message }: { message: MessageDetail }) {
  const [allowRemote, setAllowRemote] = useState(false);
  const inlineParts = useInlineParts(message);
  useEffect(() => {
    setAllowRemote(false);
  }, [message.id]);

  const html = message.html ?? textAsHtml(message.text ?? '');
  const srcDoc = useMemo(() => buildSrcdoc(html, { allowRemote, inlineParts }), [html, allowRemote, inlineParts]);
  const remote = message.html !== null && hasRemoteContent(message.html);

  return (
    <>
      {remote && !allowRemote && (
        <Alert color="gray" variant="light" py="xs" icon={<IconPhoto size={16} />}>
          <Group justify="space-between" gap="xs">
            <Text size="sm">Remote images are hidden to protect your privacy.</Text>
            <Button size="xs" variant="default" onClick={() => setAllowRemote(true)}>
              Show remote images
            </Button>
          </Group>
        </Alert>
      )}
      <iframe
        title="Message content"
        // No allow-scripts and no allow-same-origin: the content can run nothing and reach no
        // data of this app. Links open in a new tab, outside the sandbox, at the reader's click.
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        srcDoc={srcDoc}
        style={{ width: '100%', minHeight: 420, height: '60vh', border: 0, background: 'white', borderRadius: 4 }}
      />
    </>
  );
}
