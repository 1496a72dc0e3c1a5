import { navigate } from '../../app/router.js';
import { AccountsPage } from './AccountsPage.js';
import { accountPath } from './EmailAccountsList.js';
import { NewAccountWizard } from './NewAccountWizard.js';

// Opened from a bookmark there is nowhere to go back to; the mailbox settings are.
function goBack() {
  if (window.history.length > 1) window.history.back();
  else navigate('/accounts');
}

/** `#/accounts/new`: the "New email account" window over the mailbox settings. */
export function NewAccountPage() {
  return (
    <>
      <AccountsPage />
      <NewAccountWizard
        onClose={goBack}
        onOpenSettings={(account) => navigate(accountPath(account.id), { replace: true })}
      />
    </>
  );
}
