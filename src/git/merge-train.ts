/**
 * A merge train: several branches merged all or nothing. Each branch is merged, in the given order, on
 * a temporary integration branch in a temporary worktree (the controller's working tree is not
 * touched); an optional check runs there; only then does the target (the branch checked out in `root`)
 * fast-forward to the result. On a conflict, a failed check or a target that cannot fast-forward, the
 * target is unchanged and an OperationError names the branch and the files. The temporary worktree and
 * branch are always removed; those of a train that was killed are removed by the next one (integration.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationError } from '../errors.js';
import { runGit, tryGit } from './git.js';
import { integrationBranch, TRAIN_DIR_PREFIX, withIntegration } from './integration.js';
import { mergeBranch } from './merge.js';
import { withMergeMarker } from './merge-marker.js';
import { currentBranch, headSha, isAncestor } from './repo.js';

/** Result of {@link mergeTrain}: the target, its head before and after, the branches merged and those already in it, and warnings (a killed train's leftovers removed). */
export interface TrainResult {
  target: string;
  before: string;
  head: string;
  merged: string[];
  upToDate: string[];
  warnings: string[];
}

/** Options of {@link mergeTrain}: `name` labels the integration branch (`agent-team/integration/<name>`); `check` runs in its worktree. */
export interface TrainOptions {
  name: string;
  check?: (dir: string) => Promise<{ passed: boolean; summary: string }>;
}

/**
 * Merges `branches` (in order) into the branch checked out in `root` as one train. Throws OperationError:
 * `train_conflict` (details: branch, conflicts), `train_check_failed` (details: summary), `train_failed`
 * (no branch checked out, the fast-forward refused), with details.warnings when leftovers were removed
 * first; the target is unchanged in every case. The train
 * holds the integration branch's lock throughout (a second train of the same name waits, see integration.ts).
 */
export async function mergeTrain(root: string, branches: string[], options: TrainOptions): Promise<TrainResult> {
  const target = await currentBranch(root);
  if (!target) throw new OperationError(`${root} has no branch checked out; a merge train moves a branch`, { code: 'train_failed', hint: 'git switch <branch>, then run the merge again' });
  const integration = integrationBranch(options.name);
  return withIntegration(root, integration, async (warnings) => {
    try {
      return await runTrain(root, target, integration, branches, options, warnings);
    } catch (err) {
      // a train that fails after removing a killed train's leftovers still says so (details.warnings)
      if (warnings.length && err instanceof OperationError && err.details) err.details.warnings = warnings;
      throw err;
    }
  });
}

async function runTrain(root: string, target: string, integration: string, branches: string[], options: TrainOptions, warnings: string[]): Promise<TrainResult> {
  const before = await headSha(root);
  const dir = mkdtempSync(join(tmpdir(), TRAIN_DIR_PREFIX));
  rmSync(dir, { recursive: true, force: true });
  await runGit(root, ['worktree', 'add', '-q', '-b', integration, dir, before]);
  try {
    const merged: string[] = [];
    const upToDate: string[] = [];
    for (const branch of branches) {
      if (await isAncestor(dir, branch, 'HEAD')) {
        upToDate.push(branch);
        continue;
      }
      try {
        await mergeBranch(dir, branch, { message: `Merge ${branch} (merge train into ${target})` });
      } catch (err) {
        const conflicts = ((err as OperationError).details?.conflicts as string[] | undefined) ?? [];
        const what = conflicts.length ? `conflicts in ${conflicts.join(', ')}` : (err as Error).message;
        throw new OperationError(`merge train into ${target}: ${branch} ${what}${merged.length ? ` (after merging ${merged.join(', ')})` : ''}; ${target} is unchanged`, {
          code: 'train_conflict',
          details: { branch, conflicts, merged, target, head: before },
          hint: `resolve on ${branch} (e.g. merge ${target}${merged.length ? ` and ${merged.join(', ')}` : ''} into it), then run the merge again`,
          cause: err,
        });
      }
      merged.push(branch);
    }
    if (options.check) {
      const result = await options.check(dir);
      if (!result.passed) {
        throw new OperationError(`merge train into ${target}: the check failed on the integration of ${merged.join(', ') || 'nothing'}; ${target} is unchanged: ${result.summary}`, {
          code: 'train_check_failed',
          details: { merged, target, head: before, summary: result.summary },
          hint: 'fix the failing branch, then run the merge again',
        });
      }
    }
    const head = await headSha(dir);
    if (head !== before) {
      try {
        await withMergeMarker(root, { what: `the merge train of ${merged.join(', ')}`, before, tip: head, ff: true }, () => runGit(root, ['merge', '--ff-only', '-q', head]));
      } catch (err) {
        throw new OperationError(`merge train into ${target}: ${target} cannot fast-forward to the integration (${(err as Error).message}); ${target} is unchanged`, {
          code: 'train_failed',
          details: { merged, target, head: before },
          hint: `commit or stash changes in ${root} (or let them land first), then run the merge again`,
          cause: err,
        });
      }
    }
    return { target, before, head, merged, upToDate, warnings };
  } finally {
    await tryGit(root, ['worktree', 'remove', '--force', dir]);
    rmSync(dir, { recursive: true, force: true });
    await tryGit(root, ['worktree', 'prune']);
    await tryGit(root, ['branch', '-D', integration]);
  }
}
