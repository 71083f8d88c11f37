/**
 * A thin wrapper over `simple-git`: every git call of agent-team goes through {@link runGit}, which turns
 * any non-zero exit into an {@link OperationError} carrying git's own message. simple-git spawns git with
 * an argument array (never a shell), so paths and branch names are passed literally.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { OperationError } from '../errors.js';

/** Environment variables that would point git at another repository; dropped so `cwd` decides. */
const REPO_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX'];

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !REPO_ENV.includes(k)) env[k] = v;
  // never open an editor or a pager from a non-interactive tool
  env.GIT_EDITOR = 'true';
  env.GIT_PAGER = 'cat';
  env.GIT_TERMINAL_PROMPT = '0';
  return env;
}

/**
 * simple-git refuses to run when the environment carries variables such as GIT_EDITOR, GIT_PAGER,
 * GIT_ASKPASS or GIT_SSH_COMMAND (it guards against untrusted input). Our arguments are built here from
 * validated names, and the environment is the user's own, so these checks are turned off.
 */
const TRUSTED = Object.fromEntries(
  [
    'allowUnsafeAskPass',
    'allowUnsafeConfigEnvCount',
    'allowUnsafeConfigPaths',
    'allowUnsafeCredentialHelper',
    'allowUnsafeDiffExternal',
    'allowUnsafeDiffTextConv',
    'allowUnsafeEditor',
    'allowUnsafeFilter',
    'allowUnsafeFsMonitor',
    'allowUnsafeGitProxy',
    'allowUnsafeGpgProgram',
    'allowUnsafeHooksPath',
    'allowUnsafeMergeDriver',
    'allowUnsafePager',
    'allowUnsafeSshCommand',
    'allowUnsafeTemplateDir',
  ].map((k) => [k, true]),
);

/** simple-git clients by folder: the one cache of this module (a client per repository a command touches). */
const clients = new Map<string, SimpleGit>();

/**
 * simple-git 3.36 waits a fixed 50 ms after a git command that printed nothing (its completion plugin
 * allows for late output), so a clean `git status` or a `git config` write costs 50 ms more than it
 * runs. A traced call (options of {@link runGit}) sets `GIT_TRACE=2`: git prints a trace line on stderr
 * as it starts, which ends that wait; stdout is unchanged and the lines are dropped from messages.
 */
const TRACE_LINE = /^\d{2}:\d{2}:\d{2}\.\d+ \S+:\d+ +trace: .*(\r?\n|$)/gm;

/** Options of {@link runGit}: `traced` for calls that often print nothing (see {@link TRACE_LINE}). */
export interface RunGitOptions {
  traced?: boolean;
}

/**
 * The simple-git client for `cwd` (cached), configured so that any non-zero exit rejects; `traced`: with
 * GIT_TRACE=2. simple-git is imported on the first git call, not at start-up: it loads `debug`, which
 * opens stderr as a stream (`tty`, `net`), ~4 ms that commands which never run git (validate, show,
 * transitions) do not pay.
 */
async function gitClient(cwd: string, traced = false): Promise<SimpleGit> {
  const key = traced ? `${cwd}\0traced` : cwd;
  let client = clients.get(key);
  if (!client) {
    const { simpleGit } = await import('simple-git');
    client = simpleGit({
      baseDir: cwd,
      trimmed: false,
      maxConcurrentProcesses: 6,
      unsafe: TRUSTED,
      // simple-git only rejects when git also wrote to stderr; some failures (merge-base, diff) do not.
      errors(error, result) {
        if (error) return error;
        if (result.exitCode === 0) return undefined;
        const text = Buffer.concat([...result.stdErr, ...result.stdOut]).toString('utf8').replace(TRACE_LINE, '').trim();
        return new Error(text || `git exited with code ${result.exitCode}`);
      },
    }).env(traced ? { ...cleanEnv(), GIT_TRACE: '2' } : cleanEnv());
    clients.set(key, client);
  }
  return client;
}

/**
 * Runs `git <args>` in `cwd` and returns stdout with the trailing newline removed.
 * Throws {@link OperationError} (code `git_failed`, details.args) with git's message on any failure.
 */
export async function runGit(cwd: string, args: string[], options: RunGitOptions = {}): Promise<string> {
  try {
    const out = await (await gitClient(cwd, options.traced === true)).raw(args);
    return out.replace(/\r?\n$/, '');
  } catch (err) {
    const message = ((err as Error).message ?? String(err)).replace(TRACE_LINE, '').trim();
    throw new OperationError(`git ${args.join(' ')} failed in ${cwd}: ${message}`, { code: 'git_failed', details: { args, cwd }, cause: err });
  }
}

/** Like {@link runGit} but resolves `undefined` instead of throwing (for probes such as rev-parse). */
export async function tryGit(cwd: string, args: string[], options: RunGitOptions = {}): Promise<string | undefined> {
  try {
    return await runGit(cwd, args, options);
  } catch {
    return undefined;
  }
}

/** Splits git output into non-empty lines. */
export function lines(out: string | undefined): string[] {
  return (out ?? '').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
}

/**
 * Runs `git <args>` in `cwd` for a step that changes the repository (merge, commit, rebase, abort):
 * in its own process group (a new session), so a Ctrl-C or a kill sent to agent-team's group never
 * stops git half-way (agent-team defers the interrupt and decides; see store/critical-section.ts), with
 * stdout and stderr written by git itself to temp files, not to a pipe, so git never dies of SIGPIPE
 * after agent-team is killed (measured: a merge killed that way leaves a stale MERGE_HEAD after its
 * commit). Node's `spawn` with real file descriptors: execa's file targets are written through this
 * process. Returns stdout without the trailing newline; throws OperationError (`git_failed`) like {@link runGit}.
 * `onSpawn` receives git's pid once it runs (a merge records it: git may outlive agent-team).
 */
export async function runGitToCompletion(cwd: string, args: string[], options: { onSpawn?: (pid: number) => void } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-team-git-'));
  const out = join(dir, 'stdout');
  const err = join(dir, 'stderr');
  const fds = [openSync(out, 'w'), openSync(err, 'w')] as const;
  try {
    const { spawn } = await import('node:child_process');
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('git', args, { cwd, env: cleanEnv(), detached: true, stdio: ['ignore', fds[0], fds[1]] });
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    if (code !== 0) {
      const message = `${readFileSync(err, 'utf8')}${readFileSync(out, 'utf8')}`.trim() || `git exited with code ${code}`;
      throw new OperationError(`git ${args.join(' ')} failed in ${cwd}: ${message}`, { code: 'git_failed', details: { args, cwd } });
    }
    return readFileSync(out, 'utf8').replace(/\r?\n$/, '');
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether `branch` holds commit `other` (`git merge-base --is-ancestor other branch`, in `cwd`): true
 * (exit 0), false (exit 1), undefined when git cannot tell (an unknown ref, no repository). Synchronous,
 * for the controller's synchronous worker lookups (one short git call, made only when a `[resolve]`
 * reply says done); spawned with an argument array, never a shell.
 */
export function containsSync(cwd: string, branch: string, other: string): boolean | undefined {
  const r = spawnSync('git', ['merge-base', '--is-ancestor', other, branch], { cwd, env: cleanEnv(), stdio: 'ignore' });
  return r.status === 0 ? true : r.status === 1 ? false : undefined;
}
