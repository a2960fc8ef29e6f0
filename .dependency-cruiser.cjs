/**
 * The layers of src/ and the rules between them (docs/ARCHITECTURE.md, "Code layout"), checked
 * by test/unit/dependencies.test.ts with dependency-cruiser. A file imports only from its own
 * layer and the layers below it, nothing imports in a cycle, and no registry imports another.
 * Type-only imports count: a type from a higher layer ties the lower one to it as much as a value.
 * There is no exception list: code that would need one belongs in another layer.
 */

/** Bottom to top; each entry is the paths of one layer. */
const LAYERS = [
  { name: 'core', path: '^src/core/' },
  { name: 'store', path: '^src/store/' },
  { name: 'net', path: '^src/net/' },
  { name: 'services', path: '^src/services/' },
  { name: 'edges', path: '^src/edges/' },
  { name: 'root', path: '^src/(node\\.ts$|wiring/)' },
  { name: 'programs', path: '^src/(cli|demo)/' }
]

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer.name}-imports-only-down`,
  comment: `${layer.name} imports only from itself and the layers below it (${LAYERS.slice(0, i).map((l) => l.name).join(', ') || 'none'})`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((l) => l.path) }
}))

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-cycle',
      comment: 'no file reaches itself through its imports',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    {
      name: 'registries-independent',
      comment: 'no registry imports another (each talks to the others over the network only)',
      severity: 'error',
      from: { path: '^src/services/registry/([^/]+)/' },
      to: { path: '^src/services/registry/', pathNot: '^src/services/registry/$1/' }
    },
    {
      name: 'in-a-layer',
      comment: 'every source file is in a layer',
      severity: 'error',
      from: { path: '^src/', pathNot: [...LAYERS.map((l) => l.path), '^src/core/gen/'] },
      to: {}
    }
  ],
  options: {
    // typescript 7.0 has no compiler API that dependency-cruiser can use; swc parses TypeScript
    // and reports type-only imports too.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/core/gen/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] }
  }
}
