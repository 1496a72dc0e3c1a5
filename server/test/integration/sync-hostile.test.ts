// Hostile and broken messages built by the test: each is stored, readable through the API (its
// raw source byte for byte), and the sync carries on past it. Both ways a message arrives: fetched
// whole (a few new ones) and listed from its headers with the source downloaded after (a first
// sync of 50 or more; here forced for the handful), where opening one may also fetch it at once.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/database.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { userIdOf } from '../support/messages.js';
import { brokenMessages, crlf } from '../support/hostile-messages.js';
import { createMailUser, getRig, printRigLogsOnFailure } from '../rig/index.js';
import {
  appendMessages,
  eventually,
  fastSyncOptions,
  serverSourceHashes,
  seedImapAccount,
  simpleMessage,
} from '../support/sync.js';

printRigLogsOnFailure();

const bigAttachment = randomBytes(30 * 1024 * 1024);

const corpus: Record<string, Buffer> = {
  ...brokenMessages(),
  '30 MB attachment': Buffer.concat([
    crlf([
      'From: big@example.test',
      'Subject: Thirty megabytes',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="big"',
      '',
      '--big',
      'Content-Type: text/plain',
      '',
      'see attachment',
      '--big',
      'Content-Type: application/octet-stream; name="big.bin"',
      'Content-Disposition: attachment; filename="big.bin"',
      'Content-Transfer-Encoding: base64',
      '',
    ]),
    Buffer.from(bigAttachment.toString('base64').replace(/.{76}/g, '$&\r\n')),
    crlf(['', '--big--']),
  ]),
};

const paths = [
  ['fetched whole', Number.POSITIVE_INFINITY],
  ['headers first', 1],
] as const;

describe.each(dialects.flatMap((dialect) => paths.map(([path, from]) => [dialect, path, from] as const)))(
  'hostile messages on %s, %s',
  (dialect, _path, headersFirstFrom) => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp(dialect, {
        background: true,
        syncEngine: { ...fastSyncOptions, folderSync: { ...fastSyncOptions.folderSync, headersFirstFrom } },
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('stores every message of the corpus readably and carries on', { timeout: 180_000 }, async () => {
      const user = await createMailUser();
      const rig = getRig();
      const sources = [
        ...Object.values(corpus),
        simpleMessage({ subject: 'After the corpus', to: user.email }),
      ];
      await appendMessages(rig, user, 'INBOX', sources);
      const accountId = await seedImapAccount(t.container.db, t.container.secrets, {
        userId: await userIdOf(t.admin),
        mailUser: user,
        rig,
      });
      await t.container.sync.refreshAccount(accountId);

      const rows = await eventually(
        async () => {
          const found = await t.container.db
            .selectFrom('messages')
            .selectAll()
            .where('account_id', '=', accountId)
            .orderBy('uid')
            .execute();
          return found.length === sources.length ? found : undefined;
        },
        150_000,
        'the whole corpus',
      );

      expect(rows.at(-1)?.subject).toBe('After the corpus');
      // Compared with the server's copy: Dovecot normalises some bytes (NUL) on APPEND.
      const onServer = await serverSourceHashes(rig, user);
      for (const [index, row] of rows.entries()) {
        const detail = await t.admin.get<{ id: string }>(`/api/v1/messages/${row.id}`).expect(200);
        expect(detail.id).toBe(row.id);
        const raw = await fetch(`${t.baseUrl}/api/v1/messages/${row.id}/raw`, {
          headers: { cookie: t.admin.cookie ?? '' },
        });
        expect(raw.status).toBe(200);
        const bytes = Buffer.from(await raw.arrayBuffer());
        expect(createHash('sha256').update(bytes).digest('hex'), `raw source of message ${index + 1}`).toBe(
          onServer.get(Number(row.uid)),
        );
      }

      const big = rows.find((r) => r.subject === 'Thirty megabytes');
      const attachments = await t.container.db
        .selectFrom('attachments')
        .selectAll()
        .where('message_id', '=', big?.id ?? '')
        .execute();
      expect(attachments).toHaveLength(1);
      expect(attachments[0]).toMatchObject({ filename: 'big.bin', size: bigAttachment.length });
      expect(attachments[0]?.blob_sha256).toBe(createHash('sha256').update(bigAttachment).digest('hex'));
      expect(rows.find((r) => r.subject === 'Deep nesting')).toBeDefined();
    });
  },
);
