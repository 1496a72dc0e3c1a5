// The test rig itself: real Postfix → Dovecot delivery, TLS verified against the rig CA, OAuth
// bearer logins, PostgreSQL and Chromium. When this file fails, look here before anywhere else.
import { randomUUID } from 'node:crypto';
import tls from 'node:tls';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import {
  createMailUser,
  createPostgresDatabase,
  deleteMailUser,
  getRig,
  issueAccessToken,
  printRigLogsOnFailure,
  revokeAccessToken,
  type MailUser,
} from '../rig/index.js';
import { launchBrowser } from '../support/browser.js';

printRigLogsOnFailure();
const rig = getRig();

describe('mail through the real servers', () => {
  test('587 submission (STARTTLS + AUTH PLAIN) delivers to the mailbox, read back over IMAPS', async () => {
    const user = await createMailUser();
    const subject = `Submission ${randomUUID()}`;
    const transport = nodemailer.createTransport({
      host: rig.smtp.host,
      port: rig.smtp.submissionPort,
      secure: false,
      requireTLS: true,
      auth: { user: user.email, pass: user.password },
    });
    try {
      await transport.sendMail({
        from: user.email,
        to: user.email,
        subject,
        text: 'Sent on the 587-style port.',
      });
    } finally {
      transport.close();
    }

    const message = await waitForMessage(user, subject);
    expect(message.subject).toBe(subject);
    expect(message.text?.trim()).toBe('Sent on the 587-style port.');
  });

  test('465 submissions (implicit TLS + AUTH) delivers to another rig mailbox', async () => {
    const [sender, recipient] = await Promise.all([createMailUser(), createMailUser()]);
    const subject = `Implicit TLS ${randomUUID()}`;
    const transport = nodemailer.createTransport({
      host: rig.smtp.host,
      port: rig.smtp.smtpsPort,
      secure: true,
      auth: { user: sender.email, pass: sender.password },
    });
    try {
      await transport.sendMail({
        from: sender.email,
        to: recipient.email,
        subject,
        text: 'Sent on the 465-style port.',
      });
    } finally {
      transport.close();
    }

    const message = await waitForMessage(recipient, subject);
    expect(message.from?.value[0]?.address).toBe(sender.email);
    expect(message.text?.trim()).toBe('Sent on the 465-style port.');
  });

  test('the inbound port takes mail for rig mailboxes only, without AUTH', async () => {
    const user = await createMailUser();
    const subject = `Inbound ${randomUUID()}`;
    const transport = nodemailer.createTransport({
      host: rig.smtp.host,
      port: rig.smtp.inboundPort,
      secure: false,
    });
    try {
      await transport.sendMail({
        from: 'someone@example.com',
        to: user.email,
        subject,
        text: 'From outside.',
      });
      await expect(
        transport.sendMail({
          from: 'someone@example.com',
          to: 'victim@example.com',
          subject,
          text: 'Relay?',
        }),
      ).rejects.toMatchObject({ responseCode: 554 });
      await expect(
        transport.sendMail({
          from: 'someone@example.com',
          to: `nobody-${randomUUID()}@rig.test`,
          subject,
          text: '?',
        }),
      ).rejects.toMatchObject({ responseCode: 550 });
    } finally {
      transport.close();
    }
    expect((await waitForMessage(user, subject)).text?.trim()).toBe('From outside.');
  });

  test('IMAP on the plain port upgrades with STARTTLS; special-use folders exist, subscribed', async () => {
    const user = await createMailUser();
    const client = new ImapFlow({
      host: rig.imap.host,
      port: rig.imap.port,
      secure: false,
      doSTARTTLS: true,
      auth: { user: user.email, pass: user.password },
      logger: false,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      expect(client.secureConnection).toBe(true);
      const folders = (await client.list()).filter(
        (f) => f.path !== 'INBOX' && f.specialUseSource === 'extension',
      );
      expect(
        Object.fromEntries(folders.map((f) => [f.specialUse, { path: f.path, subscribed: f.subscribed }])),
      ).toEqual({
        '\\Drafts': { path: 'Drafts', subscribed: true },
        '\\Sent': { path: 'Sent', subscribed: true },
        '\\Trash': { path: 'Trash', subscribed: true },
        '\\Junk': { path: 'Junk', subscribed: true },
      });
    } finally {
      await client.logout();
    }
  });

  test('a deleted mail user can no longer log in or receive mail', async () => {
    const user = await createMailUser();
    await deleteMailUser(user.email);

    const client = imapClient({ user: user.email, pass: user.password });
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    client.close();
    const transport = nodemailer.createTransport({
      host: rig.smtp.host,
      port: rig.smtp.inboundPort,
      secure: false,
    });
    try {
      await expect(
        transport.sendMail({ from: 'someone@example.com', to: user.email, subject: 'Gone?', text: '?' }),
      ).rejects.toMatchObject({ responseCode: 550 });
    } finally {
      transport.close();
    }
  });

  test('the servers present a certificate that verifies only against the rig CA', async () => {
    const trusted = await tlsHandshake({});
    expect(trusted.authorized).toBe(true);
    // Only the public roots, without NODE_EXTRA_CA_CERTS: proves verification is really on.
    await expect(tlsHandshake({ ca: [...tls.rootCertificates] })).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });
});

describe('OAuth 2.0 bearer tokens', () => {
  test('IMAP XOAUTH2 works with an issued token and fails once it is revoked', async () => {
    const user = await createMailUser();
    const accessToken = await issueAccessToken(user.email);

    const client = imapClient({ user: user.email, accessToken });
    await client.connect();
    expect(client.authenticated).toBeTruthy();
    await client.logout();

    await revokeAccessToken(accessToken);
    const rejected = imapClient({ user: user.email, accessToken });
    await expect(rejected.connect()).rejects.toMatchObject({ authenticationFailed: true });
    rejected.close();
  });

  test('SMTP AUTH XOAUTH2 on the submission port', async () => {
    const user = await createMailUser();
    const accessToken = await issueAccessToken(user.email);
    const subject = `OAuth ${randomUUID()}`;
    const transport = nodemailer.createTransport({
      host: rig.smtp.host,
      port: rig.smtp.submissionPort,
      secure: false,
      requireTLS: true,
      auth: { type: 'OAuth2', user: user.email, accessToken },
    });
    try {
      await transport.sendMail({
        from: user.email,
        to: user.email,
        subject,
        text: 'Sent with a bearer token.',
      });
    } finally {
      transport.close();
    }
    expect((await waitForMessage(user, subject)).text?.trim()).toBe('Sent with a bearer token.');
  });
});

test('PostgreSQL answers on a fresh database', async () => {
  const client = new pg.Client({ connectionString: await createPostgresDatabase() });
  await client.connect();
  try {
    const { rows } = await client.query<{ one: number; tables: string }>(
      "select 1 as one, (select count(*) from pg_tables where schemaname = 'public') as tables",
    );
    expect(rows).toEqual([{ one: 1, tables: '0' }]);
  } finally {
    await client.end();
  }
});

test('Chromium starts headless and renders a page', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`data:text/html,${encodeURIComponent('<title>Rig</title><h1>Mailyard test rig</h1>')}`);
    expect(await page.title()).toBe('Rig');
    expect(await page.textContent('h1')).toBe('Mailyard test rig');
  } finally {
    await browser.close();
  }
});

function imapClient(auth: { user: string; pass?: string; accessToken?: string }): ImapFlow {
  const client = new ImapFlow({
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    secure: true,
    auth,
    logger: false,
  });
  // A connection error without a listener would crash the worker instead of failing the test.
  client.on('error', () => undefined);
  return client;
}

/** Polls INBOX over IMAPS until a message with `subject` arrives (delivery takes milliseconds). */
async function waitForMessage(user: MailUser, subject: string, timeoutMs = 15_000): Promise<ParsedMail> {
  const client = imapClient({ user: user.email, pass: user.password });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const uids = await client.search({ subject }, { uid: true });
        const uid = uids ? uids[0] : undefined;
        if (uid !== undefined) {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (message === false || message.source === undefined) throw new Error(`UID ${uid} vanished`);
          return await simpleParser(message.source);
        }
      } finally {
        lock.release();
      }
      if (Date.now() > deadline)
        throw new Error(`no message "${subject}" for ${user.email} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.logout();
  }
}

function tlsHandshake(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: rig.imap.tlsPort, ...options }, () => {
      socket.end();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
