// The add-account wizard's provider list as two colleagues see it: a provider one of them added
// is offered to her, not to him, until an admin reviews it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { builtWebDir } from '../support/web.js';
import { closedPort } from '../support/closed-port.js';

describe('providers users add, in the wizard', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    const nowhere = await closedPort();
    t = await startTestApp('sqlite', {
      webDir: builtWebDir(),
      // detection of the made-up domain fails fast: DNS and autoconfig go to a closed port
      configure: (c) => ({
        ...c,
        detection: {
          ...c.detection,
          dnsServers: [`127.0.0.1:${nowhere}`],
          autoconfig: { scheme: 'http', port: nowhere },
          stepTimeoutMs: 500,
          budgetMs: 1500,
          imapPorts: [nowhere],
          smtpPorts: [nowhere],
        },
      }),
    });
    await t.admin.patch('/api/v1/settings', { allowUsersToAddProviders: true }).expect(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function providersOffered(email: string, password: string): Promise<string[]> {
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    try {
      await page.goto(t.baseUrl);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Profile' }).click();
      await page.getByRole('tab', { name: 'Email accounts' }).click();
      await page.getByRole('button', { name: 'New', exact: true }).click();
      const wizard = page.getByRole('dialog', { name: 'New email account' });
      await wizard.getByLabel('Email address').fill(`someone@colleague${Date.now()}.test`);
      await wizard.getByRole('button', { name: 'Next' }).click();
      const select = wizard.getByRole('combobox', { name: 'Provider', exact: true });
      await select.waitFor();
      return await select.locator('option').allTextContents();
    } finally {
      await page.close();
    }
  }

  it("offers Alice's Corp Mail to Alice and not to Bob, until an admin reviews it", async () => {
    const users = ['alice', 'bob'].map((name) => ({
      email: `${name}-${Date.now()}@mailyard.test`,
      password: `${name}-password-1`,
    }));
    for (const [i, u] of users.entries()) {
      await t.admin
        .post('/api/v1/users', { ...u, name: i === 0 ? 'Alice' : 'Bob', role: 'user' })
        .expect(201);
    }
    const [alice, bob] = users as [(typeof users)[0], (typeof users)[0]];
    const aliceClient = t.client();
    await aliceClient.login(alice.email, alice.password);
    const corp = await aliceClient
      .post<{ id: string }>('/api/v1/providers', {
        name: 'Corp Mail',
        imap: { host: 'imap.corp-mail.invalid', port: 993, security: 'tls' },
        smtp: { host: 'smtp.corp-mail.invalid', port: 465, security: 'tls' },
      })
      .expect(201);

    expect(await providersOffered(alice.email, alice.password)).toContain('Corp Mail');
    expect(await providersOffered(bob.email, bob.password)).not.toContain('Corp Mail');

    await t.admin.patch(`/api/v1/providers/${corp.id}`, { notes: 'Reviewed' }).expect(200);
    expect(await providersOffered(bob.email, bob.password)).toContain('Corp Mail');
  });
});
