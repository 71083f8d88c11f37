/** `agent-team skill install`: the shipped skills land where each provider looks, project or global. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git, tempDir, tempRepo, writeFile } from '../helpers/repo.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('skill install', () => {
  it.each([
    ['claude', '.claude/skills'],
    ['codex', '.agents/skills'],
    ['gemini', '.gemini/skills'],
    ['opencode', '.opencode/skills'],
  ])('installs both skills for %s in the project (%s)', (provider, folder) => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    const sub = join(repo.dir, 'nested');
    mkdirSync(sub);
    const r = cli(['skill', 'install', '--provider', provider, '--json'], { cwd: sub });
    expect(r.code, r.stderr).toBe(0);
    for (const skill of ['agent-team', 'worker-reply-main']) {
      const file = join(repo.dir, folder, skill, 'SKILL.md');
      expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^---\\nname: ${skill}\\ndescription: `));
    }
    expect(existsSync(join(repo.dir, folder, 'agent-team', 'references', 'node-types.md'))).toBe(true);
    expect(r.json.installed).toHaveLength(2);
  });

  it('installs globally under $HOME with --global, and refuses unknown providers (exit 2)', () => {
    const repo = tempRepo();
    const home = tempDir();
    cleanups.push(repo.cleanup, home.cleanup);
    const r = cli(['skill', 'install', '--global', '--json'], { cwd: repo.dir, env: { HOME: home.dir } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(home.dir, '.claude/skills/agent-team/SKILL.md'))).toBe(true);
    expect(existsSync(join(repo.dir, '.claude'))).toBe(false);
    const bad = cli(['skill', 'install', '--provider', 'cursor', '--json'], { cwd: repo.dir });
    expect(bad.code).toBe(2);
    expect(bad.json.ok).toBe(false);
  });
});

describe('installed skills never get in the way (issue 10, item 5)', () => {
  /** A repo with a team/dev-001 branch one commit ahead (as a worker would leave it). */
  function repoWithWorkerBranch() {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    git(repo.dir, 'checkout', '-q', '-b', 'team/dev-001');
    writeFile(repo.dir, 'feature.txt', 'work\n');
    git(repo.dir, 'add', 'feature.txt');
    git(repo.dir, 'commit', '-q', '-m', 'feature');
    git(repo.dir, 'checkout', '-q', 'main');
    return repo;
  }

  it.each(['claude', 'codex', 'gemini', 'opencode'])('skill install --provider %s leaves git status clean and says how to commit the skills instead', (provider) => {
    const repo = repoWithWorkerBranch();
    const r = cli(['skill', 'install', '--provider', provider, '--json'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(git(repo.dir, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(r.json.excluded).toHaveLength(2);
    expect(r.json.git_add).toMatch(/^git add -f -- \S+\/agent-team \S+\/worker-reply-main$/);
    // the printed line does what it says: the skills become tracked
    execFileSync('bash', ['-c', r.json.git_add], { cwd: repo.dir });
    expect(git(repo.dir, 'diff', '--cached', '--name-only')).toContain('/agent-team/SKILL.md');
  });

  it('worker merge goes ahead after skill install', () => {
    const repo = repoWithWorkerBranch();
    expect(cli(['skill', 'install', '--json'], { cwd: repo.dir }).code).toBe(0);
    const merge = cli(['worker', 'merge', 'dev-001', '--json'], { cwd: repo.dir });
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.json).toMatchObject({ ok: true, merged: true });
  });

  it('worker merge does not count skill folders installed before they were excluded', () => {
    const repo = repoWithWorkerBranch();
    expect(cli(['skill', 'install', '--provider', 'opencode', '--json'], { cwd: repo.dir }).code).toBe(0);
    writeFileSync(join(repo.dir, '.git/info/exclude'), ''); // as an older agent-team left it
    expect(git(repo.dir, 'status', '--porcelain')).toContain('.opencode/');
    const merge = cli(['worker', 'merge', 'dev-001', '--json'], { cwd: repo.dir });
    expect(merge.code, merge.stderr).toBe(0);
    // but a file of the project's own still blocks it
    git(repo.dir, 'reset', '-q', '--hard', 'HEAD~1');
    writeFile(repo.dir, 'notes.txt', 'mine\n');
    const blocked = cli(['worker', 'merge', 'dev-001', '--json'], { cwd: repo.dir });
    expect(blocked.code).toBe(1);
    expect(blocked.json.error).toMatchObject({ code: 'dirty_tree', details: { files: ['notes.txt'] } });
  });
});
