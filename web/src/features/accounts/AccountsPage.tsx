import { PageHeader } from '../../shared/PageHeader.js';
import { EmailAccountsList } from './EmailAccountsList.js';

/** "Go to mailbox settings" lands here. */
export function AccountsPage() {
  return (
    <>
      <PageHeader title="Mailbox settings" description="Connect, check and manage your email accounts." />
      <EmailAccountsList />
    </>
  );
}
