import { Button, CloseButton, FileButton, Group, Paper, Stack, Text } from '@mantine/core';
import { IconPaperclip } from '@tabler/icons-react';
import { useState, type DragEvent } from 'react';
import { formatSize } from '../inbox/format.js';

export interface PickedFile {
  key: string;
  file: File;
}

/** The files to attach: picked with a button or dropped on the area. */
export function AttachmentsField({
  files,
  locked,
  onAdd,
  onRemove,
}: {
  files: PickedFile[];
  locked: boolean;
  onAdd: (files: File[] | FileList | null) => void;
  onRemove: (key: string) => void;
}) {
  const [dragging, setDragging] = useState(false);
  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    onAdd(event.dataTransfer.files);
  };
  return (
    <Paper
      withBorder
      p="sm"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
      style={{ borderStyle: 'dashed', background: dragging ? 'var(--mantine-color-blue-light)' : undefined }}
      aria-label="Attachments"
      role="region"
    >
      <Stack gap="xs">
        <Group>
          <FileButton onChange={(picked) => onAdd(picked)} multiple disabled={locked}>
            {(props) => (
              <Button variant="default" leftSection={<IconPaperclip size={16} />} {...props}>
                Add attachments
              </Button>
            )}
          </FileButton>
          <Text size="sm" c="dimmed">
            or drop files here
          </Text>
        </Group>
        {files.map(({ key, file }) => (
          <Group key={key} gap="xs">
            <Text size="sm">
              {file.name} ({formatSize(file.size)})
            </Text>
            {!locked && (
              <CloseButton aria-label={`Remove ${file.name}`} size="sm" onClick={() => onRemove(key)} />
            )}
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
