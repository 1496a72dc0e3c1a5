// The connection test as a checklist: each step of IMAP and SMTP with ✓/✗, its timing, what it
// found and, for a failure, what went wrong and what to change. Test credentials are optional:
// without them the test stops before signing in.
import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Paper,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { IconCheck, IconMinus, IconPlugConnected, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage, fieldErrorsOf } from '../../../shared/api.js';
import { diagnosisApi, stepSummary, type ConnectionTest, type DiagnosisStep } from './diagnosis.api.js';

const STATUS_STYLE = {
  ok: { color: 'teal', icon: <IconCheck size={14} /> },
  failed: { color: 'red', icon: <IconX size={14} /> },
  skipped: { color: 'gray', icon: <IconMinus size={14} /> },
} as const;

function StepItem({ step }: { step: DiagnosisStep }) {
  const style = STATUS_STYLE[step.status];
  return (
    <List.Item
      icon={
        <ThemeIcon
          color={style.color}
          size={22}
          radius="xl"
          variant={step.status === 'skipped' ? 'light' : 'filled'}
        >
          {style.icon}
        </ThemeIcon>
      }
    >
      <Text size="sm" fw={500}>
        {stepSummary(step)}
      </Text>
      {step.error && (
        <Text size="sm" c="red" data-error-code={step.error.code}>
          {step.error.explanation}
        </Text>
      )}
      {step.detail && (
        <Text size="xs" c="dimmed" style={{ wordBreak: 'break-word' }}>
          {step.detail}
        </Text>
      )}
    </List.Item>
  );
}

function ProtocolResult({ title, result }: { title: string; result: ConnectionTest['imap'] }) {
  const skipped = result.steps.every((s) => s.status === 'skipped');
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="sm">
        <Title order={4}>{title}</Title>
        <Badge color={skipped ? 'gray' : result.ok ? 'teal' : 'red'} variant="light">
          {skipped ? 'Not tested' : result.ok ? 'Works' : 'Failed'}
        </Badge>
      </Group>
      <List spacing="xs" aria-label={`${title} connection test`} listStyleType="none">
        {result.steps.map((step) => (
          <StepItem key={step.step} step={step} />
        ))}
      </List>
    </Paper>
  );
}

export function ConnectionTestPanel({ providerId }: { providerId: string }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<ConnectionTest | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);

  async function run() {
    setRunning(true);
    setError(null);
    try {
      const credentials = login.trim() || password ? { login: login.trim(), password } : {};
      setResult(await diagnosisApi.test(providerId, credentials));
    } catch (reason) {
      setResult(null);
      setError(reason);
    } finally {
      setRunning(false);
    }
  }

  return (
    <Stack gap="md">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Checks DNS, the connection, TLS and what the servers offer. Enter a mailbox’s login and password
            to check signing in too; they are used once and not stored.
          </Text>
          <Group align="flex-end" gap="sm">
            <TextInput
              label="Test login"
              placeholder="jane@example.com"
              autoComplete="off"
              value={login}
              onChange={(e) => setLogin(e.currentTarget.value)}
              error={fields.login}
              w={260}
            />
            <PasswordInput
              label="Test password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fields.password}
              w={220}
            />
            <Button type="submit" leftSection={<IconPlugConnected size={16} />} loading={running}>
              Test connection
            </Button>
          </Group>
        </Stack>
      </form>
      {error !== null && Object.keys(fields).length === 0 && (
        <Alert color="red" variant="light" title="The test could not run">
          {errorMessage(error)}
        </Alert>
      )}
      {result && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" aria-live="polite">
          <ProtocolResult title="Inbound mail (IMAP)" result={result.imap} />
          <ProtocolResult title="Outgoing mail (SMTP)" result={result.smtp} />
        </SimpleGrid>
      )}
    </Stack>
  );
}
