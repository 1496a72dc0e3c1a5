// The IMAP servers sync tests run against, as a parameter (`describe.each(imapServers)`), so a
// test says what any server must do and runs against each one the rig offers. Each entry knows
// how to make a mailbox on its server, where Mailyard connects, and how another mail client gets
// in to read the server's own state back.
import { ImapFlow } from 'imapflow';
import { createMailUser, getRig, type MailUser } from '../rig/index.js';

export interface ImapServerUnderTest {
  name: string;
  /** a new, empty mailbox on this server */
  createUser(): Promise<MailUser>;
  /** where Mailyard connects (IMAPS) */
  endpoint(): { host: string; port: number };
  /** the server's path for a top-level folder of this name (namespace prefix, separator) */
  folder(name: string): string;
}

export const dovecot: ImapServerUnderTest = {
  name: 'dovecot',
  createUser: () => createMailUser(),
  endpoint: () => ({ host: getRig().imap.host, port: getRig().imap.tlsPort }),
  folder: (name) => name,
};

export const imapServers: readonly ImapServerUnderTest[] = [dovecot];

/** An IMAP client acting as the user's other mail program, on `server`. */
export async function otherClientOn(
  server: ImapServerUnderTest,
  user: MailUser,
  options: { qresync?: boolean } = {},
): Promise<ImapFlow> {
  const { host, port } = server.endpoint();
  const client = new ImapFlow({
    host,
    port,
    secure: true,
    auth: { user: user.email, pass: user.password },
    logger: false,
    disableAutoIdle: true,
    qresync: options.qresync ?? false,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
