import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/** A group of packages in node_modules, matched by their folder name. */
const packages = (...names: string[]) => new RegExp(`node_modules[\\\\/](${names.join('|')})[\\\\/]`);

/**
 * Vendor chunks: libraries change less often than our code, so each group is cached apart,
 * and the heavy ones only some screens use (charts, the rule builder) load with those screens.
 * Each page of app/screens.tsx is a chunk of its own (lazyPage). Rolldown's options (Vite 8):
 * build.rolldownOptions.output.codeSplitting.groups. A group takes the modules it matches and
 * everything they import, highest priority first; `$initial` marks what the first screen needs.
 */
const VENDOR_GROUPS = [
  { name: 'react', test: packages('react', 'react-dom', 'scheduler', 'react-router', 'cookie', 'set-cookie-parser'), priority: 40 },
  {
    name: 'mantine',
    test: packages(
      '@mantine',
      '@floating-ui',
      'react-remove-scroll',
      'react-remove-scroll-bar',
      'react-style-singleton',
      'use-callback-ref',
      'use-sidecar',
      'get-nonce',
      'react-number-format',
      'react-textarea-autosize',
      'clsx',
      'dayjs',
      'tslib',
    ),
    priority: 40,
  },
  // The rest of what every screen needs (i18next, TanStack Query, icons…), before the groups below
  // can take a shared dependency of theirs (use-sync-external-store) into a chunk loaded later.
  { name: 'vendor', test: /node_modules[\\/]/, tags: ['$initial' as const], priority: 30 },
  // TanStack Table (the lists) with its store; use-sync-external-store's selector is shared with
  // recharts' redux, so it is taken here, before charts would take it and the lists load charts.
  { name: 'tables', test: packages('@tanstack[\\\\/](?:react-table|table-core|react-store|store)', 'use-sync-external-store'), priority: 25 },
  // recharts and what it brings (d3, a redux store, immer): the history chart and the reports.
  { name: 'charts', test: packages('recharts', 'd3-[a-z-]+', 'victory-vendor', '@reduxjs', 'react-redux', 'redux', 'reselect', 'immer'), priority: 20 },
  { name: 'rule-builder', test: packages('react-querybuilder', '@react-querybuilder'), priority: 20 },
];

/** The web UI: built into dist/web, which `segmenta serve` serves at `/`. */
export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // The largest chunk (Mantine) is about 400 kB; warn well before the old single 1.5 MB bundle.
    chunkSizeWarningLimit: 500,
    rolldownOptions: {
      output: {
        codeSplitting: { groups: VENDOR_GROUPS },
      },
    },
  },
  server: {
    // `npm run dev:web` next to `segmenta serve` on 8080: the API is proxied.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
