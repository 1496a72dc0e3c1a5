// "Well-known providers": an admin turns a catalogue entry into a provider in one click, and an
// OAuth-only service asks for the admin's OAuth client first.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { builtWebDir } from '../support/web.js';
import type { Provider } from '../../src/domain/provider.js';

describe('well-known providers in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { webDir: builtWebDir() });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(15_000);
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Well-known providers' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const providers = async () =>
    (await t.admin.get<{ items: Provider[] }>('/api/v1/providers').expect(200)).items;

  it('adds Fastmail with its servers, domains and notes in one click', async () => {
    await page.getByRole('link', { name: 'Well-known providers' }).click();
    await page.getByRole('heading', { name: 'Well-known providers' }).waitFor();
    await page.getByLabel('Search well-known providers').fill('fastmail');
    await page.getByRole('button', { name: 'Add Fastmail' }).click();
    // The catalogue itself lives at /settings/providers/catalogue: wait for the new provider's page.
    await page.waitForURL(/\/settings\/providers\/(?!catalogue$)[^/]+$/);

    const fastmail = (await providers()).find((p) => p.name === 'Fastmail');
    expect(fastmail).toMatchObject({
      imap: { host: 'imap.fastmail.com', port: 993, security: 'tls' },
      smtp: { host: 'smtp.fastmail.com', port: 465, security: 'tls' },
      loginFormat: 'email',
      auth: { method: 'basic' },
    });
    expect(fastmail?.domains).toContain('fastmail.com');
    expect(fastmail?.notes).toMatch(/app password/);
    expect(page.url()).toContain(fastmail?.id ?? 'missing');

    // detection now answers from the lookup, before the catalogue
    const detected = await t.admin
      .get<{ source: string; providerId: string }>('/api/v1/providers/detect?email=jo@fastmail.com')
      .expect(200);
    expect(detected).toMatchObject({ source: 'lookup', providerId: fastmail?.id });
  });

  it('asks for the OAuth client of an OAuth-only service and fills in its endpoints', async () => {
    await page.getByRole('link', { name: 'Well-known providers' }).click();
    await page.getByLabel('Search well-known providers').fill('microsoft 365');
    await page.getByRole('button', { name: 'Add Microsoft 365 (Exchange Online)' }).click();
    await page.getByRole('dialog').getByLabel('Client ID').fill('contoso-mailyard');
    await page.getByRole('dialog').getByLabel('Client secret').fill('very-secret-value');
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.waitForURL(/\/settings\/providers\/(?!catalogue$)[^/]+$/);

    const m365 = (await providers()).find((p) => p.name === 'Microsoft 365 (Exchange Online)');
    expect(m365?.auth).toMatchObject({
      method: 'oauth2',
      clientId: 'contoso-mailyard',
      hasClientSecret: true,
      authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    });
    expect(JSON.stringify(m365)).not.toContain('very-secret-value');
  });

  it('shows the API’s reason when an entry cannot be added (it exists already)', async () => {
    await page.getByRole('link', { name: 'Well-known providers' }).click();
    await page.getByLabel('Search well-known providers').fill('fastmail');
    await page.getByRole('button', { name: 'Add Fastmail' }).click();
    await page.getByText('The provider was not added').waitFor();
  });
});
