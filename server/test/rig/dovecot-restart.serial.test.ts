// stopDovecot()/startDovecot(): what restart tests rely on. Serial (see vitest.config.ts): stopping
// the shared Dovecot would break every test running beside this one.
import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { expect, test } from 'vitest';
import {
  createMailUser,
  getRig,
  printRigLogsOnFailure,
  startDovecot,
  stopDovecot,
  type MailUser,
} from './index.js';

printRigLogsOnFailure();
const rig = getRig();

test('a Dovecot restart closes sessions, keeps ports and mail, and queued mail is delivered after it', async () => {
  const user = await createMailUser();
  const client = imapClient(user);
  await client.connect();
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));

  await stopDovecot();
  await closed;
  await expect(imapClient(user).connect()).rejects.toThrow();

  // Postfix accepts while Dovecot is down and keeps the message queued.
  const subject = `Queued during restart ${randomUUID()}`;
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
      text: 'Waited in the queue.',
    });
  } finally {
    transport.close();
  }

  await startDovecot();
  const again = imapClient(user);
  await again.connect();
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await again.status('INBOX', { messages: true });
      if (status !== false && status.messages === 1) break;
      if (Date.now() > deadline) throw new Error('the queued message was not delivered after the restart');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await again.logout();
  }
});

function imapClient(user: MailUser): ImapFlow {
  const client = new ImapFlow({
    host: rig.imap.host,
    port: rig.imap.tlsPort,
    secure: true,
    auth: { user: user.email, pass: user.password },
    logger: false,
  });
  client.on('error', () => undefined);
  return client;
}
