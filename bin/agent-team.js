#!/usr/bin/env node
'use strict';
// Launcher: runs dist/bundle/agent-team.cjs, the one-file CommonJS bundle `npm run build` makes
// (scripts/bundle.js), or the unbundled tsc output dist/cli/main.js when there is no bundle.
//
// The compile cache, the one place it is explained: compiling the ~2 MB bundle is most of a command's
// start-up. Node >= 22.1 keeps compiled code on disk itself once `module.enableCompileCache()` is called.
// Node 20 has no such switch, so there this file compiles the bundle with a V8 code cache through the
// public `vm.Script` `cachedData` API, one cache file per command (`workflow.state.start`), written after
// that command's first run so it also holds the functions the command compiled, in a folder of its own per
// installation (several installations share a machine; one must not delete another's cache). Both keep
// the cache in $NODE_COMPILE_CACHE, default <tmpdir>/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1
// turns both off.
// What it saves is measured by `npm run bench` (bench/README.md).
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'bundle', 'agent-team.cjs');
const nodeModule = require('node:module');

if (!existsSync(bundle)) import(require('node:url').pathToFileURL(join(__dirname, '..', 'dist', 'cli', 'main.js')).href);
else if (typeof nodeModule.enableCompileCache === 'function') {
  nodeModule.enableCompileCache();
  require(bundle);
} else runWithCodeCache(bundle);

/** Node 20: compiles and runs the CommonJS file `file` as `require` would, with a V8 code cache (see above). */
function runWithCodeCache(file) {
  const fs = require('node:fs');
  const vm = require('node:vm');
  const { dirname } = require('node:path');
  // Stat and read through one descriptor, so the cache key describes the text compiled (the build
  // replaces the bundle by rename). The bundle is pure ASCII (scripts/bundle.js checks): latin1 is exact
  // and several ms faster than UTF-8 for 2 MB.
  const fd = fs.openSync(file, 'r');
  const { size, mtimeMs, ino } = fs.fstatSync(fd);
  const source = fs.readFileSync(fd, 'latin1');
  fs.closeSync(fd);

  let cacheFile;
  let cached;
  if (process.env.NODE_DISABLE_COMPILE_CACHE !== '1') {
    const dir = join(process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache'), 'agent-team', fnv1a(file));
    const build = `${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}-${ino}-`;
    cacheFile = join(dir, `${build}${commandWords().join('.') || '_'}.cache`);
    try {
      cached = readFileSync(cacheFile);
    } catch {
      cached = undefined;
    }
    process.once('exit', () => {
      if (cached !== undefined && !script.cachedDataRejected) return;
      try {
        fs.mkdirSync(dir, { recursive: true });
        // caches of this installation's earlier builds are dead weight
        for (const name of fs.readdirSync(dir)) if (name.startsWith(`${process.version}-`) && !name.startsWith(build)) fs.rmSync(join(dir, name), { force: true });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, cacheFile);
      } catch {
        // the cache only saves time; without it the bundle still runs
      }
    });
  }
  // The CommonJS wrapper, as Node's own loader puts around a module's text.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  const mod = { exports: {}, filename: file, id: '.', loaded: true };
  script.runInThisContext().call(mod.exports, mod.exports, nodeModule.createRequire(file), mod, file, dirname(file));
}

/** FNV-1a hash of `text` as 8 hex digits: names an installation's cache folder (node:crypto costs start-up time). */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The command words of argv (`workflow state start`, `worker open`), without the names and ids after them. */
function commandWords() {
  const words = [];
  for (const arg of process.argv.slice(2)) {
    if (!/^[a-z][a-z-]*$/.test(arg) || words.length === (words[1] === 'state' ? 3 : 2)) break;
    words.push(arg);
  }
  return words;
}

/** os.tmpdir() without loading node:os (not loaded at start-up on Node 20), same rules on POSIX. */
function tmpdir() {
  if (process.platform === 'win32') return require('node:os').tmpdir();
  const dir = process.env.TMPDIR || process.env.TMP || process.env.TEMP || '/tmp';
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}
