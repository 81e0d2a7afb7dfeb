import { Skeleton, Stack } from '@mantine/core';
import { lazy, Suspense, type Attributes, type ComponentType } from 'react';

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

/** The props of a module's export, when it is a component. */
type PropsOf<T> = T extends ComponentType<infer P> ? P : never;

/**
 * A page whose code is loaded when it is first shown (its own chunk, so the first screen does
 * not wait for every other one), with a page-shaped placeholder meanwhile. The page keeps its
 * props.
 *
 * @example
 * const SegmentsListPage = lazyPage(() => import('../screens/segments/SegmentsListPage'), 'SegmentsListPage');
 * // <SegmentsListPage /> as before; a page with props: <AnalyticsPage tab="rfm" />
 */
export function lazyPage<Module, Name extends keyof Module & string>(load: () => Promise<Module>, name: Name): ComponentType<PropsOf<Module[Name]>> {
  type Props = PropsOf<Module[Name]>;
  const Page = lazy(async () => ({ default: (await load())[name] as ComponentType<Props> }));
  function LazyPage(props: Props) {
    return (
      <Suspense fallback={<PageLoading />}>
        <Page {...(props as Props & Attributes)} />
      </Suspense>
    );
  }
  LazyPage.displayName = `Lazy(${name})`;
  return LazyPage;
}
