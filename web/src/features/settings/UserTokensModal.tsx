import { Alert, Modal, Stack, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { errorMessage } from '../../shared/api.js';
import type { User } from '../../shared/types.js';
import { useApiData } from '../../shared/useApiData.js';
import { RevokeTokenModal, TokensTable } from '../profile/ApiTokensSection.js';
import type { ApiToken } from '../profile/tokens.api.js';
import { usersApi } from './users.api.js';

/** An admin's view of a user's API tokens: what integrations act as them, and revoking one. */
export function UserTokensModal({ user, onClose }: { user: User; onClose: () => void }) {
  const load = useCallback((signal: AbortSignal) => usersApi.tokens(user.id, signal), [user.id]);
  const tokens = useApiData(load);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  return (
    <>
      <Modal opened onClose={onClose} title={`API tokens of ${user.email}`} size="lg" centered>
        <Stack gap="sm">
          <Text c="dimmed" size="sm">
            Integrations using these tokens act as {user.name || user.email}. Setting a new password for them
            revokes all of them.
          </Text>
          {tokens.error !== null ? (
            <Alert color="red" variant="light">
              {errorMessage(tokens.error)}
            </Alert>
          ) : (
            <TokensTable items={tokens.data?.items} loading={tokens.loading} onRevoke={setRevoking} />
          )}
        </Stack>
      </Modal>
      {revoking && (
        <RevokeTokenModal
          token={revoking}
          revoke={() => usersApi.revokeToken(user.id, revoking.id)}
          onClose={() => setRevoking(null)}
          onRevoked={tokens.reload}
        />
      )}
    </>
  );
}
