/** src/git over real repositories: merges and rebases that fail leave HEAD and the tree as they were. */
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/errors.js';
import { mergeBranch, updateFrom } from '../../src/git/merge.js';
import { branchExists, commitsMatching, countCommits, currentBranch, isAncestor, statusEntries, trackedFiles } from '../../src/git/repo.js';
import { addWorktree, deleteBranch, listWorktrees, removeWorktree } from '../../src/git/worktree.js';
import { git, tempRepo, writeFile } from '../helpers/repo.js';

let repo: { dir: string; cleanup: () => void };
afterEach(() => repo?.cleanup());

function commit(dir: string, file: string, content: string, message = `edit ${file}`): string {
  writeFile(dir, file, content);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

describe('repo queries', () => {
  it('reports branch, status (renames, untracked), tracked files, ancestry and matching commits', async () => {
    repo = tempRepo();
    const { dir } = repo;
    expect(await currentBranch(dir)).toBe('main');
    git(dir, 'branch', 'feature');
    commit(dir, 'a.txt', 'x <!-- MARK -->\n');
    expect(await isAncestor(dir, 'feature', 'main')).toBe(true);
    expect(await isAncestor(dir, 'main', 'feature')).toBe(false);
    expect(await countCommits(dir, 'feature..main')).toBe(1);
    expect(await commitsMatching(dir, 'feature..main', '<!-- MARK')).toHaveLength(1);
    git(dir, 'mv', 'README.md', 'READ ME.md');
    writeFile(dir, 'new dir/x.txt', 'x');
    expect(await statusEntries(dir)).toEqual([
      { code: 'R ', path: 'READ ME.md' },
      { code: '??', path: 'new dir/x.txt' },
    ]);
    expect(await statusEntries(dir, { untracked: false })).toHaveLength(1);
    expect(await trackedFiles(dir, ['a.txt', 'nope.md'])).toEqual(['a.txt']);
  });
});

describe('worktrees', () => {
  it('adds on a new branch, re-adds on the existing branch, removes and deletes', async () => {
    repo = tempRepo();
    const { dir } = repo;
    const wt = `${dir}/.worktrees/w-001`;
    expect(await addWorktree(dir, wt, 'team/w-001', 'HEAD')).toEqual({ branchCreated: true });
    expect((await listWorktrees(dir)).map((w) => w.branch)).toEqual(['main', 'team/w-001']);
    await expect(addWorktree(dir, wt, 'team/w-001', 'HEAD')).rejects.toThrow(OperationError);
    await removeWorktree(dir, wt);
    expect(await addWorktree(dir, wt, 'team/w-001', 'HEAD')).toEqual({ branchCreated: false });
    await removeWorktree(dir, wt, { force: true });
    await deleteBranch(dir, 'team/w-001');
    expect(await branchExists(dir, 'team/w-001')).toBe(false);
  });
});

describe('mergeBranch', () => {
  it('merges --no-ff with a message, and squashes into one commit', async () => {
    repo = tempRepo();
    const { dir } = repo;
    git(dir, 'checkout', '-q', '-b', 'feature');
    commit(dir, 'f.txt', 'f\n');
    git(dir, 'checkout', '-q', 'main');
    const r = await mergeBranch(dir, 'feature', { message: 'Merge feature' });
    expect(r.merged).toBe(true);
    expect(git(dir, 'log', '-1', '--format=%s%n%P').split('\n')).toEqual(['Merge feature', expect.stringMatching(/^\w+ \w+$/)]);
    expect((await mergeBranch(dir, 'feature', { message: 'again' })).merged).toBe(false);

    git(dir, 'checkout', '-q', '-b', 'feature2');
    commit(dir, 'g.txt', 'g\n');
    git(dir, 'checkout', '-q', 'main');
    const s = await mergeBranch(dir, 'feature2', { message: 'Squash feature2', squash: true });
    expect(s.merged).toBe(true);
    expect(git(dir, 'log', '-1', '--format=%s%n%P').split('\n')[1]).toMatch(/^\w+$/);
  });

  for (const squash of [false, true]) {
    it(`aborts a conflicting ${squash ? 'squash ' : ''}merge: same HEAD, clean tree, conflicts listed`, async () => {
      repo = tempRepo();
      const { dir } = repo;
      git(dir, 'checkout', '-q', '-b', 'feature');
      commit(dir, 'README.md', 'feature version\n');
      git(dir, 'checkout', '-q', 'main');
      const head = commit(dir, 'README.md', 'main version\n');
      const err = await mergeBranch(dir, 'feature', { message: 'm', squash }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationError);
      expect(err).toMatchObject({ code: 'merge_conflict', exitCode: 1, details: { conflicts: ['README.md'] } });
      expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
      expect(git(dir, 'status', '--porcelain')).toBe('');
    });
  }
});

describe('updateFrom', () => {
  it('fast-forwards a worker with no commits of its own, rebases one with commits, aborts a conflicting rebase', async () => {
    repo = tempRepo();
    const { dir } = repo;
    const wt = `${dir}/.worktrees/w-001`;
    await addWorktree(dir, wt, 'team/w-001', 'HEAD');
    expect((await updateFrom(wt, 'main')).method).toBe('none');
    commit(dir, 'main1.txt', '1\n');
    expect((await updateFrom(wt, 'main')).method).toBe('fast-forward');
    commit(wt, 'worker.txt', 'w\n');
    commit(dir, 'main2.txt', '2\n');
    expect((await updateFrom(wt, 'main')).method).toBe('rebase');
    expect(await isAncestor(dir, 'main', 'team/w-001')).toBe(true);

    const before = commit(wt, 'README.md', 'worker edit\n');
    commit(dir, 'README.md', 'main edit\n');
    const err = await updateFrom(wt, 'main').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'update_conflict', details: { conflicts: ['README.md'] } });
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(wt, 'status', '--porcelain')).toBe('');
    expect(await currentBranch(wt)).toBe('team/w-001');
  });
});
