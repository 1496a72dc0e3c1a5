// Mail that has only an HTML part (newsletters, notifications), delivered through Postfix to
// Dovecot and synced, on both databases: its plain text, its snippet and a search by a word of
// its body. And messages stored before such mail was rendered get the same once the background
// backfill has run.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail, MessageListItem } from '../../src/domain/message.js';
import { HTML_TEXT_BACKFILL_DONE } from '../../src/services/html-text-backfill.js';
import { createMailUser, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { dialects } from '../support/database.js';
import { userIdOf } from '../support/messages.js';
import { deliver, eventually, fastSyncOptions, seedImapAccount } from '../support/sync.js';

printRigLogsOnFailure();

interface Page {
  items: MessageListItem[];
}

const newsletter = (word: string) =>
  [
    '<!doctype html><html><head><style>.hero { color: #c00; font-family: Georgia }</style></head><body>',
    '<table role="presentation" width="600"><tr><td>',
    `<h1>Autumn &amp; winter</h1><p>This week the <b>${word}</b> migration reaches the coast.</p>`,
    '<p><a href="https://news.example.test/issue/42">Read the whole issue</a></p>',
    '<img src="https://news.example.test/pixel.gif" width="1" height="1">',
    '</td></tr></table></body></html>',
  ].join('\n');

describe.each(dialects)('HTML-only mail on %s', (dialect) => {
  let t: TestApp;
  let user: MailUser;
  let accountId: string;

  const list = (query: Record<string, string>) =>
    t.admin.get<Page>(`/api/v1/messages?${new URLSearchParams({ accountId, ...query }).toString()}`).expect(200);
  const subjectsMatching = async (q: string) => (await list({ q })).items.map((m) => m.subject);
  const detail = (id: string) => t.admin.get<MessageDetail>(`/api/v1/messages/${id}`).expect(200);
  const arrived = (subject: string) =>
    eventually(async () => (await list({})).items.find((m) => m.subject === subject), 30_000, `"${subject}" synced`);

  beforeAll(async () => {
    t = await startTestApp(dialect, { background: true, syncEngine: fastSyncOptions });
    user = await createMailUser();
    accountId = await seedImapAccount(t.container.db, t.container.secrets, { userId: await userIdOf(t.admin), mailUser: user, rig: getRig() });
    await t.container.sync.refreshAccount(accountId);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gets a plain text with readable links, a snippet, and is found by a word of its body', async () => {
    await deliver(getRig(), user.email, 'Field notes 42', { html: newsletter('cormorant') });
    const item = await arrived('Field notes 42');
    expect(item.snippet).toBe('Autumn & winter This week the cormorant migration reaches the coast. Read the whole issue');
    const message = await detail(item.id);
    expect(message.text).toContain('This week the cormorant migration reaches the coast.');
    expect(message.text).toContain('Read the whole issue [https://news.example.test/issue/42]');
    expect(message.text).not.toMatch(/font-family|<td|&amp;/);
    expect(message.html).toContain('cormorant');
    expect(await subjectsMatching('cormorant')).toEqual(['Field notes 42']);
  });

  it('gives a message stored with no text its text, snippet and search words once the backfill runs', async () => {
    await deliver(getRig(), user.email, 'Field notes 41', { html: newsletter('guillemot') });
    const item = await arrived('Field notes 41');
    // Stored as before HTML-only mail was rendered: an empty text and snippet, no body words indexed.
    await t.container.db.updateTable('messages').set({ text: '', snippet: '' }).where('id', '=', item.id).execute();
    await t.container.db.deleteFrom('settings').where('key', '=', HTML_TEXT_BACKFILL_DONE).execute();
    expect(await subjectsMatching('guillemot')).toEqual([]);
    expect((await detail(item.id)).text).toBe('');

    expect(await t.container.htmlTextBackfill.run()).toBe(1);

    const message = await detail(item.id);
    expect(message.text).toContain('This week the guillemot migration reaches the coast.');
    expect(message.text).toContain('Read the whole issue [https://news.example.test/issue/42]');
    expect(message.snippet).toBe('Autumn & winter This week the guillemot migration reaches the coast. Read the whole issue');
    expect(await subjectsMatching('guillemot')).toEqual(['Field notes 41']);
    // Once done it does not look again; the message keeps what it got.
    expect(await t.container.htmlTextBackfill.run()).toBe(0);
    const { rows } = await sql<{ n: number }>`select count(*) as n from messages where text = ''`.execute(t.container.db);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
