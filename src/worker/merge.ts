/** `worker merge`: the controller-side guards and the merge of `team/<id>` into the current branch. */
import { OperationError } from '../errors.js';
import { mergeBranch, type MergeResult } from '../git/merge.js';
import { interruptedMerge, mergeRunning, UNDO_HALF_MERGE } from '../git/merge-marker.js';
import { mergeTrain, type TrainOptions, type TrainResult } from '../git/merge-train.js';
import { branchExists, commitsMatching, countCommits, currentRef, diffPathsMatching, mergeBase, pathsTouched, statusEntries, type StatusEntry } from '../git/repo.js';
import { assertName } from './ids.js';
import { workerPaths } from './paths.js';
import { PROMPT_START } from './prompt.js';
import { installedSkillFolders } from './skill-install.js';

/**
 * Untracked paths under these folders do not make the controller's tree dirty for `worker merge`:
 * agent-team's own folders and the skill folders `skill install` writes (see installedSkillFolders).
 */
export const MERGE_IGNORED_UNTRACKED = ['.agents/', '.worktrees/', 'worktrees/'];

/** The controller-tree changes that block a merge: tracked changes, and untracked files outside agent-team's folders. */
export function blockingChanges(entries: StatusEntry[]): StatusEntry[] {
  const ignored = [...MERGE_IGNORED_UNTRACKED, ...installedSkillFolders()];
  return entries.filter((e) => e.code !== '??' || !ignored.some((p) => e.path.startsWith(p)));
}

/**
 * Refuses (OperationError, nothing changed) a merge into the controller's tree at `root` (`what`: "merging
 * team/x") when a merge agent-team made there was killed half-way (`interrupted_merge`: its changes are
 * staged, or MERGE_HEAD is left; committing them would record half a merge, so the hint undoes it), while
 * another merge agent-team makes there still runs (`merge_running`), or when
 * the tree has changes of the user's ({@link blockingChanges}: `dirty_tree`).
 */
async function assertReadyToMerge(root: string, what: string): Promise<void> {
  const busy = await mergeRunning(root);
  if (busy) {
    throw new OperationError(`a merge of ${busy.what} is running in ${root} (pid ${busy.pids.join(', ')}); its changes are not yours to commit: wait until it ends, then run this again`, {
      code: 'merge_running',
      details: { merge: busy.what, pids: busy.pids },
      hint: 'wait for the other merge to end (agent-team worker status shows the branches merged), then run the merge again',
    });
  }
  const half = await interruptedMerge(root);
  if (half) {
    const undo = half.inProgress ? 'git merge --abort' : UNDO_HALF_MERGE;
    throw new OperationError(
      half.inProgress
        ? `an interrupted merge of ${half.what} is still in progress in ${root} (MERGE_HEAD is there, nothing was committed); undo it with \`${undo}\` before ${what}`
        : `an interrupted merge of ${half.what} left staged changes (${half.staged.join(', ')}) in ${root}; HEAD is still ${half.before.slice(0, 12)}, nothing was committed, and committing them would record half a merge; undo it with \`${undo}\` (or agent-team doctor --fix) before ${what}`,
      { code: 'interrupted_merge', details: { merge: half.what, head: half.before, files: half.staged }, hint: undo },
    );
  }
  const blocking = blockingChanges(await statusEntries(root));
  if (blocking.length) {
    throw new OperationError(`your working tree has uncommitted changes (${blocking.map((e) => e.path).join(', ')}); commit or stash them before ${what}`, {
      code: 'dirty_tree',
      details: { files: blocking.map((e) => e.path) },
    });
  }
}

/** Result of {@link mergeWorker}. */
export interface MergeWorkerResult extends MergeResult {
  id: string;
  branch: string;
  into: string;
  commits: number;
  squash: boolean;
}

/**
 * Refuses (OperationError `role_prompt_in_branch`) when `team/<id>` would bring agent-team files into
 * `ref`: any commit (or, for squash, the final diff) adding or removing a role-prompt marker line, or any
 * path under `.tasks/`.
 */
export async function assertNoAgentFiles(root: string, ref: string, branch: string, squash: boolean): Promise<void> {
  const range = `${ref}..${branch}`;
  const tasks = (await pathsTouched(root, range)).filter((p) => p.startsWith('.tasks/'));
  let offending: string[] = [];
  if (squash) offending = await diffPathsMatching(root, await mergeBase(root, ref, branch), branch, PROMPT_START);
  else offending = await commitsMatching(root, range, PROMPT_START);
  if (tasks.length || offending.length) {
    throw new OperationError(
      `${branch} carries agent-team files that must not be merged: ${[...offending.map((c) => (squash ? c : `commit ${c.slice(0, 12)} (role prompt)`)), ...tasks].join(', ')}; nothing was merged`,
      {
        code: 'role_prompt_in_branch',
        details: { branch, commits: squash ? [] : offending, files: squash ? [...offending, ...tasks] : tasks },
        hint: `remove them from ${branch} (git rm --cached <file> and rewrite the commits, e.g. git rebase -i ${ref}) and merge again`,
      },
    );
  }
}

/**
 * `worker merge`: merges `team/<id>` into the controller's current branch (`--no-ff`, or one squashed
 * commit). Refuses (OperationError, nothing changed) when the controller's tree has tracked changes or
 * untracked files outside `.agents/`/`.worktrees/` and the installed skill folders (`dirty_tree`), when the branch carries agent-team
 * files, and on conflicts (`merge_conflict`: merge aborted, same HEAD, clean tree, details.conflicts).
 */
export async function mergeWorker(root: string, id: string, options: { squash?: boolean } = {}): Promise<MergeWorkerResult> {
  assertName('worker id', id);
  const { branch } = workerPaths(root, id);
  if (!(await branchExists(root, branch))) throw new OperationError(`branch ${branch} does not exist`, { code: 'no_branch' });
  await assertReadyToMerge(root, `merging ${branch}`);
  const into = await currentRef(root);
  const commits = await countCommits(root, `HEAD..${branch}`);
  await assertNoAgentFiles(root, 'HEAD', branch, options.squash === true);
  const result = await mergeBranch(root, branch, { squash: options.squash, message: `Merge ${branch} (agent-team worker ${id})` });
  return { ...result, id, branch, into: into.ref, commits, squash: options.squash === true };
}

/**
 * The merge train of a `merge` node: the workers' branches `team/<id>` (in `ids` order) merged all or
 * nothing into the controller's current branch through {@link mergeTrain} (a temporary integration
 * branch and worktree, `check` run there, then a fast-forward). Refuses like {@link mergeWorker}
 * (`dirty_tree`, `no_branch`, `role_prompt_in_branch`); conflicts and failed checks leave the branch
 * unchanged (`train_conflict`, `train_check_failed`).
 */
export async function mergeWorkersTrain(root: string, ids: string[], options: TrainOptions): Promise<TrainResult> {
  const branches: string[] = [];
  for (const id of ids) {
    assertName('worker id', id);
    const { branch } = workerPaths(root, id);
    if (!(await branchExists(root, branch))) throw new OperationError(`branch ${branch} does not exist`, { code: 'no_branch' });
    await assertNoAgentFiles(root, 'HEAD', branch, false);
    branches.push(branch);
  }
  await assertReadyToMerge(root, 'the merge train');
  return mergeTrain(root, branches, options);
}
