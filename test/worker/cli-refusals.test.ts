/** The built CLI's refusals and usage errors: exit codes, error codes, and that nothing changed. */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorker } from '../../src/worker/create.js';
import { prepareWorktree } from '../../src/worker/open.js';
import { cli, cliAsync } from '../helpers/cli.js';
import { git, writeFile } from '../helpers/repo.js';
import { makeProject, type Project } from './support.js';

let project: Project;
afterEach(() => project?.cleanup());

function setup(): { root: string; run: (...args: string[]) => ReturnType<typeof cli> } {
  project = makeProject();
  const env = { AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: project.home, TMUX: undefined, TMUX_PANE: undefined, AGENT_TEAM_PANE: undefined, AGENT_TEAM_WORKER_ID: undefined };
  return { root: project.root, run: (...args: string[]) => cli([...args, '--json'], { cwd: project.root, env }) };
}

function commit(dir: string, file: string, content: string): string {
  writeFile(dir, file, content);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', `edit ${file}`);
  return git(dir, 'rev-parse', 'HEAD');
}

/**
 * A worker `dev-001` with its worktree (no pane) and one commit on its branch, made in-process (`worker
 * create` and the worktree half of `worker open`; the CLI's create is tested above, open in e2e-process).
 */
async function workerWithCommit(root: string, file = 'README.md', content = 'worker version\n') {
  const env = { ...process.env, AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: project.home };
  expect((await createWorker(root, 'dev', { env })).id).toBe('dev-001');
  const { worktree } = await prepareWorktree(root, 'dev-001', { env });
  commit(worktree, file, content);
  return worktree;
}

describe('names, providers, roles', () => {
  it('refuses bad ids and role names with exit 2 before touching files or git', () => {
    const { root, run } = setup();
    const branchesBefore = git(root, 'branch', '--list');
    for (const args of [
      ['worker', 'create', '../x'],
      ['worker', 'create', 'A B'],
      ['worker', 'open', '../x'],
      ['worker', 'open', 'A B'],
      ['worker', 'assign', '../x', 'do it'],
      ['worker', 'merge', '../x'],
      ['worker', 'close', 'A B'],
      ['worker', 'delete', '../x', '--force'],
      ['reply', '../x', 'hi'],
    ]) {
      const r = run(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.json.error.code).toBe('invalid_name');
    }
    expect(existsSync(join(root, '.agents/workers'))).toBe(false);
    expect(existsSync(join(root, '.worktrees'))).toBe(false);
    expect(git(root, 'branch', '--list')).toBe(branchesBefore);
  });

  it('refuses an unknown provider with exit 2 listing the known ones', () => {
    const { root, run } = setup();
    const r = run('worker', 'create', 'dev', '--provider', 'nope');
    expect(r.code).toBe(2);
    expect(r.json.error.message).toBe('unknown provider "nope"; known providers: claude, codex, gemini, opencode, agy, scripted');
    expect(existsSync(join(root, '.agents/workers'))).toBe(false);
  });

  it('reports an invalid .agents/config.yaml naming the file and the field (exit 2)', () => {
    const { root, run } = setup();
    writeFile(root, '.agents/config.yaml', 'providers:\n    aider: [1, 2]\n');
    const r = run('worker', 'create', 'dev');
    expect(r.code).toBe(2);
    expect(r.json.error.message).toMatch(/\.agents\/config\.yaml: providers\.aider: expected the launch command as a string/);
  });

  it('needs --yes for a global role without a TTY; lists roles of both scopes', () => {
    const { run } = setup();
    writeFile(project.home, 'roles/reviewer/system.md', 'You review.\n');
    const refused = run('worker', 'create', 'reviewer');
    expect(refused.code).toBe(2);
    expect(refused.json.error.message).toMatch(/global role .* rerun with --yes/);
    const ok = run('worker', 'create', 'reviewer', '--yes');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ worker_id: 'reviewer-001', role_scope: 'global' });
    const roles = run('role', 'list');
    expect(roles.json.roles.map((r: { name: string; scope: string }) => `${r.name}:${r.scope}`)).toEqual(['dev:project', 'reviewer:global']);
  });

  it('hands out distinct ids to concurrent creates', async () => {
    const { root } = setup();
    const env = { AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: project.home };
    const results = await Promise.all(Array.from({ length: 6 }, () => cliAsync(['worker', 'create', 'dev'], { cwd: root, env })));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(results.map((r) => r.stdout.trim()).sort()).toEqual(['dev-001', 'dev-002', 'dev-003', 'dev-004', 'dev-005', 'dev-006']);
    expect(readdirSync(join(root, '.agents/workers')).sort()).toHaveLength(6);
  });

  it('init is optional and idempotent', () => {
    const { root, run } = setup();
    const first = run('init');
    expect(first.code).toBe(0);
    expect(first.json.created).toEqual(['.agents/workflow/', '.agents/workers/']);
    expect(readFileSync(join(root, '.agents/config.yaml'), 'utf8')).toContain('scripted');
    expect(run('init').json.created).toEqual([]);
  });
});

