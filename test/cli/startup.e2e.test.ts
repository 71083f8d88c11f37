/**
 * Start-up (issue 13 item 5): a controller runs `validate`, `state show` and transitions dozens of times a
 * run, so those commands must load only what they use. Speed itself is measured by `npm run bench`, never
 * asserted here; these tests pin down the causes the bench traced (bench/README.md "Where the time goes"):
 * Node built-in modules that a hot command has no use for and that cost milliseconds to load (`tty` and
 * `net` came in through chalk's colour detection and simple-git's `debug`, `worker_threads` through
 * write-file-atomic, `child_process` through git and execa). Each command runs the built CLI with a
 * `--require` preload that records the built-ins loaded after it, the way `process.moduleLoadList` lists them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { tempRepo, writeFile } from '../helpers/repo.js';
import '../workflow/fresh-build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRESET = readFileSync(join(ROOT, 'presets/branching.yaml'), 'utf8');
const repo = tempRepo('agent-team-startup-');
afterAll(() => repo.cleanup());

/** Built-in modules no hot command needs: each costs 1–2 ms of a ~50 ms budget (measured, bench/README.md). */
const COLD = ['net', 'tty', 'stream', 'child_process', 'worker_threads', 'readline', 'http', 'https', 'zlib', 'dgram'];

const PRELOAD = join(repo.dir, 'record-builtins.cjs');
writeFileSync(
  PRELOAD,
  `const before = new Set(process.moduleLoadList);
// code compiled at run time with \`new Function(body)\` (zod's JIT), which no code cache holds
let compiled = 0;
// the files bin/agent-team.js compiles with vm.Script (Node 20: the bundle and the chunks it requires)
const files = [];
const vm = require('node:vm');
const Script = vm.Script;
vm.Script = function (code, options) { files.push(require('node:path').basename(options.filename)); return new Script(code, options); };
vm.Script.prototype = Script.prototype;
globalThis.Function = new Proxy(Function, { construct(target, args) { if (String(args[args.length - 1] ?? '').trim() !== '') compiled++; return Reflect.construct(target, args); } });
process.on('exit', () => {
  const loaded = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
  require('node:fs').writeFileSync(process.env.RECORD_BUILTINS, JSON.stringify({ loaded, compiled, files }));
});
`,
);

interface Traced {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Public built-in modules (no `internal/…`) loaded after the preload, in load order. */
  builtins: string[];
  /** The same with Node's internal modules (`internal/crypto/webcrypto`…). */
  internals: string[];
  /** Functions compiled from a string at run time (`new Function(body)`). */
  compiled: number;
  /** Node 20: the files of dist/bundle/ the launcher compiled (the bundle, then the chunks required). */
  files: string[];
}

/** The cold built-ins `r` loaded; `stream` is excused when `crypto` is there, which loads it itself (sha256 of the template, nanoid). */
function coldLoaded(r: Traced): string[] {
  return r.builtins.filter((m) => COLD.includes(m) && !(m === 'stream' && r.builtins.includes('crypto')));
}

