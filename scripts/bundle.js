// Bundles the CLI into one CommonJS file, dist/bundle/agent-team.cjs, run by bin/agent-team.js (whose
// header says what the compile cache does on Node 20 and 22). Why one file (measured with `npm run bench`,
// bench/README.md): Node 20 spends ~45 ms resolving, reading and compiling the ~150 ES modules of dist/
// and node_modules on every command, and only a CommonJS file can be compiled from a code cache there.
// Handlers stay lazy: esbuild turns each `import('../handlers/x.js')` into a function that initialises
// that part of the bundle on first call. `tsc` still emits dist/ (type-check, and the fallback entry).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

/**
 * Built-in modules that Node does not load at start-up and that cost real time to load (child_process
 * pulls net, stream and dgram; crypto a dozen internal modules). Every import of one of them gets a
 * stand-in whose exports are getters that load the real module on first use: commander requires
 * child_process only for executable subcommands (unused), crypto is needed only when a file is
 * hashed or written, os only for paths under the home folder, and so on. Semantics are unchanged
 * (same values, loaded a little later); assigning to a built-in's exports through the stand-in is
 * not supported (nothing here monkey-patches these modules).
 */
const LAZY_BUILTINS = ['child_process', 'crypto', 'os', 'tty', 'net', 'readline', 'readline/promises', 'stream', 'stream/promises', 'worker_threads', 'zlib', 'http', 'https', 'dns', 'assert', 'perf_hooks', 'async_hooks', 'v8', 'fs/promises', 'timers/promises', 'string_decoder', 'dgram'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.map((m) => m.replace('/', '\\/')).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy-builtin' ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const keys = Object.keys(require(args.path)).filter((k) => k !== 'default');
      const props = keys.map((k) => `${JSON.stringify(k)}: { enumerable: true, get: () => load()[${JSON.stringify(k)}] }`).join(',\n');
      return {
        contents: `let real;\nconst load = () => (real ??= require(${JSON.stringify(`node:${args.path}`)}));\nmodule.exports = Object.defineProperties({}, {\n${props}\n});\n`,
        loader: 'js',
      };
    });
  },
};

/**
 * `debug`, the logger simple-git (and its @kwsites/file-exists) write through. Each logger it makes asks
 * whether stderr is a terminal (`tty.isatty(process.stderr.fd)`), which loads tty and builds stderr's
 * stream: ~1.5 ms of every command that runs git (`state next`, measured). It logs only when DEBUG is set,
 * and reads DEBUG once, when loaded; so the bundle hands out the real `debug` when DEBUG is set at start,
 * and otherwise a stand-in with its API whose loggers are off (nothing here calls `debug.enable()`).
 */
const quietDebug = {
  name: 'quiet-debug',
  setup(b) {
    const real = createRequire(require.resolve('simple-git')).resolve('debug'); // simple-git's own dependency, as it resolves it
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'quiet-debug' }));
    b.onLoad({ filter: /.*/, namespace: 'quiet-debug' }, () => ({
      contents: `function quiet(namespace) {
  const log = () => {};
  return Object.assign(log, { namespace, enabled: false, useColors: false, color: 0, diff: 0, log, destroy() {}, extend: (sub, delimiter = ':') => quiet(namespace + delimiter + sub) });
}
Object.assign(quiet, { debug: quiet, default: quiet, formatters: {}, names: [], skips: [], enable() {}, disable: () => '', enabled: () => false, coerce: (v) => v, selectColor: () => 0, destroy() {} });
module.exports = process.env.DEBUG ? require(${JSON.stringify(real)}) : quiet;
`,
      loader: 'js',
      resolveDir: dirname(real),
    }));
  },
};

/**
 * Dependencies that only cold commands use, left out of the bundle and loaded from node_modules by Node
 * when first imported: prompts (`create` and `worker delete` on a terminal; they pull in iconv-lite, half a
 * megabyte) and the MCP SDK (`agent-team mcp`, a long-running server, with ajv). Every command reads, and
 * runs the top level of, the whole bundle, so these ~1 MB cost each `validate` or transition ~2.5 ms
 * (measured with `BENCH_ONLY=startup node bench/bench.js`). execa stays in: every tmux call goes through
 * it (`state next`, `worker …`), and Node 20 would load its ~40 ES modules without a code cache.
 * Their `import()` goes through IMPORTER (below): code that bin/agent-team.js compiles from a V8 code cache
 * on Node 20 (`vm.Script`) has no working `import()` ("A dynamic import callback was not specified").
 */
const COLD_PACKAGES = ['@inquirer/prompts', '@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*'];

/** A real CommonJS module next to the bundle, loaded by Node itself, that imports ES modules for it. */
const IMPORTER = 'dist/bundle/import.cjs';
const IMPORTER_TEXT = `'use strict';
// Imports a package left out of dist/bundle/agent-team.cjs (scripts/bundle.js, COLD_PACKAGES) for it:
// on Node 20 the bundle is compiled by vm.Script, whose code cannot call import() itself.
module.exports = (specifier) => import(specifier);
`;

