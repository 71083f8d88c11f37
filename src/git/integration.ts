/**
 * The scratch of a merge train: its integration branch `agent-team/integration/<name>`, the temporary
 * worktree holding it, and the lock that says a live train owns them (`<common git dir>/agent-team/
 * integration-<name>.lock`, a store lock: pid, process start time and host of its holder). A train that
 * was killed (kill -9, a crash, a closed terminal) leaves the branch and worktree behind; they are
 * agent-team's own, never the user's work, so whoever next holds the lock (the next train, `doctor
 * --fix`) removes them.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { OperationError } from '../errors.js';
import { inspectLock, lockPathOf, withFileLock } from '../store/lock.js';
import { lines, runGit, tryGit } from './git.js';
import { commonDir } from './repo.js';

/** Prefix of every integration branch. */
const PREFIX = 'agent-team/integration/';

/** Prefix of the temporary folder a train checks its integration branch out in (`mkdtemp` under the temp folder). */
export const TRAIN_DIR_PREFIX = 'agent-team-train-';

/** The integration branch of the train labelled `name` (a node id): `agent-team/integration/<name>` with unsafe characters as `-`. */
export function integrationBranch(name: string): string {
  return `${PREFIX}${name.replace(/[^A-Za-z0-9._-]/g, '-')}`;
}

/** An integration branch found in the repository, with the worktrees that hold it checked out. */
export interface Integration {
  branch: string;
  /** Linked worktrees holding it that are a train's scratch folders (`<tmp>/agent-team-train-*`). */
  worktrees: string[];
  /** Other worktrees holding it (the main worktree, or one of the user's): never removed. */
  foreign: string[];
}

/** The file whose lock a live train holds for `branch` (its folder is made). */
async function lockFile(root: string, branch: string): Promise<string> {
  const dir = join(await commonDir(root), 'agent-team');
  mkdirSync(dir, { recursive: true });
  return join(dir, `integration-${branch.slice(PREFIX.length)}`);
}

/** Every integration branch of the repository at `root` and the worktrees holding it (`git worktree list --porcelain`). */
async function integrations(root: string): Promise<Integration[]> {
  const branches = lines(await tryGit(root, ['branch', '--list', `${PREFIX}*`, '--format=%(refname:short)']));
  if (branches.length === 0) return [];
  const held = new Map<string, { path: string; scratch: boolean }[]>();
  let path: string | undefined;
  let first = true;
  let scratch = false;
  for (const line of lines(await tryGit(root, ['worktree', 'list', '--porcelain']))) {
    if (line.startsWith('worktree ')) {
      path = line.slice('worktree '.length);
      // the first entry is the main worktree: never a train's scratch, whatever its name
      scratch = !first && basename(path).startsWith(TRAIN_DIR_PREFIX);
      first = false;
    } else if (line.startsWith('branch refs/heads/') && path) {
      const b = line.slice('branch refs/heads/'.length);
      held.set(b, [...(held.get(b) ?? []), { path, scratch }]);
    }
  }
  return branches.map((branch) => {
    const all = held.get(branch) ?? [];
    return { branch, worktrees: all.filter((w) => w.scratch).map((w) => w.path), foreign: all.filter((w) => !w.scratch).map((w) => w.path) };
  });
}

/**
 * Removes the scratch worktrees and the branch of `leftover` (worktree remove --force, prune, branch -D).
 * Throws OperationError `integration_checked_out`, removing nothing, when another worktree (the project
 * itself, or one of the user's) has the branch checked out; OperationError when the branch stays.
 */
async function remove(root: string, leftover: Integration): Promise<void> {
  if (leftover.foreign.length) {
    throw new OperationError(`${leftover.branch} is checked out in ${leftover.foreign.join(', ')}: a merge train that was killed left it, but it is not removed while a worktree of yours holds it (nothing was removed)`, {
      code: 'integration_checked_out',
      hint: `switch ${leftover.foreign.join(', ')} to another branch (git switch <branch>), then run the merge train again or agent-team doctor --fix`,
    });
  }
  for (const dir of leftover.worktrees) {
    await tryGit(root, ['worktree', 'remove', '--force', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
  await tryGit(root, ['worktree', 'prune']);
  await runGit(root, ['branch', '-D', leftover.branch]);
}

/** One sentence on a removed leftover, for warnings and doctor. */
function describe(leftover: Integration): string {
  return `${leftover.branch}${leftover.worktrees.length ? ` and its worktree ${leftover.worktrees.join(', ')}` : ''}`;
}

/**
 * Runs `fn` as the owner of the integration branch `branch`: under its lock (waiting while a live train
 * holds it), after removing what a killed train left of it. `fn` receives one warning per removal
 * ("removed the leftover integration branch … and its worktree …"). Throws what `fn` throws, the lock's
 * OperationError (`lock_timeout`), or OperationError when a leftover cannot be removed.
 */
export async function withIntegration<T>(root: string, branch: string, fn: (warnings: string[]) => Promise<T>): Promise<T> {
  return withFileLock(await lockFile(root, branch), async () => {
    const warnings: string[] = [];
    for (const leftover of (await integrations(root)).filter((i) => i.branch === branch)) {
      await remove(root, leftover);
      warnings.push(`removed the leftover integration branch ${describe(leftover)}: a merge train that was killed or crashed left them (agent-team's own scratch, nothing of yours was on them); merging again from the start`);
    }
    return fn(warnings);
  });
}

/** An integration branch no live train owns (its train was killed), with {@link removeLeftover} to remove it. */
export interface LeftoverIntegration extends Integration {
  /** One sentence: what it is and why it is safe to remove. */
  message: string;
}

/** The integration branches at `root` whose train is gone (their lock is free or stale). Never throws. */
export async function leftoverIntegrations(root: string): Promise<LeftoverIntegration[]> {
  const out: LeftoverIntegration[] = [];
  for (const i of await integrations(root).catch(() => [])) {
    try {
      if (inspectLock(lockPathOf(await lockFile(root, i.branch))).kind === 'held') continue; // a train is running
    } catch {
      continue;
    }
    out.push({ ...i, message: `${describe(i)} left by a merge train that was killed (no agent-team process owns it); agent-team's own scratch, not your work` });
  }
  return out;
}

/** Removes a leftover integration branch and its worktrees under the train's lock (a train started meanwhile keeps its own). */
export async function removeLeftover(root: string, leftover: Integration): Promise<void> {
  await withIntegration(root, leftover.branch, async () => undefined);
}