describe('merge refusals', () => {
  it('refuses with a dirty tree (exit 1), but untracked files under .agents/ do not count', async () => {
    const { root, run } = setup();
    await workerWithCommit(root, 'feature.txt', 'new\n');
    writeFile(root, 'README.md', 'uncommitted\n');
    const head = git(root, 'rev-parse', 'HEAD');
    const r = run('worker', 'merge', 'dev-001');
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'dirty_tree', details: { files: ['README.md'] } });
    expect(git(root, 'rev-parse', 'HEAD')).toBe(head);
    git(root, 'checkout', '--', 'README.md');
    writeFile(root, '.agents/notes.txt', 'scratch\n');
    const ok = run('worker', 'merge', 'dev-001');
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(root, 'feature.txt'), 'utf8')).toBe('new\n');
  });

  it('aborts a conflicting merge: exit 1, conflicts listed, same HEAD, clean tree', async () => {
    const { root, run } = setup();
    await workerWithCommit(root);
    const head = commit(root, 'README.md', 'controller version\n');
    for (const squash of [[], ['--squash']]) {
      const r = run('worker', 'merge', 'dev-001', ...squash);
      expect(r.code).toBe(1);
      expect(r.json.error).toMatchObject({ code: 'merge_conflict', details: { conflicts: ['README.md'] } });
      expect(git(root, 'rev-parse', 'HEAD')).toBe(head);
      expect(git(root, 'status', '--porcelain')).toBe('');
      expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('controller version\n');
    }
  });

  it('refuses a branch whose commits carry a role prompt or .tasks/', async () => {
    const { root, run } = setup();
    const wt = await workerWithCommit(root, 'ok.txt', 'ok\n');
    git(wt, 'add', '-f', 'CLAUDE.md');
    git(wt, 'commit', '-q', '-m', 'oops, role prompt');
    git(wt, 'rm', '-q', '--cached', 'CLAUDE.md');
    git(wt, 'commit', '-q', '-m', 'remove it again');
    const head = git(root, 'rev-parse', 'HEAD');
    const r = run('worker', 'merge', 'dev-001');
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('role_prompt_in_branch');
    expect(r.json.error.details.commits).toHaveLength(2);
    expect(git(root, 'rev-parse', 'HEAD')).toBe(head);
    // squash only looks at the final diff, which no longer has it
    expect(run('worker', 'merge', 'dev-001', '--squash').code).toBe(0);
    expect(git(root, 'log', '-p')).not.toContain('AGENT_TEAM');

    git(wt, 'add', '-f', '.tasks');
    git(wt, 'commit', '-q', '-m', 'tasks too');
    const t = run('worker', 'merge', 'dev-001', '--squash');
    expect(t.code).toBe(1);
    expect(t.json.error.code).toBe('role_prompt_in_branch');
  });
});

