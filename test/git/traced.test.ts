/**
 * Traced git calls (src/git/git.ts `{ traced: true }`: GIT_TRACE=2 ends simple-git's 50 ms wait after a
 * command that printed nothing; the saving is measured by `npm run bench`, not here). Real repositories:
 * what a traced call returns and throws is exactly what an untraced one does — no trace line in the
 * output, none in an error message.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGit, tryGit } from '../../src/git/git.js';
import { statusEntries, trackedFiles } from '../../src/git/repo.js';
import { tempRepo } from '../helpers/repo.js';

let repo: { dir: string; cleanup: () => void } | undefined;
afterEach(() => repo?.cleanup());

describe('traced git calls', () => {
  it('return what untraced calls return: a clean status, an empty ls-files, a config write', async () => {
    repo = tempRepo();
    expect(await runGit(repo.dir, ['status', '--porcelain=v1', '-z'], { traced: true })).toBe('');
    expect(await statusEntries(repo.dir)).toEqual([]);
    writeFileSync(join(repo.dir, 'new.txt'), 'x\n');
    expect(await statusEntries(repo.dir)).toEqual([{ code: '??', path: 'new.txt' }]);
    expect(await trackedFiles(repo.dir, ['README.md', 'CLAUDE.md', 'new.txt'])).toEqual(['README.md']);
    expect(await trackedFiles(repo.dir, ['CLAUDE.md'])).toEqual([]);
    expect(await runGit(repo.dir, ['config', 'agentteam.probe', 'yes'], { traced: true })).toBe('');
    expect(await runGit(repo.dir, ['config', 'agentteam.probe'], { traced: true })).toBe('yes');
  });

  it("keep git's own message on failure, without trace lines", async () => {
    repo = tempRepo();
    const err = await runGit(repo.dir, ['rev-parse', '--verify', 'no-such-ref'], { traced: true }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/fatal: Needed a single revision/);
    expect((err as Error).message).not.toMatch(/trace:/);
    const write = await runGit(repo.dir, ['config', 'no-section-key', 'x'], { traced: true }).catch((e: Error) => e);
    expect((write as Error).message).toMatch(/key does not contain a section: no-section-key/);
    expect((write as Error).message).not.toMatch(/trace:/);
    expect(await tryGit(repo.dir, ['config', 'no-section-key', 'x'], { traced: true })).toBeUndefined();
  });
});
