/**
 * The "never lose a file" guard for merges and fast-forwards: git silently replaces an *ignored* file
 * (e.g. the controller's real `.env`) when the incoming side tracks a file at that path, and only some
 * operations refuse for untracked ones. Before merging or updating, agent-team lists every path the
 * incoming side adds or changes and refuses when the target tree holds it as an untracked or ignored
 * file (or holds an untracked file where the incoming side needs a folder).
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { OperationError } from '../errors.js';
import { runGit } from './git.js';

function stat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Whether `rel` is `exempt` or lies under an exempt folder (`dir/`). */
function isExempt(rel: string, exempt: readonly string[]): boolean {
  return exempt.some((e) => (e.endsWith('/') ? rel.startsWith(e) || `${rel}/` === e : rel === e));
}

/**
 * Paths (relative to `cwd`, sorted) that bringing `incoming` into the worktree at `cwd` would overwrite
 * although git does not track them there: for every path added or changed in `mergeBase..incoming`
 * (`git diff --no-renames --diff-filter=d`), the path itself when it exists on disk untracked or ignored
 * (a non-empty folder counts), and any parent folder of it that exists as an untracked file or symlink.
 * `exempt`: agent-team's own runtime files (exact paths, or folders ending in `/`) that may be replaced.
 * Two git calls (diff, ls-files) plus one lstat per incoming path. Throws OperationError on git failure.
 */
export async function untrackedInTheWay(cwd: string, base: string, incoming: string, exempt: readonly string[] = []): Promise<string[]> {
  const changed = (await runGit(cwd, ['diff', '--name-only', '-z', '--no-renames', '--diff-filter=d', base, incoming])).split('\0').filter((p) => p !== '');
  if (changed.length === 0) return [];
  const tracked = new Set((await runGit(cwd, ['ls-files', '-z'])).split('\0'));
  const found = new Set<string>();
  const checkedParents = new Set<string>();
  for (const rel of changed) {
    if (isExempt(rel, exempt)) continue;
    const parts = rel.split('/');
    // A parent folder that is a file or symlink on disk would be replaced by a folder.
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (checkedParents.has(parent)) continue;
      checkedParents.add(parent);
      const s = stat(join(cwd, parent));
      if (s && !s.isDirectory() && !tracked.has(parent) && !isExempt(parent, exempt)) found.add(parent);
    }
    if (tracked.has(rel)) continue;
    const s = stat(join(cwd, rel));
    if (!s) continue;
    if (s.isDirectory() && readdirSync(join(cwd, rel)).length === 0) continue;
    found.add(rel);
  }
  return [...found].sort();
}

/**
 * Throws OperationError `would_overwrite_untracked` (exit 1, details.files) when {@link untrackedInTheWay}
 * finds anything; `what` names the operation for the message (e.g. "merging team/dev-001").
 */
export async function assertNothingInTheWay(cwd: string, base: string, incoming: string, what: string, exempt: readonly string[] = []): Promise<void> {
  const files = await untrackedInTheWay(cwd, base, incoming, exempt);
  if (files.length === 0) return;
  throw new OperationError(`${what} would overwrite ${files.length} untracked or ignored file(s) in ${cwd}: ${files.join(', ')}; nothing was changed`, {
    code: 'would_overwrite_untracked',
    details: { files, cwd, incoming },
    hint: `move them out of the way (or commit them), then retry; to keep ${incoming}'s version instead, delete them first`,
  });
}