const OUT = 'dist/bundle/agent-team.cjs';
/** What is in the bundle: bytes per input file (esbuild's metafile), for maintainers and test/cli/startup.e2e.test.ts. */
const INPUTS = 'dist/bundle/agent-team.inputs.json';
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * Packages that only some commands use and that are large (~530 KB of ~1.4 MB with their dependencies):
 * each is bundled into a chunk of its own, dist/bundle/chunk-<name>.cjs, which the bundle requires on
 * first use; bin/agent-team.js compiles a chunk with a code cache like the bundle. Every command reads,
 * and deserialises the code cache of, the whole bundle, so leaving them out saves `validate`, `state
 * show` and transitions ~2–3 ms CPU each (bench/README.md); the commands that use them read one more file.
 * - `execa`, `simple-git`, `chalk` are only ever imported with `await import()`: the chunk is required there.
 * - `yaml` is imported statically by src/store/yaml-file.ts, but used only for `file:line:col` in messages
 *   and for writing templates and configs: its stand-in in the bundle has the package's exports as getters
 *   that require the chunk on first use (as the lazy built-ins above do).
 */
const CHUNKS = ['execa', 'simple-git', 'chalk'];
const LAZY_CHUNKS = ['yaml'];
const chunks = {
  name: 'chunks',
  setup(b) {
    // `import('execa')` → a module of the bundle that requires the chunk (a dynamic import of an external
    // file would stay an import(), which code compiled by vm.Script cannot run on Node 20)
    b.onResolve({ filter: new RegExp(`^(${[...CHUNKS, ...LAZY_CHUNKS].join('|')})$`) }, (args) => ({ path: args.path, namespace: 'chunk' }));
    b.onLoad({ filter: /.*/, namespace: 'chunk' }, (args) => {
      const file = JSON.stringify(`./chunk-${args.path}.cjs`);
      if (!LAZY_CHUNKS.includes(args.path)) return { contents: `module.exports = require(${file});`, loader: 'js' };
      const props = Object.keys(require(args.path)).map((k) => `${JSON.stringify(k)}: { enumerable: true, get: () => load()[${JSON.stringify(k)}] }`);
      return { contents: `let real;\nconst load = () => (real ??= require(${file}));\nmodule.exports = Object.defineProperties({}, {\n${props.join(',\n')}\n});\n`, loader: 'js' };
    });
    b.onResolve({ filter: /^\.\/chunk-/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** esbuild options shared by the bundle and its chunks. */
const common = {
  write: false, // written below by rename, so a CLI started during a build never reads half a file
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The bundle sits two folders deep (dist/bundle/), like every dist/<dir>/<file>.js, so the
  // `new URL('../../presets/', import.meta.url)` lookups keep working.
  // The version is inlined (src/cli/program.ts), so no command reads package.json.
  define: { 'import.meta.url': '__bundle_url', AGENT_TEAM_VERSION: JSON.stringify(version) },
  banner: { js: "const __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  external: COLD_PACKAGES,
  // No comments or indentation: a third of the bytes to read on every start. Names are kept (no
  // identifier mangling), so error names and stack frames still read as in the sources.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  charset: 'ascii',
  logLevel: 'warning',
  metafile: true,
};

/**
 * The text of one output as bytes, checked: every import() of a cold package goes through IMPORTER, and
 * no other import() may be left (esbuild turns those of our own modules into calls that initialise that
 * part of the bundle); pure ASCII, as the launcher reads it as latin1 (faster than UTF-8 decoding).
 */
function checked(out, text) {
  for (const pkg of COLD_PACKAGES.filter((p) => !p.endsWith('*'))) text = text.replaceAll(`import(${JSON.stringify(pkg)})`, `require("./import.cjs")(${JSON.stringify(pkg)})`);
  const stray = /[^\w$.]import\(/.exec(text);
  if (stray) throw new Error(`${out} would call import() itself at offset ${stray.index} (${text.slice(stray.index, stray.index + 60)}); add the package to COLD_PACKAGES or bundle it`);
  const bytes = Buffer.from(text, 'utf8');
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at !== -1) throw new Error(`${out} would have a non-ASCII byte at offset ${at}; the launcher reads it as latin1`);
  return bytes;
}

/** Writes `bytes` to `out` through a temp file and a rename. */
function replace(out, bytes) {
  const temp = `${out}.${process.pid}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, out);
}

const result = await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: OUT, plugins: [lazyBuiltins, quietDebug, chunks] });
const outputs = [[OUT, checked(OUT, result.outputFiles[0].text)]];
for (const name of [...CHUNKS, ...LAZY_CHUNKS]) {
  const out = join(dirname(OUT), `chunk-${name}.cjs`);
  const chunk = await build({ ...common, stdin: { contents: `export * from '${name}';`, resolveDir: process.cwd(), sourcefile: `chunk-${name}.js` }, outfile: out, plugins: [lazyBuiltins, quietDebug] });
  outputs.push([out, checked(out, chunk.outputFiles[0].text)]);
}

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(IMPORTER, IMPORTER_TEXT); // first: a bundle is never there without it
writeFileSync(INPUTS, `${JSON.stringify(Object.fromEntries(Object.entries(Object.values(result.metafile.outputs)[0].inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput])), null, 1)}\n`);
// the chunks before the bundle that requires them
for (const [out, bytes] of outputs.slice(1)) replace(out, bytes);
replace(OUT, outputs[0][1]);
