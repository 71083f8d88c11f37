/**
 * Issue 11 item 3: `worker delete` keeps work. Without --force it refuses when the worktree's HEAD (attached
 * or detached) or a commit reachable only from the worktree's or the branch's reflog is on no branch that
 * survives, or when the worktree is locked; --force keeps those commits on `team-archive/<id>/<timestamp>`.
 * Real repositories and worktrees; the built CLI.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git, tempDir, tempRepo, writeFile } from '../helpers/repo.js';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

/** A repository with worker dev-001's worktree `.worktrees/dev-001` on `team/dev-001` (no commits of its own yet). */
function setup(): { root: string; wt: string; run: (...args: string[]) => ReturnType<typeof cli> } {
  const repo = tempRepo();
  const home = tempDir();
  cleanups.push(repo.cleanup, home.cleanup);
  const root = repo.dir;
  writeFile(root, '.gitignore', '.worktrees/\n.agents/workers/\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'ignore runtime folders');
  const wt = join(root, '.worktrees', 'dev-001');
  git(root, 'worktree', 'add', '-q', '-b', 'team/dev-001', wt);
  const env = { AGENT_TEAM_HOME: home.dir, AGENT_TEAM_BACKEND: 'process', GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' };
  return { root, wt, run: (...args) => cli([...args, '--json'], { cwd: root, env }) };
}

function commit(dir: string, file: string, text: string): string {
  writeFile(dir, file, text);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', `add ${file}`);
  return git(dir, 'rev-parse', 'HEAD');
}

describe('worker delete keeps work', () => {
  it('refuses when the worktree has commits on a detached HEAD (not on any branch); the worktree and commit stay', () => {
    const { root, wt, run } = setup();
    git(wt, 'switch', '-q', '--detach');
    const lost = commit(wt, 'detached.txt', 'only here\n');
    const r = run('worker', 'delete', 'dev-001');
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.json.error.code).toBe('unsaved_commits');
    expect(r.json.error.details.commits).toContain(lost);
    expect(r.stderr).toContain('detached');
    expect(existsSync(join(wt, 'detached.txt'))).toBe(true);
    expect(git(root, 'cat-file', '-t', lost)).toBe('commit');
    expect(git(root, 'branch', '--list', 'team/dev-001')).toContain('team/dev-001');
  });

  it("refuses when a commit is reachable only from the worktree's reflog (reset away)", () => {
    const { wt, run } = setup();
    const lost = commit(wt, 'gone.txt', 'reset away\n');
    git(wt, 'reset', '-q', '--hard', 'HEAD~1');
    const r = run('worker', 'delete', 'dev-001');
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'unsaved_commits' });
    expect(r.json.error.details.commits).toContain(lost);
    expect(existsSync(wt)).toBe(true);
  });

  it('refuses a locked worktree, naming the lock reason', () => {
    const { root, wt, run } = setup();
    git(root, 'worktree', 'lock', '--reason', 'on a removable disk', wt);
    const r = run('worker', 'delete', 'dev-001');
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'worktree_locked', details: { reason: 'on a removable disk' } });
    expect(r.stderr).toContain('on a removable disk');
    expect(existsSync(wt)).toBe(true);
    const forced = run('worker', 'delete', 'dev-001', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(wt)).toBe(false);
  });

  it('--force keeps the commits on team-archive/<id>/<timestamp> and says so', () => {
    const { root, wt, run } = setup();
    const onBranch = commit(wt, 'a.txt', 'on the branch\n');
    git(wt, 'switch', '-q', '--detach');
    const detached = commit(wt, 'b.txt', 'detached\n');
    writeFile(wt, 'a.txt', 'uncommitted edit\n');
    const r = run('worker', 'delete', 'dev-001', '--force');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(existsSync(wt)).toBe(false);
    const archived: { ref: string; sha: string; source: string }[] = r.json.archived;
    expect(archived.length).toBeGreaterThanOrEqual(1);
    for (const a of archived) {
      expect(a.ref).toMatch(/^team-archive\/dev-001\/\d{8}-\d{6}(-\d+)?$/);
      expect(git(root, 'rev-parse', `refs/heads/${a.ref}`)).toBe(a.sha);
    }
    // every commit is reachable from an archive ref, and the uncommitted edit too (a stash-like commit)
    const kept = git(root, 'rev-list', '--branches=team-archive/*');
    expect(kept).toContain(onBranch);
    expect(kept).toContain(detached);
    const wip = archived.find((a) => a.source === 'uncommitted');
    expect(wip).toBeDefined();
    expect(git(root, 'show', `${wip?.sha}:a.txt`)).toBe('uncommitted edit');
    const text = cli(['worker', 'status'], { cwd: root });
    expect(text.code).toBe(0);
    expect(r.stderr + JSON.stringify(r.json)).toContain('team-archive/dev-001/');
  });

  it('a worker rebased onto main and merged deletes without --force (its pre-rebase commits are in main as patches)', () => {
    const { root, wt, run } = setup();
    commit(wt, 'feature.txt', 'feature\n');
    commit(root, 'main.txt', 'main moved\n');
    git(wt, 'rebase', '-q', 'main');
    expect(run('worker', 'merge', 'dev-001').code).toBe(0);
    const r = run('worker', 'delete', 'dev-001');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json.archived).toEqual([]);
  });
});
