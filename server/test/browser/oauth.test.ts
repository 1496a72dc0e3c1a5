// "Sign in" with OAuth 2.0, clicked through in Chromium: the wizard's Sign in → the rig's OpenID
// provider (oidc-provider) consent page → back in Mailyard on the new account, syncing over IMAP
// with the token → a mail written in compose and sent over SMTP with it. And the same with consent
// given for another address: back in the wizard with the reason, nothing saved.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/domain/account.js';
import { createMailUser, getRig, printRigLogsOnFailure } from '../rig/index.js';
import { RIG_MAIL_SCOPE, registerOAuthClient } from '../rig/oidc/helpers.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { CHROMIUM_PATH } from '../support/browser.js';
import { messagesWithId, withFastOutbox } from '../support/outbox.js';
import { deliver, eventually, fastSyncOptions } from '../support/sync.js';
import { builtWebDir } from '../support/web.js';

printRigLogsOnFailure();

/**
 * Chromium cannot be given a CA file the way Node is (NODE_EXTRA_CA_CERTS), and the OpenID provider
 * runs on HTTPS with the rig's certificate. Chromium is told to trust exactly that certificate's
 * public key (SPKI pin), the browser's equivalent of `tls: {ca}`: every other certificate is still
 * verified as usual, and nothing is switched off.
 */
async function launchTrustingRig(): Promise<Browser> {
  const certFile = path.join(path.dirname(getRig().caFile), 'server.pem');
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  const pin = createHash('sha256').update(spki).digest('base64');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--ignore-certificate-errors-spki-list=${pin}`,
    ],
  });
}

async function signInToMailyard(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Profile' }).waitFor();
}

describe('connecting a mailbox with OAuth 2.0 in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let domain: string;
  let providerId: string;

  beforeAll(async () => {
    t = await startTestApp('sqlite', {
      webDir: builtWebDir(),
      background: true,
      syncEngine: fastSyncOptions,
      configure: withFastOutbox,
    });
    browser = await launchTrustingRig();

    const rig = getRig();
    domain = `oauth${Date.now().toString(36)}.test`;
    const client = await registerOAuthClient({ redirectUri: `${t.baseUrl}/api/v1/accounts/oauth/callback` });
    ({ id: providerId } = await t.admin
      .post<{ id: string }>('/api/v1/providers', {
        name: 'Rig OAuth mail',
        imap: { host: rig.imap.host, port: rig.imap.tlsPort, security: 'tls' },
        smtp: { host: rig.smtp.host, port: rig.smtp.smtpsPort, security: 'tls' },
        loginFormat: 'email',
        domains: [domain],
        auth: {
          method: 'oauth2',
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          authorizationUrl: client.authorizationUrl,
          tokenUrl: client.tokenUrl,
          scopes: [RIG_MAIL_SCOPE, 'offline_access'],
        },
      })
      .expect(201));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The wizard up to its Sign in button, then the provider's consent page, signing in as `consentAs`. */
  async function signInThroughProvider(page: Page, email: string, consentAs: string): Promise<void> {
    await page.goto(`${t.baseUrl}/#/accounts/new`);
    const wizard = page.getByRole('dialog', { name: 'New email account' });
    await wizard.getByLabel('Email address').fill(email);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByText('Identified').waitFor({ timeout: 20_000 });
    await wizard.getByRole('button', { name: 'Sign in' }).click();

    // The provider's own page, on its own origin.
    await page.waitForURL((url) => url.href.startsWith(getRig().oidc.issuer), { timeout: 20_000 });
    const login = page.getByLabel('Email address');
    expect(await login.inputValue()).toBe(email);
    await login.fill(consentAs);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(t.baseUrl), { timeout: 30_000 });
  }

  it('Sign in → consent → the account syncs and sends with the token', async () => {
    const user = await createMailUser({ domain });
    const recipient = await createMailUser();
    await deliver(getRig(), user.email, 'Waiting for OAuth');
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signInToMailyard(page, t.baseUrl);

    await signInThroughProvider(page, user.email, user.email);
    // Back in Mailyard, on the new account: connected, then in sync.
    await page.getByRole('status').getByText('Mailbox connected').waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(/#\/accounts\/[\w-]+\?connected=1$/);
    await page.getByLabel('Status: Up to date').waitFor({ timeout: 30_000 });
    const { items } = await t.admin.get<{ items: Account[] }>('/api/v1/accounts').expect(200);
    const account = items.find((a) => a.email === user.email);
    expect(account).toMatchObject({ providerId, login: user.email });
    await eventually(
      async () => {
        const page = await t.admin
          .get<{ items: { subject: string }[] }>(`/api/v1/messages?accountId=${account?.id ?? ''}`)
          .expect(200);
        return page.items.some((m) => m.subject === 'Waiting for OAuth');
      },
      30_000,
      'the waiting mail to be synced',
    );

    // A mail written in the browser goes out over SMTP with the token (XOAUTH2).
    const subject = `Sent after OAuth sign-in ${Date.now().toString(36)}`;
    await page.goto(`${t.baseUrl}/#/compose`);
    await page.getByLabel('To', { exact: true }).fill(recipient.email);
    await page.getByLabel('Subject', { exact: true }).fill(subject);
    await page.getByLabel('Message', { exact: true }).fill('Written in Chromium, sent with OAuth 2.0.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('send-status').textContent(), { timeout: 30_000 }).toBe('Sent');
    const received = await eventually(
      async () => {
        const outbox = await t.admin
          .get<{ items: { subject: string; messageId?: string }[] }>('/api/v1/outbox')
          .expect(200);
        const messageId = outbox.items.find((i) => i.subject === subject)?.messageId;
        const found = messageId ? await messagesWithId(getRig(), recipient, 'INBOX', messageId) : [];
        return found.length > 0 ? found : undefined;
      },
      20_000,
      'the message in the recipient’s mailbox',
    );
    expect(received[0]?.parsed.from?.value[0]?.address).toBe(user.email);
    await page.close();
  });

  it('consent given for another address: back in the wizard with the reason, nothing saved', async () => {
    const [wanted, other] = await Promise.all([createMailUser({ domain }), createMailUser()]);
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await signInToMailyard(page, t.baseUrl);

    await signInThroughProvider(page, wanted.email, other.email);
    const alert = page.getByRole('dialog', { name: 'New email account' }).getByRole('alert');
    await alert.getByText('You signed in with another address').waitFor({ timeout: 20_000 });
    await alert.getByText(`You signed in as ${other.email}, not ${wanted.email}`, { exact: false }).waitFor();
    const { items } = await t.admin.get<{ items: Account[] }>('/api/v1/accounts').expect(200);
    expect(items.map((a) => a.email)).not.toContain(wanted.email);
    await page.close();
  });
});
