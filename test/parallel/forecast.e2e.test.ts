/**
 * Conflict forecast through the built CLI: `worker status --json` and `workflow state next --json` name,
 * for the active worker branches, the files that would conflict with the target and with each other
 * (`git merge-tree --write-tree`), and nothing in any working tree changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git, tempRepo, writeFile } from '../helpers/repo.js';
import { fixture } from './support.js';

/** split → [api, ui] → integrate: two active worker nodes whose branches the forecast compares. */
const FORK = fixture('fork');

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function branch(dir: string, name: string, files: Record<string, string>): void {
  git(dir, 'branch', name, 'main');
  git(dir, 'switch', '-q', name);
  for (const [path, text] of Object.entries(files)) writeFile(dir, path, text);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', `work on ${name}`);
  git(dir, 'switch', '-q', 'main');
}

describe('conflict forecast', () => {
  it('worker status and state next name the file two active branches would conflict in', () => {
    const repo = tempRepo('agent-team-forecast-');
    cleanup = repo.cleanup;
    const dir = repo.dir;
    const env = { AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: `${dir}/.home`, TMUX: undefined, TMUX_PANE: undefined };
    writeFile(dir, '.agents/teams/dev/system.md', 'You build things.\n');
    writeFile(dir, '.agents/workflow/fork.yaml', FORK);
    writeFile(dir, '.gitignore', '.agents/workers/\n.agents/workflow/runs/\n.home/\n');
    writeFile(dir, 'shared.txt', 'base\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'setup');
    for (let i = 0; i < 2; i++) expect(cli(['worker', 'create', 'dev', '--yes', '--json'], { cwd: dir, env }).code).toBe(0);
    branch(dir, 'team/dev-001', { 'shared.txt': 'api version\n', 'api.txt': 'api\n' });
    branch(dir, 'team/dev-002', { 'shared.txt': 'ui version\n', 'ui.txt': 'ui\n' });
    const heads = git(dir, 'for-each-ref', '--format=%(refname) %(objectname)');

    const status = cli(['worker', 'status', '--json'], { cwd: dir, env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.json.forecast).toEqual([{ branch: 'team/dev-001', with: 'team/dev-002', files: ['shared.txt'] }]);
    const text = cli(['worker', 'status'], { cwd: dir, env });
    expect(text.stdout).toContain('team/dev-001 × team/dev-002: shared.txt');

    const init = cli(['workflow', 'state', 'init', '.agents/workflow/fork.yaml', '--run-id', 'r1', '--json'], { cwd: dir, env });
    expect(init.code, init.stderr).toBe(0);
    const file = '.agents/workflow/runs/fork/r1.yaml';
    for (const args of [
      ['complete', file, '--node', 'split'],
      ['start', file, '--node', 'api', '--worker', 'dev-001'],
      ['start', file, '--node', 'ui', '--worker', 'dev-002'],
    ]) {
      const r = cli(['workflow', 'state', ...args, '--json'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
    }
    const next = cli(['workflow', 'state', 'next', file, '--json'], { cwd: dir, env });
    expect(next.code, next.stderr).toBe(0);
    expect(next.json.steps.map((s: any) => s.node.id)).toEqual(['api', 'ui']);
    expect(next.json.forecast).toEqual([{ branch: 'team/dev-001', with: 'team/dev-002', files: ['shared.txt'] }]);

    // nothing was checked out or moved
    expect(git(dir, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(heads);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('state next keeps the forecast at the join, after the instances completed, for the run\'s unmerged branches only', () => {
    const repo = tempRepo('agent-team-forecast-');
    cleanup = repo.cleanup;
    const dir = repo.dir;
    const env = { AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: `${dir}/.home`, TMUX: undefined, TMUX_PANE: undefined };
    writeFile(dir, '.agents/teams/dev/system.md', 'You build things.\n');
    writeFile(dir, '.agents/workflow/fork.yaml', FORK);
    writeFile(dir, '.gitignore', '.agents/workers/\n.agents/workflow/runs/\n.home/\n');
    writeFile(dir, 'shared.txt', 'base\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'setup');
    for (let i = 0; i < 3; i++) expect(cli(['worker', 'create', 'dev', '--yes', '--json'], { cwd: dir, env }).code).toBe(0);
    branch(dir, 'team/dev-001', { 'shared.txt': 'api version\n', 'api.txt': 'api\n' });
    branch(dir, 'team/dev-002', { 'shared.txt': 'ui version\n', 'ui.txt': 'ui\n' });
    // dev-003 is no worker of this run: its branch conflicts too, but this run's forecast leaves it out
    branch(dir, 'team/dev-003', { 'shared.txt': 'other run\n' });

    const init = cli(['workflow', 'state', 'init', '.agents/workflow/fork.yaml', '--run-id', 'r1', '--json'], { cwd: dir, env });
    expect(init.code, init.stderr).toBe(0);
    const file = '.agents/workflow/runs/fork/r1.yaml';
    for (const args of [
      ['complete', file, '--node', 'split'],
      ['start', file, '--node', 'api', '--worker', 'dev-001'],
      ['start', file, '--node', 'ui', '--worker', 'dev-002'],
      ['complete', file, '--node', 'api', '--summary', 'api built'],
      ['complete', file, '--node', 'ui', '--summary', 'ui built'],
    ]) {
      const r = cli(['workflow', 'state', ...args, '--json'], { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
    }
    const next = cli(['workflow', 'state', 'next', file, '--json'], { cwd: dir, env });
    expect(next.code, next.stderr).toBe(0);
    expect(next.json.node.id).toBe('integrate');
    expect(next.json.forecast).toEqual([{ branch: 'team/dev-001', with: 'team/dev-002', files: ['shared.txt'] }]);
    const text = cli(['workflow', 'state', 'next', file], { cwd: dir, env });
    expect(text.stdout).toContain('team/dev-001 × team/dev-002: shared.txt');

    // once dev-001's branch is merged into main, the conflict shows against main (dev-001's branch drops out)
    git(dir, 'merge', '-q', '--no-ff', '-m', 'merge api', 'team/dev-001');
    const after = cli(['workflow', 'state', 'next', file, '--json'], { cwd: dir, env });
    expect(after.code, after.stderr).toBe(0);
    expect(after.json.forecast).toEqual([{ branch: 'team/dev-002', with: 'main', files: ['shared.txt'] }]);
  });
});
