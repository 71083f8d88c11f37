/**
 * Commits that removing a worktree and its branch would lose, and keeping them on archive refs. A
 * worktree's own reflog (`.git/worktrees/<name>/logs/HEAD`) and the branch's reflog go with them, so
 * commits only they reach (a detached HEAD's commits, work reset away) would become unreachable.
 */
import { OperationError } from '../errors.js';
import { lines, runGit, tryGit } from './git.js';
import { branchExists } from './repo.js';

/** Where a commit that would be lost comes from. `uncommitted`: tracked changes saved as a stash-like commit. */
export type UnsavedSource = 'HEAD' | 'branch' | 'reflog' | 'uncommitted';

/** One tip to keep: a commit no surviving ref reaches, with the commits only it reaches (newest first). */
export interface UnsavedTip {
  sha: string;
  source: UnsavedSource;
  commits: string[];
}

/** What to look at: the worktree (when present), the branch that will be deleted, and the controller's HEAD. */
export interface UnsavedQuery {
  root: string;
  worktree?: string;
  /** Short branch name, e.g. `team/dev-001` (deleted with the worker, so it does not count as surviving). */
  branch: string;
  /** Also save tracked uncommitted changes of the worktree (`git stash create`) as a tip. */
  includeUncommitted?: boolean;
}

/** `rev-list` arguments naming every surviving ref: all branches but `branch`, tags and remote-tracking branches. */
function survivors(branch: string): string[] {
  return ['--not', `--exclude=${branch}`, '--branches', '--tags', '--remotes'];
}

async function reflog(cwd: string, ref: string): Promise<string[]> {
  return lines(await tryGit(cwd, ['log', '-g', '--format=%H', ref]));
}

/**
 * The tips that removing `worktree` and deleting `branch` would lose: the worktree's HEAD (attached or
 * detached), the branch tip, every commit of the worktree's HEAD reflog and of the branch's reflog, and
 * (with `includeUncommitted`) a commit of tracked uncommitted changes — each only when no surviving
 * branch, tag or remote-tracking branch reaches it. Tips are grouped: a tip reached from an earlier one
 * is not listed again. A few git calls plus one per tip. Throws OperationError on git failure.
 */
export async function unsavedTips(q: UnsavedQuery): Promise<UnsavedTip[]> {
  const candidates: { sha: string; source: UnsavedSource }[] = [];
  if (q.worktree) {
    const head = await tryGit(q.worktree, ['rev-parse', '--verify', 'HEAD']);
    if (head) candidates.push({ sha: head, source: 'HEAD' });
    if (q.includeUncommitted) {
      const stash = await tryGit(q.worktree, ['stash', 'create', 'agent-team: uncommitted work of a deleted worker']);
      if (stash) candidates.unshift({ sha: stash, source: 'uncommitted' });
    }
  }
  if (await branchExists(q.root, q.branch)) {
    candidates.push({ sha: await runGit(q.root, ['rev-parse', '--verify', `refs/heads/${q.branch}`]), source: 'branch' });
    for (const sha of await reflog(q.root, `refs/heads/${q.branch}`)) candidates.push({ sha, source: 'reflog' });
  }
  if (q.worktree) for (const sha of await reflog(q.worktree, 'HEAD')) candidates.push({ sha, source: 'reflog' });
  const seen = new Set<string>();
  const unique = candidates.filter((c) => !seen.has(c.sha) && seen.add(c.sha) !== undefined);
  if (unique.length === 0) return [];
  const unsaved = new Set(lines(await runGit(q.root, ['rev-list', ...unique.map((c) => c.sha), ...survivors(q.branch)])));
  const covered = new Set<string>();
  const tips: UnsavedTip[] = [];
  for (const c of unique) {
    if (!unsaved.has(c.sha) || covered.has(c.sha)) continue;
    const commits = lines(await runGit(q.root, ['rev-list', c.sha, ...survivors(q.branch)])).filter((s) => !covered.has(s));
    for (const s of commits) covered.add(s);
    tips.push({ ...c, commits });
  }
  return tips;
}

/**
 * Of `tips`' commits, those whose change is not already in `upstream` as a patch (`git log --cherry-pick
 * --right-only`): a worker rebased onto main and merged leaves its pre-rebase commits in its reflog, but
 * their changes are in main. Merge commits are not counted. One git call per tip.
 */
export async function commitsMissingFrom(cwd: string, upstream: string, tips: UnsavedTip[]): Promise<string[]> {
  const missing = new Set<string>();
  for (const tip of tips) {
    if (tip.source === 'uncommitted') continue;
    const own = new Set(tip.commits);
    const notInUpstream = lines(await runGit(cwd, ['log', '--cherry-pick', '--right-only', '--no-merges', '--format=%H', `${upstream}...${tip.sha}`]));
    for (const sha of notInUpstream) if (own.has(sha)) missing.add(sha);
  }
  return [...missing];
}

/** One archive ref written by {@link archiveTips}: short name (`team-archive/<id>/<timestamp>[-n]`) and commit. */
export interface ArchivedRef {
  ref: string;
  sha: string;
  source: UnsavedSource;
}

/** `2026-11-30T06:01:02.345Z` → `20261130-060102` (UTC). */
export function archiveStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * Creates a branch `team-archive/<id>/<timestamp>` (then `…-2`, `…-3` for more tips, or when the name is
 * taken) at each tip, so `git switch -c <name> <ref>` brings the work back. Throws OperationError on git
 * failure (nothing is deleted by this function).
 */
export async function archiveTips(root: string, id: string, tips: UnsavedTip[], now = new Date()): Promise<ArchivedRef[]> {
  const base = `team-archive/${id}/${archiveStamp(now)}`;
  const archived: ArchivedRef[] = [];
  let n = 1;
  for (const tip of tips) {
    for (;;) {
      const name = n === 1 ? base : `${base}-${n}`;
      n++;
      if (await branchExists(root, name)) continue;
      // `update-ref` with an empty old value refuses to overwrite a ref created meanwhile
      await runGit(root, ['update-ref', '-m', `agent-team: keep ${tip.source} of worker ${id}`, `refs/heads/${name}`, tip.sha, '']);
      archived.push({ ref: name, sha: tip.sha, source: tip.source });
      break;
    }
  }
  if (archived.length !== tips.length) throw new OperationError(`could not archive every commit of ${id}`, { code: 'archive_failed' });
  return archived;
}
