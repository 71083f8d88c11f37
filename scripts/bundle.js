// Bundles the CLI into one CommonJS file, dist/bundle/agent-team.cjs, run by bin/agent-team.js.
// Why (measured with `npm run bench`, see bench/README.md): Node 20 spends ~45 ms resolving, reading
// and compiling the ~150 ES modules of dist/ + node_modules on every command; one CommonJS file can be
// compiled from a V8 code cache (the launcher keeps one), which ES modules cannot on Node 20.
// Handlers stay lazy: esbuild turns each `import('../handlers/x.js')` into a function that evaluates that
// part of the bundle on first call. `tsc` still emits dist/ (type-check and the fallback entry).
import { build } from 'esbuild';

/**
 * commander requires node:child_process at load time, only to run executable subcommands (which we do
 * not use); child_process pulls net, stream and dgram. Give commander a getter that loads it on use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let real; module.exports = { get spawn() { return (real ??= require('node:child_process')).spawn; } };",
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/bundle/agent-team.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The bundle sits two folders deep (dist/bundle/), like every dist/<dir>/<file>.js, so the
  // `new URL('../../presets/', import.meta.url)` lookups keep working.
  define: { 'import.meta.url': '__bundle_url' },
  banner: { js: "const __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcessForCommander],
  legalComments: 'none',
  logLevel: 'warning',
});