describe('delete, assign and reply refusals', () => {
  it('refuses to delete a worker with uncommitted work or unmerged commits unless --force', async () => {
    const { root, run } = setup();
    const wt = await workerWithCommit(root, 'done.txt', 'done\n');
    writeFile(wt, 'wip.txt', 'work in progress\n');
    const dirty = run('worker', 'delete', 'dev-001');
    expect(dirty.code).toBe(1);
    expect(dirty.json.error).toMatchObject({ code: 'uncommitted_work', details: { files: ['wip.txt'] } });
    expect(existsSync(join(wt, 'wip.txt'))).toBe(true);
    git(wt, 'add', 'wip.txt');
    git(wt, 'commit', '-q', '-m', 'wip');
    const unmerged = run('worker', 'delete', 'dev-001');
    expect(unmerged.code).toBe(1);
    expect(unmerged.json.error).toMatchObject({ code: 'unmerged_commits', details: { commits: 2 } });
    expect(run('worker', 'merge', 'dev-001').code).toBe(0);
    const deleted = run('worker', 'delete', 'dev-001');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(existsSync(wt)).toBe(false);
    expect(git(root, 'branch', '--list', 'team/*')).toBe('');
  });

  it('assign to an idle worker whose branch conflicts with yours: exit 1, nothing created or typed', async () => {
    const { root, run } = setup();
    const wt = await workerWithCommit(root);
    const workerHead = git(wt, 'rev-parse', 'HEAD');
    commit(root, 'README.md', 'controller version\n');
    const r = run('worker', 'assign', 'dev-001', 'Next thing');
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'update_conflict', details: { conflicts: ['README.md'] } });
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(workerHead);
    expect(git(wt, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(wt, '.tasks/changes'))).toBe(false);
    expect(readFileSync(join(root, '.agents/workers/dev-001/worker.yaml'), 'utf8')).toContain('pane_id: ""');
  });

  it('reply-main: exit 2 outside a worker worktree; with no controller pane and no run, exit 0 kept as the last reply, exit 1 only when it reached nothing', async () => {
    const { root, run } = setup();
    const outside = run('reply-main', 'hello');
    expect(outside.code).toBe(2);
    expect(outside.json.error.code).toBe('not_in_worktree');
    const wt = await workerWithCommit(root, 'x.txt', 'x\n');
    const replyMain = () => cli(['reply-main', 'Task completed: x', '--json'], { cwd: join(wt, '.tasks'), env: { AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_WORKER_ID: undefined } });
    const kept = replyMain();
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.json).toMatchObject({ ok: true, delivered: false, recorded: [], worker_record: join(root, '.agents/workers/dev-001/last-reply.yaml') });
    expect(kept.stderr).toContain('no controller pane recorded for worker dev-001');
    expect(readFileSync(join(root, '.agents/workers/dev-001/last-reply.yaml'), 'utf8')).toContain('message: "Task completed: x"');
    // an unreadable worker record is never overwritten, and nothing else took the reply: exit 1, file untouched
    writeFile(root, '.agents/workers/dev-001/last-reply.yaml', 'message: [unclosed\n');
    const lost = replyMain();
    expect(lost.code).toBe(1);
    expect(lost.json.error).toMatchObject({ code: 'no_controller_pane' });
    expect(lost.json.error.message).toContain('dev-001');
    expect(lost.json.error.message).toContain('last-reply.yaml');
    expect(readFileSync(join(root, '.agents/workers/dev-001/last-reply.yaml'), 'utf8')).toBe('message: [unclosed\n');
    // the worker record cannot be written (a folder in its place)
    rmSync(join(root, '.agents/workers/dev-001/last-reply.yaml'));
    mkdirSync(join(root, '.agents/workers/dev-001/last-reply.yaml'));
    expect(replyMain().code).toBe(1);
  });
});
