/** Read-only repository queries: branches, HEAD, status, tracked files, git paths, commit counts. */
import { isAbsolute, resolve } from 'node:path';
import { lines, runGit, tryGit } from './git.js';

/** The branch checked out in `cwd` (short name, e.g. `main`), or undefined when HEAD is detached. */
export async function currentBranch(cwd: string): Promise<string | undefined> {
  return (await tryGit(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'])) || undefined;
}

/** The commit id HEAD points at in `cwd`. Throws OperationError in an empty repository. */
export async function headSha(cwd: string): Promise<string> {
  return runGit(cwd, ['rev-parse', '--verify', 'HEAD']);
}

/** What the controller works on: `{ ref }` is the branch name, or the commit id when detached. */
export async function currentRef(cwd: string): Promise<{ ref: string; branch?: string; sha: string }> {
  const [branch, sha] = await Promise.all([currentBranch(cwd), headSha(cwd)]);
  return { ref: branch ?? sha, branch, sha };
}

/** Whether `refs/heads/<branch>` exists. */
export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  // Without --quiet git always prints (the sha, or "fatal: Needed a single revision"): simple-git waits
  // ~50 ms more for commands that print nothing.
  return (await tryGit(cwd, ['rev-parse', '--verify', `refs/heads/${branch}`])) !== undefined;
}

/** Local branch names under `prefix` (e.g. `team/`), as short names. */
export async function listBranches(cwd: string, prefix: string): Promise<string[]> {
  // All local branches, filtered here: the list is never empty once there is a commit, and simple-git
  // waits ~50 ms more for commands that print nothing.
  const out = await runGit(cwd, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/']);
  return lines(out).filter((b) => b.startsWith(prefix));
}

/**
 * The branch checked out in `cwd` (`head`, `HEAD` when detached) and the branches under `prefix` whose
 * every commit it already contains (`git for-each-ref --merged HEAD`): one git call.
 */
export async function branchesMergedIntoHead(cwd: string, prefix: string): Promise<{ head: string; merged: string[] }> {
  const out = lines(await runGit(cwd, ['for-each-ref', '--merged', 'HEAD', '--format=%(HEAD)%(refname:short)', 'refs/heads/'], { traced: true }));
  const current = out.find((l) => l.startsWith('*'));
  return { head: current ? current.slice(1) : 'HEAD', merged: out.map((l) => l.replace(/^[* ]/, '')).filter((b) => b.startsWith(prefix)) };
}

/** One `git status --porcelain=v1` entry: the two-letter XY code and the path (the new path for renames). */
export interface StatusEntry {
  code: string;
  path: string;
}

/**
 * `git status` of the worktree at `cwd`: tracked changes (staged or not) and, unless `untracked: false`,
 * untracked files not ignored (ignored files, e.g. agent-team's excluded files, never appear).
 */
export async function statusEntries(cwd: string, options: { untracked?: boolean } = {}): Promise<StatusEntry[]> {
  // traced: a clean worktree prints nothing (git.ts TRACE_LINE)
  const out = await runGit(cwd, ['status', '--porcelain=v1', '-z', `--untracked-files=${options.untracked === false ? 'no' : 'all'}`], { traced: true });
  const parts = out.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (part.length < 4) continue;
    const code = part.slice(0, 2);
    entries.push({ code, path: part.slice(3) });
    if (code.includes('R') || code.includes('C')) i++; // -z puts the original path of a rename next
  }
  return entries;
}

/** The subset of `paths` (relative to `cwd`) that git tracks in the index of `cwd`. */
export async function trackedFiles(cwd: string, paths: string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const out = await runGit(cwd, ['ls-files', '-z', '--', ...paths], { traced: true }); // often prints nothing
  return out.split('\0').filter((p) => p !== '');
}

/** Absolute path git uses for `name` (e.g. `info/exclude`) as seen from `cwd` (`git rev-parse --git-path`). */
export async function gitPath(cwd: string, name: string): Promise<string> {
  const out = await runGit(cwd, ['rev-parse', '--git-path', name]);
  return isAbsolute(out) ? out : resolve(cwd, out);
}

/** Absolute path of the common git folder (the main repository's `.git`) as seen from `cwd`. */
export async function commonDir(cwd: string): Promise<string> {
  const out = await runGit(cwd, ['rev-parse', '--git-common-dir']);
  return isAbsolute(out) ? out : resolve(cwd, out);
}

/** Absolute path of the git folder of the worktree at `cwd` (differs from {@link commonDir} in linked worktrees). */
export async function gitDir(cwd: string): Promise<string> {
  const out = await runGit(cwd, ['rev-parse', '--git-dir']);
  return isAbsolute(out) ? out : resolve(cwd, out);
}

/** Where the worktree containing a folder keeps its files: absolute paths. */
export interface RepoPaths {
  /** The worktree's top folder (`--show-toplevel`). */
  top: string;
  /** Its own git folder (`--git-dir`; `.git/worktrees/<id>` in a linked worktree). */
  gitDir: string;
  /** The common git folder (`--git-common-dir`: the main repository's `.git`). */
  commonDir: string;
}

/**
 * {@link RepoPaths} of the worktree containing `cwd` from one `git rev-parse`, or undefined outside any
 * worktree (not a repository, or inside a `.git` folder). Every CLI command that finds its repository
 * asks this once, so it is one git process, not three.
 */
export async function repoPaths(cwd: string): Promise<RepoPaths | undefined> {
  const out = await tryGit(cwd, ['rev-parse', '--show-toplevel', '--git-dir', '--git-common-dir']);
  const [top, git, common] = lines(out);
  if (!top || !git || !common) return undefined;
  return { top, gitDir: isAbsolute(git) ? git : resolve(cwd, git), commonDir: isAbsolute(common) ? common : resolve(cwd, common) };
}

/** Number of commits in `range` (e.g. `main..team/x`). */
export async function countCommits(cwd: string, range: string): Promise<number> {
  return Number(await runGit(cwd, ['rev-list', '--count', range]));
}

/** Commits only in `left` and only in `right` (`git rev-list --left-right --count left...right`): one git call. */
export async function aheadBehind(cwd: string, left: string, right: string): Promise<{ leftOnly: number; rightOnly: number }> {
  const [l, r] = (await runGit(cwd, ['rev-list', '--left-right', '--count', `${left}...${right}`])).trim().split(/\s+/);
  return { leftOnly: Number(l ?? 0), rightOnly: Number(r ?? 0) };
}

/** Whether commit `ancestor` is reachable from `descendant` (every commit of `ancestor` is in `descendant`). */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  return (await countCommits(cwd, `${descendant}..${ancestor}`)) === 0;
}

/** Paths touched by any commit in `range`, each once. */
export async function pathsTouched(cwd: string, range: string): Promise<string[]> {
  const out = await runGit(cwd, ['log', '--format=', '--name-only', '-z', range]);
  return [...new Set(out.split(/[\0\n]/).filter((p) => p !== ''))];
}

/** Commits in `range` whose diff adds or removes a line matching the regular expression `pattern` (`git log -G`). */
export async function commitsMatching(cwd: string, range: string, pattern: string): Promise<string[]> {
  return lines(await runGit(cwd, ['log', '--format=%H', `-G${pattern}`, range]));
}

/** Paths whose diff between `from` and `to` adds or removes a line matching `pattern` (`git diff -G`). */
export async function diffPathsMatching(cwd: string, from: string, to: string, pattern: string): Promise<string[]> {
  return lines(await runGit(cwd, ['diff', '--name-only', `-G${pattern}`, from, to]));
}

/** The best common ancestor of `a` and `b`. Throws OperationError when they share no history. */
export async function mergeBase(cwd: string, a: string, b: string): Promise<string> {
  return runGit(cwd, ['merge-base', a, b]);
}
