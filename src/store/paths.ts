/** Locating the repository root and resolving paths stored relative to it. No git process is spawned. */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The user's agent-team home, absolute: `$AGENT_TEAM_HOME` (a relative value is resolved against the
 * current folder), else `~/.agents` — where the Go version keeps global roles. Global roles
 * (`<home>/roles/`) and trust records (`<home>/trust.yaml`) both live here.
 */
export function agentTeamHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.AGENT_TEAM_HOME ? resolve(env.AGENT_TEAM_HOME) : join(homedir(), '.agents');
}

/**
 * The nearest folder at or above `start` that holds a `.git` entry (a folder in a repository, a file in a
 * linked worktree), or undefined outside any repository. Paths are absolute.
 */
export function findRepoRoot(start: string = process.cwd()): string | undefined {
  let dir = resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The repository root of `start`, or `start` itself (absolute) when it is not in a repository. */
export function projectRoot(start: string = process.cwd()): string {
  return findRepoRoot(start) ?? resolve(start);
}

/** `target` relative to `root` with forward slashes when it is inside `root`, else absolute. */
export function relativeToRoot(root: string, target: string): string {
  const rel = relative(root, resolve(target));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return resolve(target);
  return rel.split(sep).join('/');
}

/**
 * Throws UsageError (exit 2) when `path` (as the user gave it, `flag` names the option) names a folder —
 * an existing directory or a path ending in `/` — where a file is expected.
 */
export function assertFileTarget(path: string, flag: string, cwd: string = process.cwd()): void {
  let isDir = /[/\\]$/.test(path);
  try {
    isDir ||= statSync(resolve(cwd, path)).isDirectory();
  } catch {
    // does not exist yet: fine
  }
  if (isDir) throw new UsageError(`${flag} ${path}: is a folder; give the path of a file, e.g. ${path.replace(/[/\\]+$/, '')}/run.yaml`, { code: 'is_a_directory' });
}
