import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; playwright-core ships no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless Chromium for browser tests. Each call starts a separate browser with a fresh, temporary
 * profile (Playwright creates it and deletes it on close), so tests never share cookies or storage.
 * Always `await browser.close()` (e.g. in afterAll).
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      // Root in a container: Chromium's sandbox needs user namespaces it does not get here.
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Nothing may try to reach the internet: this machine has loopback only, and stray
      // connections only make tests slower.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
