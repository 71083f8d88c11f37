/**
 * A thin wrapper over `simple-git`: every git call of agent-team goes through {@link runGit}, which turns
 * any non-zero exit into an {@link OperationError} carrying git's own message. simple-git spawns git with
 * an argument array (never a shell), so paths and branch names are passed literally.
 */
import { simpleGit, type SimpleGit } from 'simple-git';
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

const clients = new Map<string, SimpleGit>();

/** The simple-git client for `cwd` (cached), configured so that any non-zero exit rejects. */
export function gitClient(cwd: string): SimpleGit {
  let client = clients.get(cwd);
  if (!client) {
    client = simpleGit({
      baseDir: cwd,
      trimmed: false,
      maxConcurrentProcesses: 6,
      unsafe: TRUSTED,
      // simple-git only rejects when git also wrote to stderr; some failures (merge-base, diff) do not.
      errors(error, result) {
        if (error) return error;
        if (result.exitCode === 0) return undefined;
        const text = Buffer.concat([...result.stdErr, ...result.stdOut]).toString('utf8').trim();
        return new Error(text || `git exited with code ${result.exitCode}`);
      },
    }).env(cleanEnv());
    clients.set(cwd, client);
  }
  return client;
}

/**
 * Runs `git <args>` in `cwd` and returns stdout with the trailing newline removed.
 * Throws {@link OperationError} (code `git_failed`, details.args) with git's message on any failure.
 */
export async function runGit(cwd: string, args: string[]): Promise<string> {
  try {
    const out = await gitClient(cwd).raw(args);
    return out.replace(/\r?\n$/, '');
  } catch (err) {
    const message = ((err as Error).message ?? String(err)).trim();
    throw new OperationError(`git ${args.join(' ')} failed in ${cwd}: ${message}`, { code: 'git_failed', details: { args, cwd }, cause: err });
  }
}

/** Like {@link runGit} but resolves `undefined` instead of throwing (for probes such as rev-parse). */
export async function tryGit(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return await runGit(cwd, args);
  } catch {
    return undefined;
  }
}

/** Splits git output into non-empty lines. */
export function lines(out: string | undefined): string[] {
  return (out ?? '').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
}
