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

/** os.tmpdir() without loading node:os (not loaded at start-up on Node 20): same rules on POSIX. */
function tmpdir() {
  if (process.platform === 'win32') return require('node:os').tmpdir();
  const dir = process.env.TMPDIR || process.env.TMP || process.env.TEMP || '/tmp';
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
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
  // One open file for the stat and the read, so the cache key describes exactly the text compiled (the
  // build replaces the bundle by rename). Pure ASCII (scripts/bundle.js checks), so latin1 is exact and
  // much faster than UTF-8 decoding.
  const fd = fs.openSync(file, 'r');
  const st = fs.fstatSync(fd);
  const source = fs.readFileSync(fd, 'latin1');
  fs.closeSync(fd);
  let cacheFile;
  let cached;
  let dir;
  let stamp;
  if (process.env.NODE_DISABLE_COMPILE_CACHE !== '1') {
    // The command words: `workflow state start`, `worker open`, `--version` → `_`. Names and ids that
    // follow (`worker create <role>`) are not part of the key, so the cache files stay few.
    const words = [];
    for (const arg of process.argv.slice(2)) {
      if (!/^[a-z][a-z-]*$/.test(arg) || words.length === (words[1] === 'state' ? 3 : 2)) break;
      words.push(arg);
    }
    dir = join(process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache'), 'agent-team');
    stamp = `${process.version}-${process.arch}-${st.size}-${Math.trunc(st.mtimeMs)}-${st.ino}-`;
    cacheFile = join(dir, `${stamp}${words.join('.') || '_'}.cache`);
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
        fs.mkdirSync(dir, { recursive: true });
        // caches of earlier builds are dead weight: remove them
        for (const name of fs.readdirSync(dir)) if (name.startsWith(`${process.version}-`) && !name.startsWith(stamp)) fs.rmSync(join(dir, name), { force: true });
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
