import { DataList, Paper, Text } from '@mantine/core';
import type { User } from '../../shared/types.js';

export function PersonalInfoSection({ user }: { user: User }) {
  const rows: [string, string][] = [
    ['Name', user.name || '—'],
    ['Email', user.email],
    ['Role', user.role === 'admin' ? 'Administrator' : 'User'],
  ];
  return (
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
        An administrator can change your name, role or password.
      </Text>
    </Paper>
  );
}
