// Credentials as people click through them: an admin sees and revokes a user's API tokens on the
// Users page, and a user changes their own password on the Profile page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { builtWebDir } from '../support/web.js';

describe('credentials in the browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { webDir: builtWebDir() });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(email: string, password: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Email' }).waitFor();
    return page;
  }

  it("shows an admin a user's API tokens on the Users page and revokes one", async () => {
    const email = `tokens-${Date.now()}@mailyard.test`;
    await t.admin.post('/api/v1/users', { email, password: 'user-password-1', name: 'Tokens', role: 'user' }).expect(201);
    const user = t.client();
    await user.login(email, 'user-password-1');
    const ci = await user.post<{ token: string }>('/api/v1/me/tokens', { name: 'CI pipeline' }).expect(201);
    await user.post('/api/v1/me/tokens', { name: 'Backup script' }).expect(201);

    const page = await signIn(adminEmail, adminPassword);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: `API tokens of ${email}` }).click();
    const dialog = page.getByRole('dialog', { name: `API tokens of ${email}` });
    await dialog.getByRole('cell', { name: 'CI pipeline', exact: true }).waitFor();
    expect(await dialog.getByRole('cell', { name: 'Backup script', exact: true }).isVisible()).toBe(true);

    await dialog.getByRole('button', { name: 'Revoke CI pipeline' }).click();
    await page.getByRole('dialog', { name: 'Revoke token' }).getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => dialog.getByRole('cell', { name: 'CI pipeline', exact: true }).count()).toBe(0);
    expect(await dialog.getByRole('cell', { name: 'Backup script', exact: true }).isVisible()).toBe(true);

    const bearer = t.client();
    bearer.bearer = ci.token;
    await bearer.get('/api/v1/me').expectError(401, 'unauthenticated');
    await page.close();
  });

  it('lets a user change their own password on the Profile page, signing out their other sessions', async () => {
    const email = `own-${Date.now()}@mailyard.test`;
    await t.admin.post('/api/v1/users', { email, password: 'old-password-1', name: 'Own', role: 'user' }).expect(201);
    const elsewhere = t.client();
    await elsewhere.login(email, 'old-password-1');

    const page = await signIn(email, 'old-password-1');
    await page.getByRole('button', { name: 'Profile' }).click();
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill('not-the-password');
    await form.getByLabel('New password').fill('new-password-2');
    await form.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => form.getByText('is wrong').count()).toBe(1);

    await form.getByLabel('Current password').fill('old-password-1');
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();

    await elsewhere.get('/api/v1/me').expectError(401, 'unauthenticated');
    await page.reload();
    await page.getByRole('tab', { name: 'Email' }).or(page.getByRole('form', { name: 'Change password' })).first().waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    await t.client().login(email, 'new-password-2');
    await page.close();
  });
});
