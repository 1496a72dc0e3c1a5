import { Checkbox, Stack, Text } from '@mantine/core';

/** "Add signature", with a preview of the signature's text while it is on. */
export function SignatureField({
  signature,
  checked,
  onChange,
  disabled,
}: {
  signature: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled: boolean;
}) {
  return (
    <Stack gap={4}>
      <Checkbox
        label="Add signature"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
        disabled={disabled}
      />
      {checked && (
        <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }} aria-label="Signature preview">
          {`-- \n${signature}`}
        </Text>
      )}
    </Stack>
  );
}
