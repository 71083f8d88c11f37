/**
 * Opening workers at once (issue 12, the integration finding "git worktree add failed"): two steps of
 * one `workflow run` (or two runs) open different workers concurrently, and git's own `worktree add`
 * is not safe against itself — one add reads the other's half-written `.git/worktrees/<name>/` (an
 * empty `commondir`) and dies ("failed to read …/commondir"), after it had already created its branch.
 * The retry then ran `git worktree add -b` for a branch that now existed and failed for good. Real
 * repositories, real git.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addWorktree, listWorktrees } from '../../src/git/worktree.js';
import { git, tempRepo } from '../helpers/repo.js';

let repo: { dir: string; cleanup: () => void } | undefined;
afterEach(() => repo?.cleanup());

describe('addWorktree while other worktrees are being added', () => {
  it('a first attempt that died on another add\'s half-written admin folder (its branch made) is retried on that branch', async () => {
    repo = tempRepo();
    const { dir } = repo;
    const head = git(dir, 'rev-parse', 'HEAD');
    // what a concurrent `git worktree add` has written a moment before it writes commondir
    const ghost = join(dir, '.git', 'worktrees', 'dev-009');
    mkdirSync(ghost, { recursive: true });
    writeFileSync(join(ghost, 'commondir'), '');
    writeFileSync(join(ghost, 'gitdir'), `${join(dir, '.worktrees', 'dev-009', '.git')}\n`);
    writeFileSync(join(ghost, 'HEAD'), 'ref: refs/heads/main\n');
    const path = join(dir, '.worktrees', 'dev-001');
    await expect(addWorktree(dir, path, 'team/dev-001', head)).resolves.toEqual({ branchCreated: true });
    const listed = (await listWorktrees(dir)).find((w) => w.path === path);
    expect(listed).toMatchObject({ branch: 'team/dev-001', head });
    expect(git(path, 'status', '--porcelain')).toBe('');
  });

  it('one worker opened twice at once: the second add uses the worktree the first one finished', async () => {
    repo = tempRepo();
    const { dir } = repo;
    const head = git(dir, 'rev-parse', 'HEAD');
    const path = join(dir, '.worktrees', 'dev-001');
    const results = await Promise.all([addWorktree(dir, path, 'team/dev-001', head), addWorktree(dir, path, 'team/dev-001', head)]);
    expect(results.map((r) => r.branchCreated).sort()).toEqual([false, true]);
    expect((await listWorktrees(dir)).filter((w) => w.path === path)).toHaveLength(1);
    expect(git(path, 'status', '--porcelain')).toBe('');
  });

  it('six workers opened at once, three times over: every worktree is made on its own branch', async () => {
    repo = tempRepo();
    const { dir } = repo;
    const head = git(dir, 'rev-parse', 'HEAD');
    for (let round = 1; round <= 3; round++) {
      const ids = Array.from({ length: 6 }, (_, i) => `dev-${round}${i}`);
      const results = await Promise.allSettled(ids.map((id) => addWorktree(dir, join(dir, '.worktrees', id), `team/${id}`, head)));
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    }
    const branches = (await listWorktrees(dir)).map((w) => w.branch).filter((b) => b?.startsWith('team/'));
    expect(branches).toHaveLength(18);
    // the turn-taking lock is gone once the adds are done
    expect(existsSync(join(dir, '.git', 'agent-team-worktree-add.lock'))).toBe(false);
  });
});
