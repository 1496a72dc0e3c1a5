// Writing and sending an email in Chromium: compose → Send → the status turns to "Sent" live →
// the message is in the other rig user's real mailbox (read over IMAP).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { builtWebDir } from '../support/web.js';
import { userIdOf } from '../support/messages.js';
import { eventually, seedImapAccount } from '../support/sync.js';
import { messagesWithId, withFastOutbox } from '../support/outbox.js';
import { createMailUser, getRig, printRigLogsOnFailure } from '../rig/index.js';

printRigLogsOnFailure();

describe('compose in Chromium', () => {
  let browser: Browser;
  let t: TestApp;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp('sqlite', { webDir: builtWebDir(), configure: withFastOutbox });
    t.container.outboxWorker.start();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sends a new email that arrives in the recipient’s mailbox', async () => {
    const [sender, recipient] = await Promise.all([createMailUser(), createMailUser()]);
    await seedImapAccount(t.container.db, t.container.secrets, { userId: await userIdOf(t.admin), mailUser: sender, rig: getRig() });
    const subject = `From the browser ${randomUUID().slice(0, 8)}`;

    const page = await browser.newPage();
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Email' }).waitFor();
    await page.goto(`${t.baseUrl}/#/compose`);

    await page.getByLabel('To', { exact: true }).fill(recipient.email);
    await page.getByLabel('Subject', { exact: true }).fill(subject);
    await page.getByLabel('Message', { exact: true }).fill('Written in Chromium.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('send-status').textContent(), { timeout: 30_000 }).toBe('Sent');

    const [received] = await eventually(async () => {
      const outbox = await t.admin.get<{ items: { subject: string; messageId?: string }[] }>('/api/v1/outbox').expect(200);
      const messageId = outbox.items.find((i) => i.subject === subject)?.messageId;
      const found = messageId ? await messagesWithId(getRig(), recipient, 'INBOX', messageId) : [];
      return found.length > 0 ? found : undefined;
    }, 20_000, 'the message in the recipient’s mailbox');
    expect(received?.parsed.subject).toBe(subject);
    expect(received?.parsed.text).toContain('Written in Chromium.');
    await page.close();
  });
});
