import { Skeleton, Stack } from '@mantine/core';
import { lazy, Suspense, type ComponentType } from 'react';

/** What a page shows while its code loads: the outline of a page (title, then content). */
function PageLoading() {
  return (
    <Stack gap="md" data-testid="page-loading" aria-busy="true">
      <Skeleton height={32} width="40%" />
      <Skeleton height={14} width="60%" />
      <Skeleton height={320} radius="md" />
    </Stack>
  );
}

/**
 * A page whose code is loaded when it is first shown (its own chunk, so the first screen does
 * not wait for every other one), with a page-shaped placeholder meanwhile.
 *
 * @example
 * const SegmentsListPage = lazyPage(() => import('../screens/segments/SegmentsListPage'), 'SegmentsListPage');
 * // <SegmentsListPage /> as before
 */
export function lazyPage<Name extends string>(load: () => Promise<Record<Name, ComponentType>>, name: Name): ComponentType {
  const Page = lazy(async (): Promise<{ default: ComponentType }> => ({ default: (await load())[name] }));
  function LazyPage() {
    return (
      <Suspense fallback={<PageLoading />}>
        <Page />
      </Suspense>
    );
  }
  LazyPage.displayName = `Lazy(${name})`;
  return LazyPage;
}
