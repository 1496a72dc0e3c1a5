// Hostile HTML in the reading pane, in Chromium: nothing executes, and nothing remote is fetched
// until the reader clicks "Show remote images" (then images only). The "remote" server is a
// loopback HTTP server of this test that counts every request it gets. The messages are stored
// as they might arrive unsanitised, so the pane's own defences are what is tested.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { seedAccount, seedMessage, type SeededAccount } from '../support/messages.js';
import { builtWebDir } from '../support/web.js';

const png1x1 = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d4944415478da63f8cfc0f01f0005000201a3c2b8d40000000049454e44ae426082',
  'hex',
);

/** Counts requests by path; answers images with a PNG and everything else with text. */
async function startRemoteServer(): Promise<{ server: Server; origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if ((req.url ?? '').endsWith('.png')) {
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
      res.end(png1x1);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('window.top.pwned = "remote script";');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, origin: `http://127.0.0.1:${address.port}`, requests };
}

const corpus = (r: string): Record<string, string> => ({
  'Hostile script tag': `<p>script tag</p><script>window.top.pwned = 'script'; fetch('${r}/script-fetch')</script><script src="${r}/external.js"></script>`,
  'Hostile event handlers': `<body onload="window.top.pwned='onload'"><img src="x" onerror="window.top.pwned='onerror'; fetch('${r}/onerror')"><p onmouseover="window.top.pwned='hover'">event handlers</p></body>`,
  'Hostile javascript link': `<p><a href="javascript:window.top.pwned='js-link'">click this link</a></p><a href="  jAvAsCrIpT:window.top.pwned='js2'">second link</a>`,
  'Hostile SVG': `<svg xmlns="http://www.w3.org/2000/svg" onload="window.top.pwned='svg-onload'"><script>window.top.pwned='svg-script'</script><image href="${r}/svg-image.png" width="10" height="10"/><use href="${r}/sprite.svg#x"/></svg><p>svg</p>`,
  'Hostile CSS': `<style>@import url(${r}/import.css); body { background: url(${r}/css-bg.png) } @font-face { font-family: x; src: url(${r}/font.woff) } p { font-family: x }</style><div style="background-image:url('${r}/inline-bg.png')">css tricks</div><link rel="stylesheet" href="${r}/link.css"><link rel="dns-prefetch" href="${r}/">`,
  'Hostile form': `<form action="${r}/form" method="post"><label>Name <input name="a" value="b"></label><button type="submit">Send form</button></form><button formaction="${r}/formaction">Other</button>`,
  'Hostile meta refresh': `<meta http-equiv="refresh" content="0;url=${r}/refresh"><base href="${r}/"><p>meta refresh</p><img src="relative.png"><iframe src="${r}/frame"></iframe><object data="${r}/object"></object><video poster="${r}/poster.png"></video>`,
});

describe('hostile HTML in the reading pane (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let remote: Awaited<ReturnType<typeof startRemoteServer>>;
  let account: SeededAccount;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp('sqlite', { webDir: builtWebDir() });
    remote = await startRemoteServer();
    const email = `reader-${Date.now()}@mailyard.test`;
    const password = 'reader-password-1';
    const user = await t.admin.post<{ id: string }>('/api/v1/users', { email, password, name: 'Reader', role: 'user' }).expect(201);
    account = await seedAccount(t.container.db, { userId: user.id });
    const inbox = account.folders.INBOX ?? '';
    let minute = 0;
    for (const [subject, html] of Object.entries(corpus(remote.origin))) {
      minute += 1;
      await seedMessage(t.container.db, t.container.blobs, { accountId: account.accountId, folderId: inbox, subject, html, date: Date.UTC(2026, 0, 1, 10, minute) });
    }
    await seedMessage(t.container.db, t.container.blobs, {
      accountId: account.accountId,
      folderId: inbox,
      subject: 'Remote images and a logo',
      html:
        `<p>Newsletter</p><img alt="parked" data-remote-src="${remote.origin}/parked.png"><img alt="raw" src="${remote.origin}/raw.png">` +
        `<div style="background:url(${remote.origin}/background.png)">bg</div><img alt="logo" src="cid:logo@mail">` +
        `<style>@import url(${remote.origin}/still-blocked.css)</style><script>fetch('${remote.origin}/still-blocked-script')</script>`,
      date: Date.UTC(2026, 0, 1, 9, 0),
      attachments: [{ filename: 'logo.png', contentType: 'image/png', content: png1x1, contentId: 'logo@mail', inline: true }],
    });

    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('listbox', { name: 'Messages' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    remote?.server.close();
    await t?.close();
  });

  const openMessage = async (subject: string) => {
    await page.getByRole('option', { name: new RegExp(subject) }).click();
    await page.getByRole('heading', { name: subject }).waitFor();
    const frame = page.locator('iframe[title="Message content"]');
    await frame.waitFor();
    return frame;
  };

  it('renders every hostile message without running anything or fetching anything', async () => {
    const frames: { sandbox: string | null; srcdoc: string }[] = [];
    for (const subject of Object.keys(corpus(remote.origin))) {
      const frame = await openMessage(subject);
      frames.push({ sandbox: await frame.getAttribute('sandbox'), srcdoc: (await frame.getAttribute('srcdoc')) ?? '' });
      // a person clicking around the hostile content
      const content = page.frameLocator('iframe[title="Message content"]');
      if (subject === 'Hostile javascript link') await content.getByText('click this link').click();
      if (subject === 'Hostile form') await content.getByRole('button', { name: 'Send form' }).click();
      if (subject === 'Hostile event handlers') await content.getByText('event handlers').hover();
    }
    // the remote-images message too, before anything is allowed: only the cid: logo shows
    const frame = await openMessage('Remote images and a logo');
    await expect.poll(async () => (await frame.getAttribute('srcdoc')) ?? '').toContain('src="data:image/png;base64,');
    await page.getByRole('button', { name: 'Show remote images' }).waitFor();

    expect(await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(remote.requests).toEqual([]);
    // and the layers that made it so: an opaque, script-less frame; a policy; the clean-up
    for (const { sandbox, srcdoc } of frames) {
      expect(sandbox).not.toMatch(/allow-scripts|allow-same-origin/);
      expect(srcdoc).toContain("default-src 'none'");
      expect(srcdoc).not.toMatch(/<script|onerror=|onload=|javascript:|http-equiv="refresh"/i);
    }
  });

  it('loads remote images only after "Show remote images", and still nothing else', async () => {
    await openMessage('Remote images and a logo');
    expect(remote.requests).toEqual([]);
    await page.getByRole('button', { name: 'Show remote images' }).click();
    await expect.poll(() => remote.requests.length).toBeGreaterThan(0);
    await expect.poll(() => new Set(remote.requests)).toEqual(new Set(['/parked.png', '/raw.png', '/background.png']));
    expect(remote.requests.every((url) => url.endsWith('.png'))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
