/**
 * Issue 11 item 1: a merge or a worker's bring-up never replaces a file the target tree has as an ignored
 * or untracked file (git overwrites ignored files silently). Real repositories, the built CLI for `worker merge`.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/errors.js';
import { mergeBranch, updateFrom } from '../../src/git/merge.js';
import { addWorktree } from '../../src/git/worktree.js';
import { cli } from '../helpers/cli.js';
import { git, tempRepo, writeFile } from '../helpers/repo.js';

let repo: { dir: string; cleanup: () => void };
afterEach(() => repo?.cleanup());

/** A repository ignoring `.env` and `build/`, with branch `team/dev-001` that force-added `.env` (WORKER) and added `build/out.js`. */
function setup(): { dir: string; head: string } {
  repo = tempRepo();
  const { dir } = repo;
  writeFile(dir, '.gitignore', '.env\nbuild/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'ignore .env');
  git(dir, 'switch', '-q', '-c', 'team/dev-001');
  writeFile(dir, '.env', 'SECRET=worker\n');
  writeFile(dir, 'build/out.js', 'worker build\n');
  writeFile(dir, 'src/app.js', 'app\n');
  git(dir, 'add', '-f', '.env', 'build/out.js', 'src/app.js');
  git(dir, 'commit', '-q', '-m', 'worker commits .env');
  git(dir, 'switch', '-q', 'main');
  return { dir, head: git(dir, 'rev-parse', 'HEAD') };
}

describe('worker merge refuses to overwrite ignored or untracked files', () => {
  it('CLI: an ignored .env of the controller is kept, exit 1, the file listed, nothing merged', () => {
    const { dir, head } = setup();
    writeFile(dir, '.env', 'SECRET=controller-real\n');
    const r = cli(['worker', 'merge', 'dev-001', '--json'], { cwd: dir });
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.json.error.code).toBe('would_overwrite_untracked');
    expect(r.json.error.details.files).toEqual(['.env']);
    expect(r.stderr).toContain('.env');
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('SECRET=controller-real\n');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'status', '--porcelain', '--ignored')).toBe('!! .env');
    expect(existsSync(join(dir, '.git', 'MERGE_HEAD'))).toBe(false);
  });

  it('--squash too; an ignored folder where the branch adds a file, and an untracked file, are listed', async () => {
    const { dir, head } = setup();
    writeFile(dir, 'build/out.js', 'controller build\n');
    writeFile(dir, 'src/app.js', 'my untracked draft\n');
    const err = await mergeBranch(dir, 'team/dev-001', { squash: true, message: 'm' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as OperationError).details?.files).toEqual(['build/out.js', 'src/app.js']);
    expect(readFileSync(join(dir, 'build/out.js'), 'utf8')).toBe('controller build\n');
    expect(readFileSync(join(dir, 'src/app.js'), 'utf8')).toBe('my untracked draft\n');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'diff', '--cached', '--name-only')).toBe('');
  });

  it('an ignored file where the branch needs a folder (.env -> .env/x) is listed', async () => {
    repo = tempRepo();
    const { dir } = repo;
    writeFile(dir, '.gitignore', '.env\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'ignore');
    git(dir, 'switch', '-q', '-c', 'feature');
    writeFile(dir, '.env/x', 'x\n');
    git(dir, 'add', '-f', '.env/x');
    git(dir, 'commit', '-q', '-m', 'folder');
    git(dir, 'switch', '-q', 'main');
    writeFile(dir, '.env', 'REAL\n');
    await expect(mergeBranch(dir, 'feature', { message: 'm' })).rejects.toMatchObject({ code: 'would_overwrite_untracked', details: { files: ['.env'] } });
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('REAL\n');
  });

  it('merges when nothing is in the way (tracked changes and absent ignored files are fine)', async () => {
    const { dir } = setup();
    const r = await mergeBranch(dir, 'team/dev-001', { message: 'merge' });
    expect(r.merged).toBe(true);
    expect(readFileSync(join(dir, '.env'), 'utf8')).toBe('SECRET=worker\n');
  });
});

describe("worker assign's bring-up (updateFrom) refuses to overwrite a worktree's ignored files", () => {
  it('fast-forward: main adds .env, the worktree has its own ignored .env: refused, both unchanged', async () => {
    repo = tempRepo();
    const { dir } = repo;
    writeFile(dir, '.gitignore', '.env\nCLAUDE.md\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'ignore');
    const wt = join(dir, '.worktrees', 'dev-001');
    await addWorktree(dir, wt, 'team/dev-001', 'HEAD');
    writeFile(wt, '.env', 'worker local secret\n');
    writeFile(wt, 'CLAUDE.md', 'role prompt (agent-team reinstalls it)\n');
    writeFile(dir, '.env', 'from main\n');
    writeFile(dir, 'CLAUDE.md', 'project CLAUDE.md\n');
    git(dir, 'add', '-f', '.env', 'CLAUDE.md');
    git(dir, 'commit', '-q', '-m', 'main commits .env');
    const before = git(wt, 'rev-parse', 'HEAD');
    const err = await updateFrom(wt, 'main', { exempt: ['CLAUDE.md'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as OperationError).code).toBe('would_overwrite_untracked');
    expect((err as OperationError).details?.files).toEqual(['.env']);
    expect(readFileSync(join(wt, '.env'), 'utf8')).toBe('worker local secret\n');
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(before);
    // exempt files (agent-team's own, reinstalled after the update) do not block
    rmSync(join(wt, '.env'));
    expect((await updateFrom(wt, 'main', { exempt: ['CLAUDE.md'] })).method).toBe('fast-forward');
  });

  it('rebase: the worker has commits, main adds a file the worktree has untracked: refused, no rebase left behind', async () => {
    repo = tempRepo();
    const { dir } = repo;
    const wt = join(dir, '.worktrees', 'dev-001');
    await addWorktree(dir, wt, 'team/dev-001', 'HEAD');
    writeFile(wt, 'mine.txt', 'worker\n');
    git(wt, 'add', '-A');
    git(wt, 'commit', '-q', '-m', 'worker work');
    writeFile(wt, 'notes.local', 'untracked notes\n');
    writeFile(dir, 'notes.local', 'main notes\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'main adds notes.local');
    const before = git(wt, 'rev-parse', 'HEAD');
    await expect(updateFrom(wt, 'main')).rejects.toMatchObject({ code: 'would_overwrite_untracked', details: { files: ['notes.local'] } });
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(before);
    expect(readFileSync(join(wt, 'notes.local'), 'utf8')).toBe('untracked notes\n');
  });
});
