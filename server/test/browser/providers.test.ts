// The seed guide's Method 1 steps 4–10 as an admin clicks through them: Settings → Email
// providers → Add → Service type IMAP → the two hosts → (ports and security filled in by probing
// the real Dovecot/Postfix) → change port, security, login format, authentication → Apply.
// Also: deleting a provider that still has mailboxes, and the "Email providers domains" lookup.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRig } from '../rig/index.js';
import { launchBrowser } from '../support/browser.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { builtWebDir, screenshotPath } from '../support/web.js';
import type { Provider } from '../../src/domain/provider.js';

describe('email providers in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const rig = getRig();
    // The rig listens on high ports: let the probe try them in place of 993/143 and 465/587.
    t = await startTestApp('sqlite', {
      webDir: builtWebDir(),
      configure: (c) => ({
        ...c,
        detection: {
          ...c.detection,
          imapPorts: [rig.imap.tlsPort, rig.imap.port],
          smtpPorts: [rig.smtp.smtpsPort, rig.smtp.submissionPort],
        },
      }),
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Email providers', exact: true }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('adds a provider from its two hosts, as the seed guide describes (steps 4–10)', async () => {
    const rig = getRig();
    // Step 4–5: the admin's Settings → Email providers → Add.
    await page.getByRole('link', { name: 'Email providers', exact: true }).click();
    await page.getByRole('heading', { name: 'Email providers' }).waitFor();
    await page.getByRole('button', { name: 'Add', exact: true }).click();

    // Step 6: Service type IMAP.
    await page.getByRole('heading', { name: 'New email provider' }).waitFor();
    await page.getByLabel('Service type').selectOption('imap');

    // Step 7: the guide writes hosts as "imap@domain.com"; Mailyard says what to enter instead.
    await page.getByLabel('Inbound mail server (IMAP)').fill('imap@domain.com');
    await page.getByLabel('Outgoing mail server (SMTP)').fill(rig.smtp.host);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page
      .getByText('enter a host name such as imap.example.com, not an address like imap@domain.com')
      .waitFor();

    // Only the two hosts: port and security stay on "Detect automatically".
    await page.getByLabel('Inbound mail server (IMAP)').fill(rig.imap.host);
    await page.getByLabel('Name', { exact: true }).fill('Rig mail');
    await page.getByRole('button', { name: 'Apply' }).click();

    // Step 8: the rest is filled in (by probing the real servers) and shown after saving.
    await page.getByText('IMAP and SMTP port and security were filled in automatically').waitFor();
    expect(await page.getByLabel('Custom IMAP port', { exact: true }).inputValue()).toBe(
      String(rig.imap.tlsPort),
    );
    expect(await page.getByLabel('IMAP security', { exact: true }).inputValue()).toBe('tls');
    expect(await page.getByLabel('Custom SMTP port', { exact: true }).inputValue()).toBe(
      String(rig.smtp.smtpsPort),
    );
    expect(await page.getByLabel('SMTP security', { exact: true }).inputValue()).toBe('tls');

    // ...and can be changed from the drop-downs: 993 brings SSL/TLS, 587 brings STARTTLS.
    await page.getByLabel('IMAP port', { exact: true }).selectOption('993');
    expect(await page.getByLabel('IMAP security', { exact: true }).inputValue()).toBe('tls');
    await page.getByLabel('SMTP port', { exact: true }).selectOption('587');
    expect(await page.getByLabel('SMTP security', { exact: true }).inputValue()).toBe('starttls');
    // "None" is offered, with a warning that passwords would cross the network in clear text.
    await page.getByLabel('SMTP security', { exact: true }).selectOption('none');
    await page.getByText('passwords and mail cross the network in clear text').waitFor();
    await page.getByLabel('SMTP security', { exact: true }).selectOption('starttls');
    expect(await page.getByText('passwords and mail cross the network in clear text').count()).toBe(0);
    // Back to the rig's real listeners, so the saved provider works.
    await page.getByLabel('IMAP port', { exact: true }).selectOption('custom');
    await page.getByLabel('Custom IMAP port', { exact: true }).fill(String(rig.imap.port));
    await page.getByLabel('IMAP security', { exact: true }).selectOption('starttls');

    // Step 9: login format and authentication (OAuth 2.0 asks for the application ID and secret).
    await page.getByLabel('Mailbox login format').selectOption({ label: 'Use mailbox name' });
    await page.getByLabel('Authentication').selectOption({ label: 'OAuth 2.0' });
    await page.getByLabel('Application (client) ID').fill('mailyard-test-client');
    await page.getByLabel(/^Client secret/).fill('rig-client-secret');
    await page.getByLabel('Authorization URL').fill('https://login.rig.test/authorize');
    await page.getByLabel('Token URL').fill('https://login.rig.test/token');
    await page.getByRole('combobox', { name: 'Domains' }).fill('rig.test');
    await page.getByRole('combobox', { name: 'Domains' }).press('Enter');
    // A viewport tall enough for the whole form: a full-page capture would tear the fixed app shell.
    await page.setViewportSize({ width: 1280, height: 2000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath('provider-form.png') });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Step 10: Apply.
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Saved Rig mail').first().waitFor();

    const { items } = await t.admin.get<{ items: Provider[] }>('/api/v1/providers').expect(200);
    const saved = items.find((p) => p.name === 'Rig mail');
    expect(saved).toMatchObject({
      serviceType: 'imap',
      imap: { host: '127.0.0.1', port: rig.imap.port, security: 'starttls' },
      smtp: { host: '127.0.0.1', port: 587, security: 'starttls' },
      loginFormat: 'localPart',
      auth: { method: 'oauth2', clientId: 'mailyard-test-client', hasClientSecret: true },
      domains: ['rig.test'],
    });
    expect(JSON.stringify(items)).not.toContain('rig-client-secret');
    // The form shows "a secret is stored" instead of the secret.
    await page.getByText('A client secret is stored. Leave empty to keep it.').waitFor();
  });

  it('refuses to delete a provider that still has mailboxes, listing them', async () => {
    const provider = await t.admin
      .post<Provider>('/api/v1/providers', {
        name: 'Busy server',
        imap: { host: 'imap.busy.example', port: 993 },
        smtp: { host: 'smtp.busy.example', port: 465 },
      })
      .expect(201);
    const owner = await t.container.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    await t.container.db
      .insertInto('accounts')
      .values({
        id: 'busy-account',
        user_id: owner.id,
        provider_id: provider.id,
        email: 'someone@busy.example',
        login: 'someone',
        secret: null,
        display_name: '',
        signature: '',
        sync_period: 'month',
        folders: 'all',
        auto_download: 1,
        send_enabled: 1,
        default_sender: 0,
        enabled: 1,
        state: 'idle',
        progress_done: 0,
        progress_total: 0,
        last_sync_at: null,
        error_code: null,
        error_message: null,
        error_action: null,
        error_at: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();

    await page.getByRole('link', { name: 'Email providers', exact: true }).click();
    await page.getByRole('button', { name: 'Delete Busy server' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByText('The provider "Busy server" still has 1 mailbox: delete all its mailboxes first')
      .waitFor();
    await page
      .getByRole('list', { name: 'Mailboxes using this provider' })
      .getByText('someone@busy.example')
      .waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

    await t.container.db.deleteFrom('accounts').where('id', '=', 'busy-account').execute();
    await page.getByRole('button', { name: 'Delete Busy server' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete Busy server' }).waitFor({ state: 'detached' });
  });

  it('lets the admin allow users to add providers', async () => {
    await page.getByRole('link', { name: 'Email providers', exact: true }).click();
    const toggle = page.getByRole('switch', { name: 'Let users add email providers' });
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click({ force: true });
    await expect
      .poll(
        async () =>
          (await t.admin.get<{ allowUsersToAddProviders: boolean }>('/api/v1/settings').expect(200))
            .allowUsersToAddProviders,
      )
      .toBe(true);
  });

  it('maps domains to providers in the "Email providers domains" lookup', async () => {
    await page.getByRole('link', { name: 'Email providers domains' }).click();
    await page.getByRole('heading', { name: 'Email providers domains' }).waitFor();
    await page.getByRole('cell', { name: 'rig.test', exact: true }).waitFor();

    await page.getByRole('textbox', { name: /^Domain/ }).fill('BÜCHER.example');
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'Rig mail' });
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('cell', { name: 'xn--bcher-kva.example', exact: true }).waitFor();

    // The same domain in another form belongs to the same provider already: domain_taken for another one.
    await t.admin
      .post('/api/v1/providers', {
        name: 'Second server',
        imap: { host: 'imap.second.example', port: 993 },
        smtp: { host: 'smtp.second.example', port: 465 },
      })
      .expect(201);
    await page.reload();
    await page.getByRole('textbox', { name: /^Domain/ }).fill('bücher.example');
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'Second server' });
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page
      .getByText('The domain xn--bcher-kva.example already belongs to the provider "Rig mail"')
      .waitFor();

    await page.getByRole('button', { name: 'Remove xn--bcher-kva.example' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await page
      .getByRole('cell', { name: 'xn--bcher-kva.example', exact: true })
      .waitFor({ state: 'detached' });
  });
});
