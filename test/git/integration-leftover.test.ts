/**
 * A killed merge train's leftover integration branch is removed by the next train, but never a worktree
 * that is not the train's own scratch folder: with the branch checked out in the project itself (a person
 * looking at what the train merged), the removal refused and removed nothing. Before, it ran
 * `worktree remove --force` and then deleted that folder recursively: the whole project, `.git` included
 * (found by review). Real git; the train's helper is called in-process.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { integrationBranch, leftoverIntegrations, TRAIN_DIR_PREFIX, withIntegration } from '../../src/git/integration.js';
import { git, tempRepo, writeFile } from '../helpers/repo.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('leftover integration branches', () => {
  it('checked out in the project itself: refused, nothing removed, the project and its work intact', async () => {
    const repo = tempRepo();
    cleanup = repo.cleanup;
    const branch = integrationBranch('merge_all');
    git(repo.dir, 'switch', '-q', '-c', branch);
    writeFile(repo.dir, 'notes.txt', 'my uncommitted work\n');
    const [leftover] = await leftoverIntegrations(repo.dir);
    expect(leftover).toMatchObject({ branch, worktrees: [], foreign: [repo.dir] });
    let ran = false;
    await expect(withIntegration(repo.dir, branch, async () => void (ran = true))).rejects.toMatchObject({ code: 'integration_checked_out' });
    expect(ran).toBe(false);
    expect(existsSync(join(repo.dir, '.git'))).toBe(true);
    expect(existsSync(join(repo.dir, 'notes.txt'))).toBe(true);
    expect(git(repo.dir, 'branch', '--show-current')).toBe(branch);
  });

  it("a train's own scratch worktree is removed with the branch, and the train goes on", async () => {
    const repo = tempRepo();
    // as the train makes it: a fresh temp name, the worktree added there
    const scratch = mkdtempSync(join(tmpdir(), TRAIN_DIR_PREFIX));
    rmSync(scratch, { recursive: true });
    cleanup = repo.cleanup;
    const branch = integrationBranch('merge_all');
    git(repo.dir, 'worktree', 'add', '-q', '-b', branch, scratch);
    const warnings = await withIntegration(repo.dir, branch, async (w) => w);
    expect(warnings.join('\n')).toMatch(/removed the leftover integration branch agent-team\/integration\/merge_all and its worktree/);
    expect(existsSync(scratch)).toBe(false);
    expect(git(repo.dir, 'branch', '--list', branch)).toBe('');
  });
});
