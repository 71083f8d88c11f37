/** Finding the main repository root from anywhere inside it, including from a worker's linked worktree. */
import { basename, dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { repoPaths } from '../git/repo.js';

/**
 * The main worktree's root for `cwd`: the parent of the common `.git` folder (so `.worktrees/<id>/`
 * resolves to the project, not to itself). Throws UsageError `not_a_repository` outside a git repository.
 */
export async function mainRepoRoot(cwd: string = process.cwd()): Promise<string> {
  const paths = await repoPaths(cwd);
  if (!paths) throw new UsageError(`${cwd} is not inside a git repository; agent-team workers live in git worktrees (run git init first)`, { code: 'not_a_repository' });
  return basename(paths.commonDir) === '.git' ? dirname(paths.commonDir) : paths.top;
}
