/** bin/agent-team.js and the bundle: the version is inlined, and the Node 20 code cache is kept per command. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/repo.js';
import '../workflow/fresh-build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const tmp = tempDir('agent-team-launcher-');
afterAll(() => tmp.cleanup());

/** A copy of the installed layout without package.json: bin/ and dist/bundle/ (the bundle and its chunks) only. */
function installCopy(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'dist', 'bundle'), { recursive: true });
  for (const f of ['agent-team.js', 'package.json']) copyFileSync(join(ROOT, 'bin', f), join(dir, 'bin', f));
  for (const f of readdirSync(join(ROOT, 'dist/bundle')).filter((f) => f.endsWith('.cjs'))) copyFileSync(join(ROOT, 'dist/bundle', f), join(dir, 'dist/bundle', f));
  return dir;
}

function run(dir: string, args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'agent-team.js'), ...args], {
    cwd: tmp.dir,
    env: { ...process.env, NO_COLOR: '1', NODE_DISABLE_COMPILE_CACHE: undefined, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('launcher', () => {
  it('the bundle knows its version without reading package.json', () => {
    const dir = installCopy('no-package-json');
    const r = run(dir, ['--version', '--json'], { NODE_COMPILE_CACHE: join(tmp.dir, 'cache-version') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, version: VERSION });
  });

  const node20 = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache !== 'function';
  it.runIf(node20)('Node 20: one code cache per command, written on the first run, replaced when unusable, off with NODE_DISABLE_COMPILE_CACHE=1', () => {
    const dir = installCopy('cache');
    const cache = join(tmp.dir, 'cache-20');
    const env = { NODE_COMPILE_CACHE: cache };
    // the bundle's caches (those of the chunks it required sit in a folder per chunk)
    const files = () => (existsSync(cache) ? readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.parentPath.includes('chunk-')).map((e) => e.name).sort() : []);

    expect(run(dir, ['workflow', 'validate', join(ROOT, 'presets/branching.yaml')], env).code).toBe(0);
    expect(files()).toEqual([expect.stringMatching(/^v20\..*-workflow\.validate\.cache$/)]);
    expect(run(dir, ['--version'], env).stdout.trim()).toBe(VERSION);
    expect(files()).toHaveLength(2);
    expect(files().some((f) => f.endsWith('-_.cache'))).toBe(true);

    // a damaged cache is rejected by V8: the command still runs and the cache is written again
    const validate = readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.includes('workflow.validate') && !e.parentPath.includes('chunk-')).map((e) => join(e.parentPath, e.name))[0]!;
    writeFileSync(validate, 'not a code cache');
    const again = run(dir, ['workflow', 'validate', join(ROOT, 'presets/branching.yaml')], env);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(validate).length).toBeGreaterThan(1000);

    const off = join(tmp.dir, 'cache-off');
    // (see below for two installations sharing one cache folder)
    expect(run(dir, ['--version'], { NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: '1' }).code).toBe(0);
    expect(existsSync(off)).toBe(false);
  });

  it.runIf(node20)('Node 20: the cache is written by the first run that succeeds, and then used, not rewritten', () => {
    const dir = installCopy('first-success');
    const cache = join(tmp.dir, 'cache-first-success');
    const env = { NODE_COMPILE_CACHE: cache };
    const caches = () => (existsSync(cache) ? readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.parentPath.includes('chunk-')).map((e) => join(e.parentPath, e.name)) : []);
    // a failed run compiled only the error path: a cache of it would leave every later run compiling the rest
    expect(run(dir, ['workflow', 'validate', join(tmp.dir, 'missing.yaml')], env).code).toBe(2);
    expect(caches()).toEqual([]);
    expect(run(dir, ['workflow', 'validate', join(ROOT, 'presets/branching.yaml')], env).code).toBe(0);
    const [written] = caches();
    expect(written).toMatch(/-workflow\.validate\.cache$/);
    const size = statSync(written!).size;
    const mtime = statSync(written!).mtimeMs;
    expect(run(dir, ['workflow', 'validate', join(ROOT, 'presets/branching.yaml')], env).code).toBe(0);
    expect(run(dir, ['workflow', 'validate', join(tmp.dir, 'missing.yaml')], env).code).toBe(2);
    expect(caches()).toEqual([written]);
    expect([statSync(written!).size, statSync(written!).mtimeMs]).toEqual([size, mtime]); // accepted by V8, so not written again
  });

  it.runIf(node20)('Node 20: a chunk (dist/bundle/chunk-*.cjs) is compiled from a code cache of its own too, written by the first run that loads it', () => {
    const dir = installCopy('chunks');
    const cache = join(tmp.dir, 'cache-chunks');
    // records every vm.Script the launcher compiles: which file, whether it was given a cache, whether V8 took it
    const preload = join(tmp.dir, 'record-scripts.cjs');
    writeFileSync(
      preload,
      `const vm = require('node:vm'); const fs = require('node:fs'); const seen = [];
const Script = vm.Script;
vm.Script = function (code, options) { const s = new Script(code, options); seen.push({ file: options.filename, cached: options.cachedData !== undefined, rejected: s.cachedDataRejected === true }); return s; };
vm.Script.prototype = Script.prototype;
process.on('exit', () => fs.writeFileSync(process.env.RECORD_SCRIPTS, JSON.stringify(seen)));
`,
    );
    const repo = join(tmp.dir, 'chunk-repo');
    mkdirSync(repo);
    spawnSync('git', ['init', '-q', '-b', 'main', repo]);
    const record = join(tmp.dir, 'scripts.json');
    const worker = (): { code: number | null; scripts: { file: string; cached: boolean; rejected: boolean }[] } => {
      const r = spawnSync(process.execPath, ['--require', preload, join(dir, 'bin', 'agent-team.js'), 'worker', 'status', '--json'], {
        cwd: repo,
        env: { ...process.env, NO_COLOR: '1', NODE_DISABLE_COMPILE_CACHE: undefined, NODE_COMPILE_CACHE: cache, RECORD_SCRIPTS: record },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      return { code: r.status, scripts: JSON.parse(readFileSync(record, 'utf8')) as { file: string; cached: boolean; rejected: boolean }[] };
    };
    const first = worker().scripts.map((s) => [s.file.split('/').pop(), s.cached]);
    expect(first).toContainEqual(['agent-team.cjs', false]);
    expect(first).toContainEqual(['chunk-simple-git.cjs', false]); // worker status asks git
    const second = worker().scripts;
    expect(second.map((s) => s.file.split('/').pop())).toEqual(first.map(([f]) => f));
    expect(second.every((s) => s.cached && !s.rejected)).toBe(true);
  });

  it.runIf(node20)('Node 20: two installations sharing one cache folder keep their own caches (no rewrite on every run)', () => {
    const a = installCopy('install-a');
    const b = installCopy('install-b');
    const env = { NODE_COMPILE_CACHE: join(tmp.dir, 'cache-shared') };
    const all = () => readdirSync(join(tmp.dir, 'cache-shared'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    expect(run(a, ['--version'], env).code).toBe(0);
    const [cacheOfA] = all();
    expect(cacheOfA).toBeDefined();
    const before = statSync(cacheOfA!).mtimeMs;
    expect(run(b, ['--version'], env).code).toBe(0);
    expect(all()).toHaveLength(2);
    expect(run(a, ['--version'], env).code).toBe(0);
    expect(existsSync(cacheOfA!)).toBe(true);
    expect(statSync(cacheOfA!).mtimeMs).toBe(before); // used, not written again
  });
});
