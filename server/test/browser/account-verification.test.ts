// The account page says, in plain words, when Mailyard last proved its copy equal to the mail
// server and what it repaired: a real verification against the rig's Dovecot, seen in Chromium.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Account } from '../../src/domain/account.js';
import { createMailUser, getRig, printRigLogsOnFailure } from '../rig/index.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';
import { userIdOf } from '../support/messages.js';
import { appendMessages, eventually, fastSyncOptions, seedImapAccount, simpleMessage } from '../support/sync.js';
import { builtWebDir } from '../support/web.js';

printRigLogsOnFailure();

describe('the account page after a verification', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let accountId: string;

  beforeAll(async () => {
    t = await startTestApp('sqlite', {
      webDir: builtWebDir(),
      background: true,
      syncEngine: { ...fastSyncOptions, verification: { checkIntervalMs: 3_600_000, fullIntervalMs: 86_400_000, chunkSize: 500 } },
    });
    const user = await createMailUser();
    await appendMessages(getRig(), user, 'INBOX', ['First', 'Second', 'Third'].map((subject) => simpleMessage({ subject, to: user.email })));
    accountId = await seedImapAccount(t.container.db, t.container.secrets, { userId: await userIdOf(t.admin), mailUser: user, rig: getRig() });
    await t.container.sync.refreshAccount(accountId);
    await eventually(
      async () => {
        const account = await t.container.db.selectFrom('accounts').select('state').where('id', '=', accountId).executeTakeFirstOrThrow();
        const stored = await t.container.db.selectFrom('messages').select('id').where('account_id', '=', accountId).execute();
        return account.state === 'idle' && stored.length === 3;
      },
      30_000,
      'first sync',
    );
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password', { exact: true }).fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Profile' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function verifyNow(): Promise<void> {
    const before = (await t.admin.get<Account>(`/api/v1/accounts/${accountId}`).expect(200)).status.lastVerifiedAt;
    await t.admin.post(`/api/v1/accounts/${accountId}/sync`, { verify: true }).expect(202);
    await eventually(
      async () => (await t.admin.get<Account>(`/api/v1/accounts/${accountId}`).expect(200)).status.lastVerifiedAt !== before,
      20_000,
      'the verification',
    );
  }

  it('shows the differences found and repaired, then that everything matches', async () => {
    // Two messages marked read in the database behind the sync's back.
    await t.container.db.updateTable('messages').set({ seen: 1 }).where('account_id', '=', accountId).where('subject', 'in', ['First', 'Third']).execute();
    await verifyNow();
    await page.goto(`${t.baseUrl}/#/accounts/${accountId}`);
    await page.getByText('Verified just now: 2 differences found and repaired').waitFor();

    await verifyNow();
    await page.reload();
    await page.getByText('Verified just now — everything matches').waitFor();
  });
});
