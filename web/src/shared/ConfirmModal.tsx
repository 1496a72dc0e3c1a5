import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { errorMessage } from './api.js';

interface ConfirmModalProps {
  /** Defaults to open: mount it only while asking (see below). */
  opened?: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/**
 * A destructive action's last question; stays open and shows the error if the action fails.
 * Prefer mounting it only while asking (`{target && <ConfirmModal/>}`): a modal kept mounted with
 * `opened={false}` renders its closing animation with the target already cleared.
 */
export function ConfirmModal({
  opened = true,
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
}: ConfirmModalProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // A modal kept mounted (the `opened` pattern) must not show the last attempt's error next time.
  const close = () => {
    setError(null);
    onClose();
  };

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setBusy(false);
      close();
    } catch (reason) {
      setError(reason);
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={title} centered>
      <Stack>
        <Text size="sm" component="div">
          {children}
        </Text>
        {error !== null && (
          <Alert color="red" variant="light">
            {errorMessage(error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
