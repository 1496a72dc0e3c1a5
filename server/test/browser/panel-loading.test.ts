// Loading the panel in Chromium: the unread counter is a placeholder until the count arrives
// (never a wrong "0 unread"), and the tab keeps one live-event stream however often the person
// moves between pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { adminEmail, adminPassword, startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMessage, userIdOf } from '../support/messages.js';
import { builtWebDir } from '../support/web.js';

describe('loading the panel (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { webDir: builtWebDir() });
    browser = await launchBrowser();
    const account = await seedAccount(t.container.db, { userId: await userIdOf(t.admin), email: `loading-${Date.now()}@example.test` });
    await seedMessage(t.container.db, t.container.blobs, { accountId: account.accountId, folderId: account.folders.INBOX ?? '', subject: 'Unread one' });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows a placeholder, not "0 unread", until the count has arrived', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/messages/unread-count', async (route: Route) => {
      await held;
      await route.continue();
    });
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('option', { name: /Unread one/ }).waitFor();
    await page.getByLabel('Counting unread messages').waitFor();
    expect(await page.getByText(/0 unread/).count()).toBe(0);
    release();
    await expect.poll(() => page.getByLabel('Unread messages').textContent()).toBe('1 unread');
    expect(await page.getByLabel('Counting unread messages').count()).toBe(0);
    await page.unroute('**/api/v1/messages/unread-count');
  });

  it('keeps one live-event stream while moving between pages', async () => {
    const streams: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/v1/events') streams.push(request.url());
    });
    const failed: string[] = [];
    page.on('requestfailed', (request) => {
      if (new URL(request.url()).pathname === '/api/v1/events') failed.push(request.failure()?.errorText ?? 'failed');
    });
    await page.reload();
    await page.getByRole('option', { name: /Unread one/ }).waitFor();
    await expect.poll(() => streams.length).toBe(1);
    failed.length = 0; // the reload ended the previous page's stream

    for (const [link, landmark] of [
      ['Mailbox settings', () => page.getByRole('heading', { name: 'Mailbox settings' })],
      ['Users', () => page.getByRole('heading', { name: 'Users' })],
      ['Communication panel', () => page.getByRole('option', { name: /Unread one/ })],
      ['Email providers', () => page.getByRole('heading', { name: 'Email providers', exact: true })],
      ['Communication panel', () => page.getByRole('option', { name: /Unread one/ })],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: link, exact: true }).click();
      await landmark().first().waitFor();
    }
    await page.getByRole('button', { name: 'Profile' }).click();
    await page.getByRole('heading', { name: 'Profile' }).first().waitFor();

    expect(streams).toHaveLength(1);
    expect(failed).toEqual([]);
  });
});