let runs = 0;
/** Runs the built CLI as the bench does (stdio pipes, NO_COLOR=1 unless `env` says otherwise) and records the built-ins it loaded. */
function traced(args: string[], env: Record<string, string | undefined> = {}): Traced {
  const record = join(repo.dir, `builtins-${++runs}.json`);
  const r = spawnSync(process.execPath, ['--require', PRELOAD, BIN, ...args], {
    cwd: repo.dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, RECORD_BUILTINS: record, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const { loaded, compiled, files } = JSON.parse(readFileSync(record, 'utf8')) as { loaded: string[]; compiled: number; files: string[] };
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, builtins: loaded.filter((m) => !m.startsWith('internal/')), internals: loaded, compiled, files };
}

let template = '';
let stateFile = '';
beforeAll(() => {
  template = writeFile(repo.dir, '.agents/workflow/feature.yaml', PRESET.replace('name: branching', 'name: feature'));
  const init = traced(['workflow', 'state', 'init', template, '--run-id', 'startup', '--param', 'requirement=Trace the start-up', '--json']);
  expect(init.code, init.stderr).toBe(0);
  stateFile = (JSON.parse(init.stdout) as { path: string }).path;
});

describe('hot commands load no built-in module they do not use', () => {
  it('--version', () => {
    const r = traced(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(coldLoaded(r)).toEqual([]);
  });

  it('workflow validate (with missing-role warnings, as in the bench), also with --json', () => {
    for (const extra of [[], ['--json']]) {
      const r = traced(['workflow', 'validate', template, ...extra]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('missing_role'); // the roles do not exist: the warnings path ran
      expect(coldLoaded(r)).toEqual([]);
      // nothing is hashed or random in a validation
      expect(r.builtins).not.toContain('crypto');
    }
  });

  it('workflow state show, start and complete', () => {
    const show = traced(['workflow', 'state', 'show', stateFile]);
    expect(show.code, show.stderr).toBe(0);
    expect(coldLoaded(show)).toEqual([]);
    const start = traced(['workflow', 'state', 'start', stateFile, '--node', 'cto_breakdown', '--json']);
    expect(start.code, start.stderr).toBe(0);
    expect(coldLoaded(start)).toEqual([]);
    const complete = traced(['workflow', 'state', 'complete', stateFile, '--node', 'cto_breakdown', '--summary', 'split', '--json']);
    expect(complete.code, complete.stderr).toBe(0);
    expect(coldLoaded(complete)).toEqual([]);
    expect((JSON.parse(complete.stdout) as { current_node: string }).current_node).toBe('controller_dispatch');
  });

  it('workflow state next: git through simple-git without its logger opening stderr (tty); DEBUG=simple-git still logs', () => {
    // simple-git's `debug` asked at every logger's creation whether stderr is a terminal, which built
    // stderr's stream and loaded tty; it logs only when DEBUG is set, so without it a stand-in is used.
    const next = traced(['workflow', 'state', 'next', stateFile]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.builtins).toContain('child_process'); // it does run git (for-each-ref: the next worker id)
    expect(next.builtins).not.toContain('tty');
    const debugged = traced(['workflow', 'state', 'next', stateFile], { DEBUG: 'simple-git' });
    expect(debugged.code, debugged.stderr).toBe(0);
    expect(debugged.stderr).toMatch(/simple-git/);
    expect(debugged.stdout).toBe(next.stdout);
  });

  it('a transition draws its random ids (lock token, temp name) without setting up webcrypto', () => {
    // nanoid's own nanoid() reads webcrypto.getRandomValues, whose set-up cost ~0.4 ms a transition
    const start = traced(['workflow', 'state', 'start', stateFile, '--node', 'controller_dispatch', '--json']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.builtins).toContain('crypto'); // the template's sha256, and the random bytes
    expect(start.internals.filter((m) => m.includes('webcrypto'))).toEqual([]);
  });

  it('a refused transition and a usage error go through the error funnel without them too', () => {
    const refused = traced(['workflow', 'state', 'complete', stateFile, '--node', 'cto_breakdown']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: /m);
    expect(coldLoaded(refused)).toEqual([]);
    const usage = traced(['workflow', 'state', 'start', stateFile]);
    expect(usage.code).toBe(2);
    expect(coldLoaded(usage)).toEqual([]);
  });
});

describe('the bundle holds only what commands run', () => {
  /**
   * Every command reads the whole bundle and deserialises its code cache, so its size is start-up time.
   * scripts/bundle.js writes the bytes each input contributes (esbuild's metafile) next to the bundle.
   */
  const inputs = (): Record<string, number> => JSON.parse(readFileSync(join(ROOT, 'dist/bundle/agent-team.inputs.json'), 'utf8')) as Record<string, number>;

  it("no zod locale (a `{ z }` import of zod pulls in all 40, ~450 KB) and no package left to cold commands", () => {
    const paths = Object.keys(inputs());
    expect(paths.some((p) => p.includes('node_modules/zod/'))).toBe(true);
    expect(paths.filter((p) => /node_modules\/zod\/.*\/locales\/(?!en\.|index\.)/.test(p))).toEqual([]);
    expect(paths.filter((p) => /node_modules\/(@inquirer|@modelcontextprotocol|iconv-lite|ajv)\//.test(p))).toEqual([]);
  });

  it('no execa, simple-git or chalk: chunks of their own (dist/bundle/chunk-*.cjs), read only by a command that uses them', () => {
    const paths = Object.keys(inputs());
    expect(paths.filter((p) => /node_modules\/(execa|simple-git|chalk|@simple-git|@kwsites|debug|cross-spawn|human-signals)\//.test(p))).toEqual([]);
    expect(readdirSync(join(ROOT, 'dist/bundle')).filter((f) => f.startsWith('chunk-')).sort()).toEqual(['chunk-chalk.cjs', 'chunk-execa.cjs', 'chunk-simple-git.cjs', 'chunk-yaml.cjs']);
  });

  it('no yaml (the library with positions): a chunk read only when a message needs line:col or a template or config is written', () => {
    expect(Object.keys(inputs()).filter((p) => p.includes('node_modules/yaml/'))).toEqual([]);
    const node20 = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache !== 'function';
    if (!node20) return; // Node 22 compiles through its own loader: no vm.Script to watch
    expect(traced(['workflow', 'state', 'show', stateFile]).files).toEqual(['agent-team.cjs']);
    const validate = traced(['workflow', 'validate', template]);
    expect(validate.stdout).toContain('missing_role'); // with line:col
    expect(validate.files).toEqual(['agent-team.cjs', 'chunk-yaml.cjs']);
  });

  it('schemas are written with zod/mini; classic zod only for the MCP server (its SDK takes classic schemas)', () => {
    // Classic zod's module and its schemas (each carrying ~40 methods as closures) cost a hot command
    // ~2–3 ms more to build and parse than zod/mini's; one classic import on a hot path loads all of it.
    const classic = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return classic(path);
        return e.name.endsWith('.ts') && /^import (?!type )[^;]*from 'zod';/m.test(readFileSync(path, 'utf8')) ? [path.slice(ROOT.length)] : [];
      });
    expect(classic(join(ROOT, 'src'))).toEqual(['src/mcp/tools.ts']);
  });
});

describe('zod compiles no parser at run time (zod/mini has no JIT), whatever the input size', () => {
  /**
   * Classic zod compiled a parser per object schema with `new Function` on its first parse, which no code
   * cache keeps: ~1 ms per schema on a preset, so small inputs were parsed jitless. The schemas are written
   * with zod/mini, which never compiles one; measured, even the 10,000-entry run-state parses faster
   * without it (bench/README.md).
   */
  it('a preset template and its run-state, and a 2,000-entry run-state', () => {
    const validate = traced(['workflow', 'validate', template, '--json']);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.compiled).toBe(0);
    const show = traced(['workflow', 'state', 'show', stateFile, '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.compiled).toBe(0);

    const state = readFileSync(stateFile, 'utf8');
    const entry = (k: number) => `    - timestamp: "2026-01-01T00:00:00Z"\n      node: cto_breakdown\n      action: note\n      summary: entry ${k}\n`;
    const big = join(repo.dir, 'big-run.yaml');
    writeFileSync(big, state.replace(/^decision_log:.*\n(?:[ -].*\n)*/m, `decision_log:\n${Array.from({ length: 2000 }, (_, k) => entry(k)).join('')}`));
    const large = traced(['workflow', 'state', 'show', big, '--json']);
    expect(large.code, large.stderr).toBe(0);
    expect((JSON.parse(large.stdout) as { decision_log: unknown[] }).decision_log).toHaveLength(2000);
    expect(large.compiled).toBe(0);
  });
});

describe('colour is loaded only when wanted, and still works', () => {
  it('FORCE_COLOR=1 colours the warnings (chalk, 16 colours); NO_COLOR=1 prints none', () => {
    const coloured = traced(['workflow', 'validate', template], { FORCE_COLOR: '1', NO_COLOR: undefined });
    expect(coloured.code, coloured.stderr).toBe(0);
    expect(coloured.stdout).toContain('\u001b[33mwarning\u001b[39m');
    const plain = traced(['workflow', 'validate', template]);
    expect(plain.stdout).not.toContain('\u001b[');
    expect(plain.stderr).not.toContain('\u001b[');
  });
});

describe('packages left out of the bundle load on first use', () => {
  /**
   * Runs `agent-team <args>` on a terminal (util-linux `script` gives it a pseudo-terminal) and types
   * `answer` once `prompt` is on the screen. Resolves with the exit code and what the terminal showed.
   */
  function onTerminal(args: string[], prompt: string, answer: string, env: Record<string, string>): Promise<{ code: number | null; screen: string }> {
    const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: repo.dir, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let answered = false;
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString('utf8');
      if (!answered && screen.includes(prompt)) {
        answered = true;
        child.stdin.write(answer);
      }
    });
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
  }

  it.runIf(spawnSync('script', ['--version']).status === 0)('a prompt on a terminal (@inquirer/prompts), also when the bundle comes from the code cache', async () => {
    const env = { NODE_COMPILE_CACHE: join(repo.dir, 'compile-cache') };
    for (const name of ['first', 'second']) {
      // the first run writes the code cache of `workflow create`, the second is compiled from it
      const roles = ['--cto-role', `cto-${name}`, '--dev-role', `dev-${name}`, '--qa-role', `qa-${name}`];
      const r = await onTerminal(['workflow', 'create', name, '--output', `.agents/workflow/${name}.yaml`, ...roles], 'Create the missing roles', 'y\r', env);
      expect(r.code, r.screen).toBe(0);
      expect(r.screen).toContain('created role');
    }
    expect(readdirSync(join(repo.dir, '.agents/teams')).sort()).toEqual(['cto-first', 'cto-second', 'dev-first', 'dev-second', 'qa-first', 'qa-second']);
  });
});
