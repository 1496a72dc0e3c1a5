// The Email tab in Chromium, as a person uses it: the unified list, filters, search, reading,
// keyboard triage, move, delete, attachment download, live arrival of new mail, and the empty
// state that leads to "New email account".
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMessage, type SeededAccount, type SeededMessage } from '../support/messages.js';
import { builtWebDir } from '../support/web.js';

describe('the Email tab (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let work: SeededAccount;
  let home: SeededAccount;
  let report: SeededMessage;
  const pdf = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256));
  const at = (minute: number) => Date.UTC(2026, 2, 1, 9, minute);

  const signIn = async (email: string, password: string) => {
    page = await browser.newPage({ acceptDownloads: true });
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const createUser = async (name: string) => {
    const email = `${name}-${Date.now()}@mailyard.test`;
    const password = `${name}-password-1`;
    const user = await t.admin.post<{ id: string }>('/api/v1/users', { email, password, name, role: 'user' }).expect(201);
    return { id: user.id, email, password };
  };
  const options = () => page.getByRole('listbox', { name: 'Messages' }).getByRole('option');
  const row = (subject: string) => page.getByRole('option', { name: new RegExp(subject) });
  const messageRow = (id: string) => t.container.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();

  beforeAll(async () => {
    t = await startTestApp('sqlite', { webDir: builtWebDir() });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('without a mailbox, shows the way to connect one', async () => {
    const user = await createUser('newcomer');
    await signIn(user.email, user.password);
    await page.getByRole('button', { name: 'New email account' }).click();
    await page.waitForURL(/#\/accounts\/new/);
    await page.close();
  });

  describe('with two mailboxes', () => {
    beforeAll(async () => {
      const user = await createUser('reader');
      work = await seedAccount(t.container.db, { userId: user.id, email: `work-${Date.now()}@example.test` });
      home = await seedAccount(t.container.db, { userId: user.id, email: `home-${Date.now()}@example.test` });
      const seed = (account: SeededAccount, folder: string, opts: Omit<Parameters<typeof seedMessage>[2], 'accountId' | 'folderId'>) =>
        seedMessage(t.container.db, t.container.blobs, { accountId: account.accountId, folderId: account.folders[folder] ?? '', ...opts });
      report = await seed(work, 'INBOX', {
        subject: 'Quarterly report',
        text: 'The numbers are in.',
        html: '<p>The <b>numbers</b> are in.</p>',
        date: at(50),
        attachments: [{ filename: 'report.pdf', contentType: 'application/pdf', content: pdf }],
      });
      await seed(work, 'INBOX', { subject: 'Team lunch', text: 'Pizza on Friday', date: at(40), seen: true });
      await seed(work, 'Sent', { subject: 'Re: Budget', text: 'Approved', date: at(30), seen: true, direction: 'outgoing' });
      await seed(home, 'INBOX', { subject: 'Garden club', text: 'Tomatoes and zucchini', date: at(20) });
      await seed(home, 'INBOX', { subject: 'Old newsletter', text: 'Unsubscribe anytime', date: at(10), seen: true });
      await signIn(user.email, user.password);
      await page.getByRole('listbox', { name: 'Messages' }).waitFor();
    });

    it('lists every mailbox newest first with the unread counter', async () => {
      await expect.poll(() => options().count()).toBe(5);
      await expect(options().first().getAttribute('aria-label')).resolves.toMatch(/^Unread, .*Quarterly report/);
      await expect.poll(() => page.getByLabel('Unread messages').textContent()).toBe('2 unread');
    });

    it('reads a message, which marks it read', async () => {
      await row('Quarterly report').click();
      await page.getByRole('heading', { name: 'Quarterly report' }).waitFor();
      await expect.poll(async () => (await page.locator('iframe[title="Message content"]').getAttribute('srcdoc')) ?? '').toContain('<b>numbers</b>');
      await expect.poll(() => page.getByLabel('Unread messages').textContent()).toBe('1 unread');
      await expect.poll(async () => (await messageRow(report.id))?.seen).toBe(1);
    });

    it('downloads an attachment byte for byte', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /report\.pdf/ }).click()]);
      const file = await download.path();
      expect(readFileSync(file).equals(pdf)).toBe(true);
      expect(download.suggestedFilename()).toBe('report.pdf');
    });

    it('moves through the list with the keyboard and flags with "s"', async () => {
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('j');
      await expect.poll(() => page.getByRole('option', { selected: true }).getAttribute('aria-label')).toMatch(/Team lunch/);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Team lunch' }).waitFor();
      await page.keyboard.press('s');
      await expect.poll(() => row('Team lunch').getAttribute('aria-label')).toMatch(/Flagged/);
      const id = await row('Team lunch').getAttribute('data-message-id');
      await expect.poll(async () => (await messageRow(id ?? ''))?.flagged).toBe(1);
      const pending = await t.container.db.selectFrom('pending_changes').selectAll().where('message_id', '=', id ?? '').execute();
      expect(pending.map((p) => p.kind)).toEqual(['flags']);
    });

    it('filters by account, direction and unread, and searches', async () => {
      await page.getByRole('combobox', { name: 'Account', exact: true }).click();
      await page.getByRole('option', { name: home.email }).click();
      await expect.poll(() => options().count()).toBe(2);
      await page.getByRole('combobox', { name: 'Account', exact: true }).click();
      await page.getByRole('option', { name: 'All accounts' }).click();
      await expect.poll(() => options().count()).toBe(5);

      await page.getByRole('combobox', { name: 'Direction', exact: true }).click();
      await page.getByRole('option', { name: 'Outgoing', exact: true }).click();
      await expect.poll(() => options().count()).toBe(1);
      await expect(options().first().getAttribute('aria-label')).resolves.toMatch(/Re: Budget/);
      await page.getByRole('combobox', { name: 'Direction', exact: true }).click();
      await page.getByRole('option', { name: 'Incoming and outgoing' }).click();

      await page.getByLabel('Unread only').check();
      await expect.poll(() => options().count()).toBe(1);
      await page.getByLabel('Unread only').uncheck();

      await page.getByLabel('Search mail').fill('zucchini');
      await expect.poll(() => options().count()).toBe(1);
      await expect(options().first().getAttribute('aria-label')).resolves.toMatch(/Garden club/);
      await page.getByLabel('Search mail').fill('');
      await expect.poll(() => options().count()).toBe(5);
    });

    it('shows new mail the moment it arrives, without a reload', async () => {
      const fresh = await seedMessage(t.container.db, t.container.blobs, {
        accountId: home.accountId,
        folderId: home.folders.INBOX ?? '',
        subject: 'Just arrived',
        date: Date.now(),
      });
      const item = await t.container.messageStore.listItem(fresh.id);
      if (!item) throw new Error('the seeded message is not stored');
      t.container.events.publish({ type: 'message.created', accountId: home.accountId, data: item });
      await expect.poll(() => options().first().getAttribute('aria-label')).toMatch(/Unread, .*Just arrived/);
      await expect.poll(() => page.getByLabel('Unread messages').textContent()).toBe('2 unread');
    });

    it('moves a message to another folder and deletes one', async () => {
      await row('Garden club').click();
      await page.getByRole('heading', { name: 'Garden club' }).waitFor();
      await page.getByRole('combobox', { name: 'Move to folder', exact: true }).click();
      await page.getByRole('option', { name: 'Archive' }).click();
      const id = (await row('Garden club').getAttribute('data-message-id')) ?? '';
      await expect.poll(async () => (await messageRow(id))?.folder_id).toBe(home.folders.Archive);

      await row('Old newsletter').click();
      await page.getByRole('heading', { name: 'Old newsletter' }).waitFor();
      const deleted = (await row('Old newsletter').getAttribute('data-message-id')) ?? '';
      await page.getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => row('Old newsletter').count()).toBe(0);
      expect(await messageRow(deleted)).toBeUndefined();
      const kinds = await t.container.db.selectFrom('pending_changes').select('kind').where('message_id', 'in', [id, deleted]).execute();
      expect(kinds.map((k) => k.kind).sort()).toEqual(['delete', 'flags', 'move']);
    });
  });
});
