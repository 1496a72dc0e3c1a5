// A day's work in Chromium between two real rig mailboxes: Alice uses Mailyard (sync engine and
// outbox running), Bob is an ordinary correspondent with his own mail program (SMTP submission to
// send, IMAPS to read). Every step is checked where a person would look: Alice's screen, and the
// mail servers themselves.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { builtWebDir } from '../support/web.js';
import { eventually, fastSyncOptions, otherClient, seedImapAccount } from '../support/sync.js';
import { withFastOutbox } from '../support/outbox.js';
import { createMailUser, getRig, printRigLogsOnFailure, type MailUser } from '../rig/index.js';

printRigLogsOnFailure();

const budget = 30_000;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The flags of the message with this Message-ID in a folder of a rig mailbox; undefined if it is not there. */
async function serverFlags(user: MailUser, folder: string, messageId: string): Promise<Set<string> | undefined> {
  const client = await otherClient(getRig(), user);
  try {
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    try {
      const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      const uid = uids[0];
      if (uid === undefined) return undefined;
      const message = await client.fetchOne(String(uid), { flags: true }, { uid: true });
      return message ? (message.flags ?? new Set<string>()) : undefined;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Every message in a folder of a rig mailbox whose Subject contains `text`, parsed. */
async function messagesWithSubject(user: MailUser, folder: string, text: string): Promise<ParsedMail[]> {
  const client = await otherClient(getRig(), user);
  try {
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    try {
      const uids = (await client.search({ header: { subject: text } }, { uid: true })) || [];
      const found: ParsedMail[] = [];
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (message && message.source) found.push(await simpleParser(message.source));
      }
      return found;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

describe('a day’s work in the Email tab (Chromium, real mailboxes)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let alice: MailUser;
  let bob: MailUser;
  let bobsMessageId = '';

  const word = `quokka${randomUUID().slice(0, 8)}`;
  const subject = `Project kickoff ${randomUUID().slice(0, 8)}`;
  const attachment = { filename: 'plan.pdf', contentType: 'application/pdf', content: randomBytes(48_000) };

  const messages = () => page.getByRole('listbox', { name: 'Messages' }).getByRole('option');
  // Bob's message exactly, not Alice's "Re:"/"Fwd:" copies to Bob in Sent.
  const bobsRow = () => page.getByRole('option', { name: new RegExp(`^(Unread, )?(Flagged, )?(Answered, )?Bob: ${escapeRegExp(subject)}$`) });
  const openBobsMessage = async () => {
    await bobsRow().click();
    await page.getByRole('article', { name: 'Reading pane' }).getByRole('heading', { name: subject, exact: true }).waitFor();
  };
  const backToPanel = async () => {
    await page.getByRole('button', { name: 'Back to the panel' }).click();
    await page.getByRole('listbox', { name: 'Messages' }).waitFor();
  };
  const sendAndWait = async () => {
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => page.getByTestId('send-status').textContent(), { timeout: budget }).toBe('Sent');
  };

  beforeAll(async () => {
    const rig = getRig();
    [alice, bob] = await Promise.all([createMailUser(), createMailUser()]);
    // A folder of Alice's own, made in "another mail program", for the move later on.
    const imap = await otherClient(rig, alice);
    try {
      await imap.mailboxCreate('Projects');
    } finally {
      await imap.logout().catch(() => imap.close());
    }

    t = await startTestApp('sqlite', { webDir: builtWebDir(), background: true, syncEngine: fastSyncOptions, configure: withFastOutbox });
    const login = { email: `alice-${Date.now()}@mailyard.test`, password: 'alice-password-1' };
    const user = await t.admin.post<{ id: string }>('/api/v1/users', { ...login, name: 'Alice', role: 'user' }).expect(201);
    const accountId = await seedImapAccount(t.container.db, t.container.secrets, { userId: user.id, mailUser: alice, rig });
    await t.container.sync.refreshAccount(accountId);
    await eventually(
      async () => {
        const account = await t.container.db.selectFrom('accounts').select('state').where('id', '=', accountId).executeTakeFirstOrThrow();
        const projects = await t.container.db.selectFrom('folders').select('id').where('account_id', '=', accountId).where('path', '=', 'Projects').executeTakeFirst();
        return account.state === 'idle' && projects !== undefined;
      },
      budget,
      'Alice’s mailbox synced',
    );

    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(t.baseUrl);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password', { exact: true }).fill(login.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('tab', { name: 'Email' }).click();
    await page.getByText('No messages yet').waitFor({ timeout: budget });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows Bob’s new message the moment it arrives, without a reload', async () => {
    const rig = getRig();
    const transport = nodemailer.createTransport({
      host: rig.smtp.host,
      port: rig.smtp.submissionPort,
      secure: false,
      requireTLS: true,
      tls: { servername: 'localhost' },
      auth: { user: bob.email, pass: bob.password },
    });
    try {
      const info = await transport.sendMail({
        from: `Bob <${bob.email}>`,
        to: `Alice <${alice.email}>`,
        subject,
        text: `Hi Alice, the ${word} plan is attached.`,
        attachments: [attachment],
      });
      bobsMessageId = info.messageId;
    } finally {
      transport.close();
    }
    await expect.poll(() => bobsRow().count(), { timeout: budget }).toBe(1);
    await expect(bobsRow().getAttribute('aria-label')).resolves.toMatch(/^Unread, /);
    await expect.poll(() => page.getByLabel('Unread messages').textContent()).toBe('1 unread');
  });

  it('reads it, and the server learns it was read', async () => {
    await openBobsMessage();
    const pane = page.getByRole('article', { name: 'Reading pane' });
    await expect.poll(async () => (await pane.locator('iframe[title="Message content"]').getAttribute('srcdoc')) ?? '').toContain(word);
    await expect(pane.getByText(bob.email).count()).resolves.toBeGreaterThan(0);
    await pane.getByRole('link', { name: /plan\.pdf/ }).waitFor();
    await expect.poll(() => bobsRow().getAttribute('aria-label')).not.toMatch(/Unread/);
    await expect.poll(async () => (await serverFlags(alice, 'INBOX', bobsMessageId))?.has('\\Seen'), { timeout: budget }).toBe(true);
  });

  it('flags it, and the flag reaches the server', async () => {
    await page.getByRole('button', { name: 'Flag', exact: true }).click();
    await page.getByRole('button', { name: 'Unflag', exact: true }).waitFor();
    await expect.poll(() => bobsRow().getAttribute('aria-label')).toMatch(/Flagged/);
    await expect.poll(async () => (await serverFlags(alice, 'INBOX', bobsMessageId))?.has('\\Flagged'), { timeout: budget }).toBe(true);
  });

  it('moves it to Projects, on the server too', async () => {
    await page.getByRole('combobox', { name: 'Move to folder', exact: true }).click();
    await page.getByRole('option', { name: 'Projects', exact: true }).click();
    await expect.poll(async () => (await serverFlags(alice, 'Projects', bobsMessageId)) !== undefined, { timeout: budget }).toBe(true);
    await expect.poll(async () => (await serverFlags(alice, 'INBOX', bobsMessageId)) === undefined, { timeout: budget }).toBe(true);
    // The move keeps what Alice did to it.
    const flags = await serverFlags(alice, 'Projects', bobsMessageId);
    expect([...(flags ?? [])].sort()).toEqual(expect.arrayContaining(['\\Flagged', '\\Seen']));
    // Alice sees where it went.
    await expect
      .poll(() => page.getByRole('article', { name: 'Reading pane' }).textContent(), { timeout: budget })
      .toMatch(/· Projects/);
  });

  it('replies, and Bob’s mailbox has the reply in the right thread', async () => {
    await openBobsMessage();
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    const to = page.getByRole('textbox', { name: /^To/ });
    await expect.poll(() => to.inputValue(), { timeout: budget }).toContain(bob.email);
    await expect(page.getByRole('textbox', { name: /^Subject/ }).inputValue()).resolves.toBe(`Re: ${subject}`);
    const body = page.getByRole('textbox', { name: /^Message/ });
    await body.fill(`Thanks Bob, looks good.\n\n${await body.inputValue()}`);
    await sendAndWait();

    const [reply] = await eventually(
      async () => {
        const found = await messagesWithSubject(bob, 'INBOX', `Re: ${subject}`);
        return found.length > 0 ? found : undefined;
      },
      budget,
      'the reply in Bob’s INBOX',
    );
    expect(reply?.subject).toBe(`Re: ${subject}`);
    expect(reply?.text).toContain('Thanks Bob, looks good.');
    expect(reply?.from?.value[0]?.address).toBe(alice.email);
    expect(reply?.inReplyTo).toBe(bobsMessageId);
    const references = reply?.references;
    expect(Array.isArray(references) ? references : [references]).toContain(bobsMessageId);
  });

  it('forwards it with the attachment byte for byte', async () => {
    await backToPanel();
    // The reply went out: Bob's message shows as answered.
    await page.getByRole('option', { name: new RegExp(`Answered, Bob: ${escapeRegExp(subject)}$`) }).waitFor({ timeout: budget });
    await openBobsMessage();
    await page.getByRole('button', { name: 'Forward', exact: true }).click();
    await page.getByLabel('Forwarded attachments').getByText(/plan\.pdf/).waitFor({ timeout: budget });
    await page.getByRole('textbox', { name: /^To/ }).fill(bob.email);
    await sendAndWait();

    const [forward] = await eventually(
      async () => {
        const found = (await messagesWithSubject(bob, 'INBOX', subject)).filter((m) => /^(Fwd|Fw):/i.test(m.subject ?? ''));
        return found.length > 0 ? found : undefined;
      },
      budget,
      'the forward in Bob’s INBOX',
    );
    const files = forward?.attachments.filter((a) => a.filename === attachment.filename) ?? [];
    expect(files).toHaveLength(1);
    expect(sha256(files[0]?.content ?? Buffer.alloc(0))).toBe(sha256(attachment.content));
  });

  it('finds it by a word of its text, and nothing for nonsense', async () => {
    await backToPanel();
    await page.getByLabel('Search mail').fill(word);
    await expect.poll(() => bobsRow().count(), { timeout: budget }).toBe(1);
    // Words only in Alice's reply: Bob's message drops out of the list.
    await page.getByLabel('Search mail').fill('looks good');
    await expect.poll(() => bobsRow().count(), { timeout: budget }).toBe(0);
    await page.getByLabel('Search mail').fill(`zzxqv${randomUUID().slice(0, 6)}`);
    await page.getByText('No messages match these filters.').waitFor({ timeout: budget });
    await expect(messages().count()).resolves.toBe(0);
  });
});
