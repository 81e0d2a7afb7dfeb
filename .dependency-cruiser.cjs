/**
 * The import-cycle check (`npm run cycles`): no module may reach itself through runtime imports.
 * Type-only imports (`import type`) vanish when TypeScript compiles, so they may point both ways.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-runtime-cycle',
      severity: 'error',
      comment: 'A runtime import cycle: modules that import each other load half-initialised. Move what both need into a third module, or import types only.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)node_modules/', '^dist/'] },
    // Parse TypeScript itself, so `import type` is seen (and told apart) instead of compiled away.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] },
  },
};
