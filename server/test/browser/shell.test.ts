// A person's first minutes: a fresh installation offers the first-run setup; the bootstrapped
// admin signs in and sees the shell with the communication panel, Profile and Settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { builtWebDir, screenshotPath } from '../support/web.js';

describe('the application shell in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('signs the bootstrapped admin in and shows the shell', async () => {
    const t: TestApp = await startTestApp('sqlite', { webDir: builtWebDir() });
    try {
      const page = await browser.newPage();
      await page.goto(t.baseUrl);
      await page.getByLabel('Email').fill(adminEmail);
      await page.getByLabel('Password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not correct/i);

      await page.getByLabel('Password').fill(adminPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('tab', { name: 'Email' }).waitFor();
      expect(await page.getByRole('button', { name: 'Profile' }).isVisible()).toBe(true);
      expect(await page.getByRole('link', { name: 'Users' }).isVisible()).toBe(true);
      await page.screenshot({ path: screenshotPath('communication-panel.png') });

      // The session survives a reload (cookie + CSRF token restored from the server).
      await page.reload();
      await page.getByRole('tab', { name: 'Email' }).waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await page.close();
    } finally {
      await t.close();
    }
  });

  it('walks a fresh installation through creating the first administrator', async () => {
    const t = await startTestApp('sqlite', { webDir: builtWebDir(), firstRun: true });
    try {
      const page = await browser.newPage();
      await page.goto(t.baseUrl);
      await page.getByRole('heading', { name: 'Welcome to Mailyard' }).waitFor();
      await page.getByLabel('Name').fill('Ada Admin');
      await page.getByLabel('Email').fill('ada@mailyard.test');
      await page.getByLabel('Password').fill('first-admin-password');
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await page.getByRole('tab', { name: 'Email' }).waitFor();

      // Setup is a one-time door: once a user exists it stays shut.
      const status = await t.client().get<{ needed: boolean }>('/api/v1/setup').expect(200);
      expect(status.needed).toBe(false);
      await t
        .client()
        .post('/api/v1/setup', { email: 'late@mailyard.test', password: 'another-password', name: 'Late' })
        .expectError(409, 'conflict');
      await page.close();
    } finally {
      await t.close();
    }
  });
});
