import { DataList, Paper, Stack, Text } from '@mantine/core';
import type { User } from '../../shared/types.js';
import { ChangeOwnPasswordForm } from './ChangeOwnPasswordForm.js';

export function PersonalInfoSection({ user }: { user: User }) {
  const rows: [string, string][] = [
    ['Name', user.name || '—'],
    ['Email', user.email],
    ['Role', user.role === 'admin' ? 'Administrator' : 'User'],
  ];
  return (
    <Stack gap="lg">
      <Paper withBorder p="lg">
        <DataList withDivider labelWidth={140}>
          {rows.map(([label, value]) => (
            <DataList.Item key={label}>
              <DataList.ItemLabel>{label}</DataList.ItemLabel>
              <DataList.ItemValue>{value}</DataList.ItemValue>
            </DataList.Item>
          ))}
        </DataList>
        <Text c="dimmed" size="xs" mt="md">
          An administrator can change your name or role.
        </Text>
      </Paper>
      <ChangeOwnPasswordForm />
    </Stack>
  );
}
