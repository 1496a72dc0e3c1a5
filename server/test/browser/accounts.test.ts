// The seed guide's Method 1 (communication panel → Email tab → actions → New email account, with
// Add New Server for an unknown domain) and Method 2 (Profile → Email accounts → New), clicked
// through in Chromium against the rig's real Dovecot and Postfix. Each wizard step is saved as a
// screenshot for the README (docs/screenshots/wizard-*.png with UPDATE_SCREENSHOTS=1).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/domain/account.js';
import type { Provider } from '../../src/domain/provider.js';
import { createMailUser, getRig, printRigLogsOnFailure, type RigDescription } from '../rig/index.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { launchBrowser } from '../support/browser.js';
import { deliver, fastSyncOptions } from '../support/sync.js';
import { builtWebDir, screenshotPath } from '../support/web.js';
import { closedPort } from '../support/closed-port.js';

printRigLogsOnFailure();

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name) });
}

async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Profile' }).waitFor();
}

let counter = 0;
const uniqueDomain = () => `wiz${Date.now().toString(36)}${(counter += 1)}.test`;

describe('connecting a mailbox in the browser', () => {
  let t: TestApp;
  let rig: RigDescription;
  let browser: Browser;

  beforeAll(async () => {
    rig = getRig();
    const nowhere = await closedPort();
    t = await startTestApp('sqlite', {
      webDir: builtWebDir(),
      background: true,
      syncEngine: fastSyncOptions,
      // Detection of the made-up test domains must fail fast on a machine without internet: DNS and
      // autoconfig go to a closed port, and probing tries the rig's high ports, not 993/465.
      configure: (c) => ({
        ...c,
        detection: {
          ...c.detection,
          dnsServers: [`127.0.0.1:${nowhere}`],
          autoconfig: { scheme: 'http', port: nowhere },
          stepTimeoutMs: 1000,
          budgetMs: 3000,
          imapPorts: [rig.imap.tlsPort, rig.imap.port],
          smtpPorts: [rig.smtp.smtpsPort, rig.smtp.submissionPort],
        },
      }),
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('Method 1: communication panel → Email → New email account → Add New Server → connected and syncing', async () => {
    const domain = uniqueDomain();
    const user = await createMailUser({ domain });
    for (let i = 1; i <= 3; i++) await deliver(rig, user.email, `Hello number ${i}`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(page, t.baseUrl, adminEmail, adminPassword);

    // Steps 1–2: the Email tab of the communication panel, its actions menu, New email account.
    await page.getByRole('tab', { name: 'Email' }).click();
    await page.getByRole('button', { name: 'Actions', exact: true }).click();
    await page.getByRole('menuitem', { name: 'New email account' }).click();

    // Step 3: the address in the "New email account" window, then Next.
    const wizard = page.getByRole('dialog', { name: 'New email account' });
    await wizard.getByLabel('Email address').fill(user.email);
    await shot(page, 'wizard-1-address.png');
    await wizard.getByRole('button', { name: 'Next' }).click();

    // Nothing knows this domain: pick a provider or add a new server.
    await wizard.getByText(`The provider of ${domain} is not known yet`).waitFor({ timeout: 20_000 });
    await shot(page, 'wizard-2-provider.png');
    // Steps 4–5: Add New Server, then Add.
    await wizard.getByRole('button', { name: 'Add New Server' }).click();
    await wizard.getByRole('button', { name: 'Add', exact: true }).click();
    // Steps 6–10: IMAP, the two hosts (ports and security are found by probing), Apply.
    await wizard.getByLabel('Service type').selectOption('imap');
    await wizard.getByLabel('Inbound mail server (IMAP)').fill(rig.imap.host);
    await wizard.getByLabel('Outgoing mail server (SMTP)').fill(rig.smtp.host);
    await wizard.getByLabel('Name', { exact: true }).fill('Wizard mail');
    await wizard.getByRole('button', { name: 'Apply' }).click();

    // Back in the account, provider chosen: credentials.
    await wizard.getByText('Wizard mail ·').waitFor({ timeout: 20_000 });
    await wizard.getByText(`Login: ${user.email}`).waitFor();
    await wizard.getByLabel('Password', { exact: true }).fill(user.password);
    await shot(page, 'wizard-3-credentials.png');
    await wizard.getByRole('button', { name: 'Connect' }).click();

    await wizard.getByText('Mailbox connected').waitFor({ timeout: 30_000 });
    // Synchronisation starts at once and shows its progress (X of Y messages).
    await wizard.getByLabel('Status: Up to date').waitFor({ timeout: 30_000 });
    await wizard.getByText('3 of 3 messages').waitFor();
    await shot(page, 'wizard-4-done.png');

    const { items } = await t.admin.get<{ items: Account[] }>('/api/v1/accounts').expect(200);
    expect(items.find((a) => a.email === user.email)).toMatchObject({
      providerName: 'Wizard mail',
      login: user.email,
      enabled: true,
    });
    const providers = await t.admin.get<{ items: Provider[] }>('/api/v1/providers').expect(200);
    expect(providers.items.find((p) => p.name === 'Wizard mail')).toMatchObject({
      imap: { port: rig.imap.tlsPort, security: 'tls' },
      domains: [domain],
    });

    // The other way in from the panel: Go to mailbox settings → New opens the same window.
    await wizard.getByRole('button', { name: 'Done' }).click();
    await page.goto(`${t.baseUrl}/#/`);
    await page.getByRole('button', { name: 'Actions', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Go to mailbox settings' }).click();
    await page.getByRole('table', { name: 'Email accounts' }).getByText(user.email).waitFor();
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await page.getByRole('dialog', { name: 'New email account' }).getByLabel('Email address').waitFor();
    await page.close();
  });

  it('Method 2: Profile → Email accounts → New, with a wrong password first, then settings', async () => {
    const domain = uniqueDomain();
    const user = await createMailUser({ domain });
    await t.admin
      .post('/api/v1/providers', {
        name: 'Known mail',
        imap: { host: rig.imap.host, port: rig.imap.tlsPort, security: 'tls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' },
        loginFormat: 'email',
        domains: [domain],
        notes: 'Use an app password if your account has two-step verification.',
      })
      .expect(201);
    const password = 'person-password-1';
    await t.admin
      .post('/api/v1/users', { email: 'mia@mailyard.test', password, name: 'Mia Berg', role: 'user' })
      .expect(201);
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signIn(page, t.baseUrl, 'mia@mailyard.test', password);

    // Steps 1–3: Profile → Email accounts → New.
    await page.getByRole('button', { name: 'Profile' }).click();
    await page.getByRole('tab', { name: 'Email accounts' }).click();
    await page.getByText('No email accounts yet.').waitFor();
    await page.getByRole('button', { name: 'New', exact: true }).click();

    // Step 4 = Method 1 step 3 on: the domain is known, so the provider is identified.
    const wizard = page.getByRole('dialog', { name: 'New email account' });
    await wizard.getByLabel('Email address').fill(user.email);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByText('Identified').waitFor();
    await wizard.getByText('Use an app password if your account has two-step verification.').waitFor();

    // A wrong password: the failed step in plain words, and nothing saved.
    await wizard.getByLabel('Password', { exact: true }).fill('not-the-password');
    await wizard.getByRole('button', { name: 'Connect' }).click();
    const failure = wizard.getByRole('alert');
    await failure
      .getByText('Failed step: Signing in to the incoming mail server (IMAP login)')
      .waitFor({ timeout: 30_000 });
    await failure.getByText('Nothing was saved.').waitFor();
    expect(
      (await t.admin.get<{ items: Account[] }>('/api/v1/accounts').expect(200)).items.map((a) => a.email),
    ).not.toContain(user.email);

    await wizard.getByLabel('Password', { exact: true }).fill(user.password);
    await wizard.getByRole('button', { name: 'Connect' }).click();
    await wizard.getByText('Mailbox connected').waitFor({ timeout: 30_000 });
    await wizard.getByRole('button', { name: 'Done' }).click();

    // Back in Profile → Email accounts: the mailbox with its status.
    const table = page.getByRole('table', { name: 'Email accounts' });
    await table.getByText(user.email).waitFor();
    await table.getByLabel(/^Status: /).waitFor();

    // Its settings page: change the sender name and the download period.
    await page.getByRole('button', { name: `Settings of ${user.email}` }).click();
    await page.getByLabel('Sender name').fill('Mia at work');
    await page.getByLabel('Download period').selectOption('week');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const mine = await t.container.db
      .selectFrom('accounts')
      .select(['display_name', 'sync_period'])
      .where('email', '=', user.email)
      .executeTakeFirstOrThrow();
    expect(mine).toEqual({ display_name: 'Mia at work', sync_period: 'week' });
    await page.close();
  });
});
