import { Stack, Text } from '@mantine/core';

/** A term's name and, under it, its id (what the API and CLI call it) — the first column of every terms list. */
export function TermNameCell({ name, id }: { name: string; id: string }) {
  return (
    <Stack gap={0} miw={180}>
      <Text size="sm" fw={600}>
        {name}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace">
        {id}
      </Text>
    </Stack>
  );
}
