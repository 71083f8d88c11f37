/**
 * How many git processes a worker command spends finding its repository: one `git rev-parse` for the
 * worktree's top folder, git folder and common git folder together (it was two or three, on every
 * `worker …` command and `reply-main`). Every git the CLI starts is counted by a `git` first on PATH that
 * logs its arguments and runs the real git. Built CLI, real git, a real linked worktree.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git, tempDir, tempRepo } from '../helpers/repo.js';

describe('git calls that find the repository', () => {
  let repo: { dir: string; cleanup: () => void };
  let bin: { dir: string; cleanup: () => void };
  let log: string;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    repo = tempRepo();
    git(repo.dir, 'worktree', 'add', '-q', '-b', 'team/dev-001', join(repo.dir, '.worktrees', 'dev-001'));
    mkdirSync(join(repo.dir, '.worktrees', 'dev-001', 'src'), { recursive: true });
    bin = tempDir('agent-team-git-log-');
    log = join(bin.dir, 'calls.log');
    const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin.dir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin.dir, 'git'), 0o755);
    env = { PATH: `${bin.dir}:${process.env.PATH}`, AGENT_TEAM_BACKEND: 'process' };
  });

  afterAll(() => {
    repo?.cleanup();
    bin?.cleanup();
  });

  /** The `git rev-parse` calls `agent-team <args> --json` made from `cwd`, and its result. */
  function revParses(args: string[], cwd: string) {
    rmSync(log, { force: true });
    const r = cli([...args, '--json'], { cwd, env });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('rev-parse --show-toplevel') || l.startsWith('rev-parse --git-')) : [];
    return { r, calls };
  }

  it('worker status, from the repository and from a folder of a linked worktree: one rev-parse, the main root found', () => {
    for (const cwd of [repo.dir, join(repo.dir, '.worktrees', 'dev-001', 'src')]) {
      const { r, calls } = revParses(['worker', 'status'], cwd);
      expect(r.code, r.stderr).toBe(0);
      expect(calls).toEqual(['rev-parse --show-toplevel --git-dir --git-common-dir']);
    }
  });

  it('outside a repository: the same one call, and not_a_repository (exit 2)', () => {
    const outside = tempDir();
    try {
      const { r, calls } = revParses(['worker', 'status'], outside.dir);
      expect(r.code).toBe(2);
      expect(r.json.error.code).toBe('not_a_repository');
      expect(calls).toHaveLength(1);
    } finally {
      outside.cleanup();
    }
  });
});
