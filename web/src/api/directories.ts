import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { apiGet } from './client';
import type { DirectoryItem, DirectoryName } from '../../../src/domain/directories/directory.schema';

export type { DirectoryItem, DirectoryName };

/** A reference book (regions, groups…): names to show instead of ids, options for filters. */
export function useDirectory(name: DirectoryName) {
  const query = useQuery({
    queryKey: ['directory', name],
    queryFn: ({ signal }) => apiGet<{ items: DirectoryItem[] }>(`/directories/${name}`, undefined, signal),
    staleTime: 5 * 60_000,
  });
  const items = query.data?.items;
  return useMemo(() => directoryView(items ?? []), [items]);
}

function directoryView(items: DirectoryItem[]) {
  const byId = new Map(items.map((item) => [item.id, item]));
  return {
    items,
    /** The name of an entry, or its id when the directory does not have it (or is loading). */
    nameOf: (id: string | null | undefined): string | null => (id ? (byId.get(id)?.name ?? id) : null),
    /** "Parent / Child" for entries of a hierarchy, so same-named regions can be told apart. */
    pathOf: (id: string): string => {
      const names: string[] = [];
      const seen = new Set<string>();
      for (let item = byId.get(id); item && !seen.has(item.id); item = item.parent ? byId.get(item.parent) : undefined) {
        seen.add(item.id);
        names.unshift(item.name);
      }
      return names.length ? names.join(' / ') : id;
    },
  };
}
