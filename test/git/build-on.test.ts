/**
 * `buildOn` (a node's `builds_on`, `worker assign --builds-on`) merges several branches in order on real
 * git: when a later one conflicts, that merge is aborted, the earlier merges stay, and the message says
 * exactly that (it said the worktree "is unchanged" although it held the earlier branches).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildOn } from '../../src/worker/assign.js';
import { git, tempRepo, writeFile } from '../helpers/repo.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('buildOn with several branches', () => {
  it('a conflict on the second branch keeps the first merged and says so', async () => {
    const repo = tempRepo();
    cleanup = repo.cleanup;
    const base = git(repo.dir, 'rev-parse', 'HEAD').trim();
    for (const [branch, file, text] of [['team/dev-001', 'a.txt', 'a\n'], ['team/dev-002', 'shared.txt', 'two\n']] as const) {
      git(repo.dir, 'checkout', '-q', '-b', branch, base);
      writeFile(repo.dir, file, text);
      git(repo.dir, 'add', '-A');
      git(repo.dir, 'commit', '-q', '-m', `${branch} work`);
    }
    git(repo.dir, 'checkout', '-q', '-b', 'team/qa-001', base);
    writeFile(repo.dir, 'shared.txt', 'qa\n');
    git(repo.dir, 'add', '-A');
    git(repo.dir, 'commit', '-q', '-m', 'qa work');
    const err = await buildOn(repo.dir, ['team/dev-001', 'team/dev-002']).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; details: Record<string, unknown> },
    );
    expect(err?.code).toBe('merge_conflict');
    expect(err?.message).toMatch(/merging team\/dev-002 conflicts in shared\.txt; that merge was aborted/);
    expect(err?.message).toContain('keeps team/dev-001, merged before it');
    expect(err?.message).not.toMatch(/is unchanged/);
    expect(err?.details).toMatchObject({ branch: 'team/dev-002', conflicts: ['shared.txt'], merged: ['team/dev-001'] });
    // the worktree holds dev-001's work, not dev-002's, and no merge is in progress
    expect(git(repo.dir, 'log', '--format=%s').split('\n')).toContain('team/dev-001 work');
    expect(git(repo.dir, 'status', '--porcelain').trim()).toBe('');
  });
});
