#!/usr/bin/env node
'use strict';
// Launcher. Runs dist/bundle/agent-team.cjs, the one-file CommonJS bundle that `npm run build` makes
// (scripts/bundle.js), or dist/cli/main.js (the plain tsc output) when there is no bundle. A few large
// packages that only some commands use (execa, simple-git, chalk) are chunks of their own next to it,
// dist/bundle/chunk-<name>.cjs, which the bundle requires on first use.
//
// The compile cache, explained in this one place. Compiling the ~1 MB bundle would be a third of a
// command's start-up, so V8's compiled code is kept on disk and reused:
// - Node >= 22.1: `module.enableCompileCache()` makes Node's own loader do it (for the chunks too).
// - Node 20 has no such switch, so runWithCodeCache below compiles the bundle and each chunk itself with
//   V8's code cache (the public `vm.Script` `cachedData` API): one cache file per command
//   (`workflow.state.start`) and file, written after that command's first successful run so it also holds
//   the functions the command compiled.
// Both keep it under $NODE_COMPILE_CACHE (default <tmpdir>/node-compile-cache); Node 20's caches sit in
// a folder per installation, so several checkouts on one machine do not delete each other's.
// NODE_DISABLE_COMPILE_CACHE=1 turns both off. What it saves: `npm run bench`, bench/README.md.
const fs = require('node:fs');
const { basename, dirname, join } = require('node:path');
const nodeModule = require('node:module');

const bundle = join(__dirname, '..', 'dist', 'bundle', 'agent-team.cjs');
if (!fs.existsSync(bundle)) import(require('node:url').pathToFileURL(join(__dirname, '..', 'dist', 'cli', 'main.js')).href);
else if (typeof nodeModule.enableCompileCache === 'function') {
  nodeModule.enableCompileCache();
  require(bundle);
} else {
  const off = process.env.NODE_DISABLE_COMPILE_CACHE === '1';
  const root = off ? undefined : join(process.env.NODE_COMPILE_CACHE || join(require('node:os').tmpdir(), 'node-compile-cache'), 'agent-team', fnv1a(bundle));
  const command = commandWords().join('.') || '_';
  runWithCodeCache(bundle, root, command);
}

/**
 * Node 20: runs the CommonJS file `file` as `require` would and returns its exports, compiled from (and
 * into) the V8 code cache `<dir>/<build>-<command>.cache` (no cache when `dir` is undefined). Its
 * `require` loads the chunks next to it (`./chunk-<name>.cjs`) the same way, each with a cache folder of its own.
 */
function runWithCodeCache(file, dir, command) {
  const vm = require('node:vm');
  // One descriptor for stat and read, so the cache key describes the text compiled (builds replace the
  // files by rename). They are pure ASCII (scripts/bundle.js checks), so latin1 is exact, and faster.
  const fd = fs.openSync(file, 'r');
  const { size, mtimeMs, ino } = fs.fstatSync(fd);
  const source = fs.readFileSync(fd, 'latin1');
  fs.closeSync(fd);

  let cacheFile;
  let cached;
  if (dir !== undefined) {
    const build = `${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}-${ino}-`;
    cacheFile = join(dir, `${build}${command}.cache`);
    try {
      cached = fs.readFileSync(cacheFile);
    } catch {
      cached = undefined;
    }
    process.once('exit', (code) => {
      if (code !== 0 || (cached !== undefined && !script.cachedDataRejected)) return;
      try {
        fs.mkdirSync(dir, { recursive: true });
        // caches of this file's earlier builds (under this Node version) are dead weight
        for (const name of fs.readdirSync(dir)) if (name.startsWith(`${process.version}-`) && !name.startsWith(build)) fs.rmSync(join(dir, name), { force: true });
        fs.writeFileSync(`${cacheFile}.${process.pid}.tmp`, script.createCachedData());
        fs.renameSync(`${cacheFile}.${process.pid}.tmp`, cacheFile);
      } catch {
        // the cache only saves time
      }
    });
  }
  // the wrapper Node's own loader puts around a CommonJS module
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  const mod = { exports: {}, filename: file, id: '.', loaded: true };
  const plain = nodeModule.createRequire(file);
  const chunks = new Map();
  const requireHere = Object.assign((id) => {
    if (!/^\.\/chunk-[a-z-]+\.cjs$/.test(id)) return plain(id);
    if (!chunks.has(id)) chunks.set(id, runWithCodeCache(join(dirname(file), id), dir === undefined ? undefined : join(dir, basename(id, '.cjs')), command));
    return chunks.get(id);
  }, plain);
  script.runInThisContext().call(mod.exports, mod.exports, requireHere, mod, file, dirname(file));
  return mod.exports;
}

/** FNV-1a hash of `text` as 8 hex digits: names an installation's cache folder (node:crypto would cost ~2 ms). */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The command words of argv (`workflow state start`, `worker open`): up to 3 after `workflow state`, else 2. */
function commandWords() {
  const words = [];
  for (const arg of process.argv.slice(2)) {
    if (!/^[a-z][a-z-]*$/.test(arg) || words.length === (words[1] === 'state' ? 3 : 2)) break;
    words.push(arg);
  }
  return words;
}
