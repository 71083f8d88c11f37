#!/usr/bin/env node
'use strict';
// Launcher. CommonJS (bin/package.json says so): a CommonJS entry starts ~3 ms sooner than an ES module.
// Runs the one-file bundle dist/bundle/agent-team.cjs that `npm run build` makes (else the tsc output
// dist/cli/main.js). Node >= 22.1 caches compiled code itself (module.enableCompileCache); on older Node
// (20) this file keeps a V8 code cache of the bundle per command, which saves most of its compile time.
// Measurements: bench/README.md.
const Module = require('node:module');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'bundle', 'agent-team.cjs');

if (typeof Module.enableCompileCache === 'function') {
  Module.enableCompileCache();
  if (existsSync(bundle)) require(bundle);
  else import(require('node:url').pathToFileURL(join(__dirname, '..', 'dist', 'cli', 'main.js')).href);
} else if (existsSync(bundle)) {
  runWithCodeCache(bundle);
} else {
  import(require('node:url').pathToFileURL(join(__dirname, '..', 'dist', 'cli', 'main.js')).href);
}

/**
 * Compiles and runs the CommonJS file `file` as `require` would, with a V8 code cache read from and
 * written to `$NODE_COMPILE_CACHE` (default `<tmpdir>/node-compile-cache`)/agent-team/, one cache per
 * command word sequence (`workflow.state.start`), written after the first run of that command so it
 * holds the functions the command compiled. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as in Node 22.
 */
function runWithCodeCache(file) {
  const fs = require('node:fs');
  const { dirname } = require('node:path');
  const vm = require('node:vm');
  const source = fs.readFileSync(file, 'utf8');
  let cacheFile;
  let cached;
  if (process.env.NODE_DISABLE_COMPILE_CACHE !== '1') {
    const words = [];
    for (const arg of process.argv.slice(2)) {
      // command words only: ids (digits), files (dots, slashes) and options end the key
      if (words.length === 3 || !/^[a-z][a-z-]*$/.test(arg)) break;
      words.push(arg);
    }
    const st = fs.statSync(file);
    const dir = join(process.env.NODE_COMPILE_CACHE || join(require('node:os').tmpdir(), 'node-compile-cache'), 'agent-team');
    cacheFile = join(dir, `${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}-${words.join('.') || '_'}.cache`);
    try {
      cached = fs.readFileSync(cacheFile);
    } catch {
      cached = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData: cached,
    importModuleDynamically: vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cacheFile && (cached === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        fs.mkdirSync(dirname(cacheFile), { recursive: true });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, cacheFile);
      } catch {
        // the cache only saves time; without it the bundle still runs
      }
    });
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  mod.loaded = true;
  const fn = script.runInThisContext();
  fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
}
