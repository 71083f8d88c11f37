/**
 * Merge, rebase and fast-forward that leave the tree exactly as it was when they fail: on a conflict the
 * operation is aborted (`merge --abort` / `reset --merge` / `rebase --abort`), HEAD is checked to be
 * unchanged, and an OperationError lists the conflicting files. The steps that change the repository run
 * to completion in git's own process group ({@link runGitToCompletion}) inside an uninterruptible
 * section: an interrupt is acted on only once the merge is complete or undone. A merge is marked while
 * it runs (merge-marker.ts), so one killed together with git is recognised afterwards.
 */
import { uninterruptible } from '../store/critical-section.js';
import { OperationError } from '../errors.js';
import { lines, runGit, runGitToCompletion, tryGit } from './git.js';
import { withMergeMarker } from './merge-marker.js';
import { assertNothingInTheWay } from './overwrite-guard.js';
import { headSha, mergeBase } from './repo.js';

/** Result of a successful {@link mergeBranch}: the new HEAD, and false in `merged` when already up to date. */
export interface MergeResult {
  merged: boolean;
  head: string;
  before: string;
}

async function conflictedFiles(cwd: string): Promise<string[]> {
  return lines(await tryGit(cwd, ['diff', '--name-only', '--diff-filter=U']));
}

async function restore(cwd: string, before: string, abort: string[]): Promise<void> {
  const attempt = (args: string[]) => runGitToCompletion(cwd, args).then(() => true, () => false);
  if (!(await attempt(abort))) await attempt(['reset', '--merge']);
  const after = await headSha(cwd);
  if (after !== before) {
    throw new OperationError(`could not restore ${cwd} to ${before} after a failed operation (HEAD is ${after})`, {
      code: 'restore_failed',
      hint: `inspect with git status; git reset --hard ${before} restores the previous commit`,
    });
  }
}

/**
 * Merges `branch` into the branch checked out in `cwd`: `--no-ff` with `message`, or with `squash` one
 * commit holding the branch's changes. Refuses first, changing nothing, when the branch adds or changes a
 * path the tree holds as an untracked or ignored file (OperationError `would_overwrite_untracked`,
 * details.files; see overwrite-guard.ts). On failure (conflict) the merge is aborted and OperationError
 * (code `merge_conflict` with details.conflicts, or `merge_failed`) is thrown with HEAD and the tree unchanged.
 */
export async function mergeBranch(cwd: string, branch: string, options: { squash?: boolean; message: string }): Promise<MergeResult> {
  return uninterruptible(() => mergeBranchNow(cwd, branch, options));
}

async function mergeBranchNow(cwd: string, branch: string, options: { squash?: boolean; message: string }): Promise<MergeResult> {
  const before = await headSha(cwd);
  await assertNothingInTheWay(cwd, await mergeBase(cwd, before, branch), branch, `merging ${branch}`);
  const tip = await runGit(cwd, ['rev-parse', '--verify', `${branch}^{commit}`]);
  return withMergeMarker(cwd, { what: branch, before, tip }, (onSpawn) => mergeMarked(cwd, branch, before, options, onSpawn));
}

async function mergeMarked(cwd: string, branch: string, before: string, options: { squash?: boolean; message: string }, onSpawn: (pid: number) => void): Promise<MergeResult> {
  const args = options.squash ? ['merge', '--squash', branch] : ['merge', '--no-ff', '--no-edit', '-m', options.message, branch];
  try {
    await runGitToCompletion(cwd, args, { onSpawn });
    if (options.squash) {
      const staged = lines(await runGit(cwd, ['diff', '--cached', '--name-only']));
      if (staged.length === 0) return { merged: false, head: before, before };
      await runGitToCompletion(cwd, ['commit', '--no-verify', '-m', options.message], { onSpawn });
    }
  } catch (err) {
    const conflicts = await conflictedFiles(cwd);
    await restore(cwd, before, options.squash ? ['reset', '--merge'] : ['merge', '--abort']);
    if (conflicts.length > 0) {
      throw new OperationError(`merging ${branch} conflicts in ${conflicts.join(', ')}; merge aborted, ${cwd} is unchanged`, {
        code: 'merge_conflict',
        details: { branch, conflicts, head: before },
        hint: `resolve on the worker branch (e.g. ask the worker to merge your branch into ${branch}), then merge again`,
        cause: err,
      });
    }
    throw new OperationError(`merging ${branch} failed; ${cwd} is unchanged: ${(err as Error).message}`, { code: 'merge_failed', details: { branch, head: before }, cause: err });
  }
  const head = await headSha(cwd);
  return { merged: head !== before, head, before };
}

/**
 * Brings the branch checked out in `cwd` up to `upstream`: fast-forward when possible, else rebase its
 * own commits onto `upstream`. On a conflict the rebase is aborted and OperationError (code
 * `update_conflict`, details.conflicts) is thrown with the worktree as before. Refuses first, changing
 * nothing, when `upstream` brings a path the worktree holds as an untracked or ignored file
 * (`would_overwrite_untracked`); `options.exempt` lists files the caller reinstalls (role prompts).
 */
export async function updateFrom(cwd: string, upstream: string, options: { exempt?: readonly string[] } = {}): Promise<{ method: 'none' | 'fast-forward' | 'rebase'; head: string }> {
  return uninterruptible(() => updateFromNow(cwd, upstream, options.exempt ?? []));
}

async function updateFromNow(cwd: string, upstream: string, exempt: readonly string[]): Promise<{ method: 'none' | 'fast-forward' | 'rebase'; head: string }> {
  const before = await headSha(cwd);
  const behind = Number(await runGit(cwd, ['rev-list', '--count', `HEAD..${upstream}`]));
  if (behind === 0) return { method: 'none', head: before };
  await assertNothingInTheWay(cwd, await mergeBase(cwd, before, upstream), upstream, `bringing ${cwd} up to ${upstream}`, exempt);
  const ahead = Number(await runGit(cwd, ['rev-list', '--count', `${upstream}..HEAD`]));
  if (ahead === 0) {
    await runGitToCompletion(cwd, ['merge', '--ff-only', upstream]);
    return { method: 'fast-forward', head: await headSha(cwd) };
  }
  try {
    await runGitToCompletion(cwd, ['rebase', '--no-autostash', upstream]);
  } catch (err) {
    const conflicts = await conflictedFiles(cwd);
    await restore(cwd, before, ['rebase', '--abort']);
    throw new OperationError(`bringing ${cwd} up to ${upstream} conflicts${conflicts.length ? ` in ${conflicts.join(', ')}` : ''}; rebase aborted, the worktree is unchanged`, {
      code: 'update_conflict',
      details: { upstream, conflicts, head: before },
      cause: err,
    });
  }
  return { method: 'rebase', head: await headSha(cwd) };
}
