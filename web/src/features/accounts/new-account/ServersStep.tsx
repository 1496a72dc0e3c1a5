import { Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import type { Provider } from '../../providers/providers.api.js';

/** "Add New Server": the providers there are, and Add. */
export function ServersStep({
  providers,
  onAdd,
  onBack,
}: {
  providers: Provider[];
  onAdd: () => void;
  onBack: () => void;
}) {
  return (
    <Stack>
      <Group justify="space-between">
        <Text fw={500}>Email providers</Text>
        <Button onClick={onAdd}>Add</Button>
      </Group>
      <Paper withBorder>
        <Table aria-label="Email providers">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Inbound mail server (IMAP)</Table.Th>
              <Table.Th>Outgoing mail server (SMTP)</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {providers.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>{p.imap.host}</Table.Td>
                <Table.Td>{p.smtp.host}</Table.Td>
              </Table.Tr>
            ))}
            {providers.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={3}>
                  <Text size="sm" c="dimmed">
                    No providers yet.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
      <Group justify="flex-end">
        <Button variant="default" onClick={onBack}>
          Back
        </Button>
      </Group>
    </Stack>
  );
}
