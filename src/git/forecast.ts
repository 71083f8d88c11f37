/**
 * Conflict forecast: which files would conflict if two branches were merged, computed by
 * `git merge-tree --write-tree --name-only` (git ≥ 2.38) entirely in the object store — no working tree,
 * index or ref is touched. Used for every active worker branch against the target and against each other.
 */
import { execFile } from 'node:child_process';
import { OperationError } from '../errors.js';

/** One predicted conflict: merging `branch` with `with` conflicts in `files`. */
export interface ForecastConflict {
  branch: string;
  with: string;
  files: string[];
}

/**
 * The files that would conflict when merging `a` and `b` (empty when they merge cleanly). Throws
 * OperationError when git cannot compute it (unknown branch, git older than 2.38).
 */
export function wouldConflict(cwd: string, a: string, b: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('git', ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', a, b], { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      // exit 0: clean; exit 1: conflicts (tree id, then the conflicted files, NUL-separated)
      if (err && code !== 1) {
        reject(new OperationError(`git merge-tree ${a} ${b} failed: ${String(stderr).trim() || err.message}`, { code: 'forecast_failed', hint: 'git 2.38 or newer is needed for the conflict forecast' }));
        return;
      }
      if (!err) return resolve([]);
      const fields = String(stdout).split('\0').filter((f) => f !== '');
      resolve([...new Set(fields.slice(1))]);
    });
  });
}

/**
 * The forecast for `branches` (e.g. `team/dev-001`): each against `target`, and each pair among them.
 * Only pairs that would conflict are returned. Runs the merge-trees concurrently.
 */
export async function forecastConflicts(cwd: string, target: string, branches: string[]): Promise<ForecastConflict[]> {
  const pairs: Array<[string, string]> = [];
  branches.forEach((b, i) => {
    pairs.push([b, target]);
    for (const other of branches.slice(i + 1)) pairs.push([b, other]);
  });
  const results = await Promise.all(pairs.map(async ([branch, other]) => ({ branch, with: other, files: await wouldConflict(cwd, branch, other) })));
  return results.filter((r) => r.files.length > 0);
}
