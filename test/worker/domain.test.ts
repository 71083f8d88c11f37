/** Worker domain in temp dirs and real git repositories: ids, worker.yaml, roles, providers, changes, prompts, excludes. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError, UnreadableFileError, UsageError } from '../../src/errors.js';
import { agentReported } from '../../src/worker/activity.js';
import { eventRecord } from '../../src/worker/event-line.js';
import { createChange, localStamp } from '../../src/worker/changes.js';
import { slugify } from '../../src/workflow/names.js';
import { readWorkerConfig, serializeWorkerConfig, updateWorkerConfig } from '../../src/worker/config.js';
import { createWorker } from '../../src/worker/create.js';
import { managedPatterns, withManagedBlock } from '../../src/worker/exclude.js';
import { assertName, nextWorkerId, reserveWorkerId } from '../../src/worker/ids.js';
import { initProject } from '../../src/worker/init.js';
import { prepareWorktree } from '../../src/worker/open.js';
import { readProjectConfig } from '../../src/worker/project-config.js';
import { launchCommand } from '../../src/worker/providers.js';
import { listRoles, resolveRole } from '../../src/worker/roles.js';
import { git, writeFile } from '../helpers/repo.js';
import { makeProject, type Project } from './support.js';

let project: Project;
afterEach(() => project?.cleanup());

describe('names and ids', () => {
  it('accepts role names and ids, rejects paths and spaces (UsageError)', () => {
    expect(assertName('role', 'vite-react-dev')).toBe('vite-react-dev');
    for (const bad of ['../x', 'A B', 'Dev', '-x', '', 'a/b', 'a.b']) expect(() => assertName('role', bad)).toThrow(UsageError);
  });

  it('numbers past config folders, worktree folders and team/* branches', async () => {
    project = makeProject();
    const { root } = project;
    mkdirSync(join(root, '.agents/workers/dev-002'), { recursive: true });
    mkdirSync(join(root, '.worktrees/dev-004'), { recursive: true });
    git(root, 'branch', 'team/dev-007');
    git(root, 'branch', 'team/qa-009');
    expect(nextWorkerId(root, 'dev', ['dev-007'])).toBe('dev-008');
    expect(await reserveWorkerId(root, 'dev')).toBe('dev-008');
    expect(await reserveWorkerId(root, 'dev')).toBe('dev-009');
    expect(await reserveWorkerId(root, 'qa')).toBe('qa-010');
  });

  it('hands out distinct ids to concurrent reservations', async () => {
    project = makeProject();
    const ids = await Promise.all(Array.from({ length: 12 }, () => reserveWorkerId(project.root, 'dev')));
    expect(new Set(ids).size).toBe(12);
  });
});

describe('worker.yaml', () => {
  it('writes the Go fields in Go order', async () => {
    project = makeProject();
    const created = await createWorker(project.root, 'dev', { provider: 'codex', model: 'o3', now: new Date('2026-03-13T15:30:00Z') });
    expect(readFileSync(join(project.root, '.agents/workers/dev-001/worker.yaml'), 'utf8')).toBe(
      [
        'worker_id: dev-001',
        'role: dev',
        'role_scope: project',
        'provider: codex',
        'default_model: o3',
        'pane_id: ""',
        'created_at: "2026-03-13T15:30:00Z"',
        'worktree_created: false',
        '',
      ].join('\n'),
    );
    expect(created.id).toBe('dev-001');
  });

  it('reads Go-written files as they are and keeps unknown fields in place when rewriting', async () => {
    project = makeProject();
    const file = join(project.root, '.agents/workers/dev-003/worker.yaml');
    writeFile(
      project.root,
      '.agents/workers/dev-003/worker.yaml',
      'worker_id: dev-003\nrole: dev\nprovider: claude\nmain_session_id: "9"\npane_id: "42"\ncontroller_pane_id: "3"\ntask_id: t-1\ncreated_at: "2026-03-13T15:30:00Z"\nfuture_field:\n    nested: yes\n',
    );
    const config = readWorkerConfig(project.root, 'dev-003');
    expect(config.worktree_created).toBeUndefined(); // missing means true
    expect(config.pane_id).toBe('42');
    await updateWorkerConfig(project.root, 'dev-003', (c) => {
      c.pane_id = '%5';
    });
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').map((l) => l.split(':')[0])).toEqual([
      'worker_id',
      'role',
      'provider',
      'main_session_id',
      'pane_id',
      'controller_pane_id',
      'task_id',
      'created_at',
      'future_field',
      '    nested',
      '',
    ]);
    expect(text).toContain('pane_id: "%5"');
    expect(text).not.toContain('worktree_created');
  });

  it('reads the oldest default_provider as provider; unknown worker is an OperationError', () => {
    project = makeProject();
    writeFile(project.root, '.agents/workers/dev-001/worker.yaml', 'worker_id: dev-001\nrole: dev\ndefault_provider: codex\npane_id: ""\ncreated_at: "2026-01-01T00:00:00Z"\n');
    expect(readWorkerConfig(project.root, 'dev-001').provider).toBe('codex');
    expect(() => readWorkerConfig(project.root, 'dev-404')).toThrow(OperationError);
    expect(serializeWorkerConfig({ worker_id: 'x-001', role: 'x', provider: 'claude', pane_id: '', created_at: 'c', backend: 'tmux' })).toBe(
      'worker_id: x-001\nrole: x\nprovider: claude\npane_id: ""\ncreated_at: c\nbackend: tmux\n',
    );
  });
});

describe('roles and providers', () => {
  it('finds project roles first, then global ones under AGENT_TEAM_HOME; global needs allowGlobal', async () => {
    project = makeProject();
    const env = { AGENT_TEAM_HOME: project.home };
    writeFile(project.home, 'roles/qa/SKILL.md', '---\nname: qa\ndescription: Tests things\n---\nYou test.\n');
    writeFile(project.home, 'roles/dev/system.md', 'global dev\n');
    writeFile(project.home, 'roles/empty/notes.txt', 'not a role\n');
    expect(resolveRole(project.root, 'dev', env).scope).toBe('project');
    expect(resolveRole(project.root, 'qa', env)).toMatchObject({ scope: 'global', description: 'Tests things' });
    expect(() => resolveRole(project.root, 'empty', env)).toThrow(/not found/);
    expect(listRoles(project.root, env).map((r) => `${r.name}:${r.scope}:${r.shadowed}`)).toEqual(['dev:project:false', 'dev:global:true', 'qa:global:false']);
    await expect(createWorker(project.root, 'qa', { env })).rejects.toMatchObject({ code: 'global_role_needs_confirmation', exitCode: 2 });
    const created = await createWorker(project.root, 'qa', { env, allowGlobal: true });
    expect(created.config).toMatchObject({ role_scope: 'global', role_path: join(project.home, 'roles/qa') });
  });

  it('builds launch commands from built-ins and .agents/config.yaml; unknown providers list the known ones', () => {
    project = makeProject();
    expect(launchCommand(project.root, 'claude')).toBe('claude --dangerously-skip-permissions');
    expect(launchCommand(project.root, 'gemini', 'gemini-2.5-pro')).toBe('gemini --approval-mode yolo --model gemini-2.5-pro');
    expect(launchCommand(project.root, 'scripted')).toMatch(/^node .*scripted-agent\.mjs --log /);
    expect(() => launchCommand(project.root, 'nope')).toThrow(/known providers: claude, codex, gemini, opencode, agy, scripted/);
    expect(() => launchCommand(project.root, 'claude', 'a; rm -rf /')).toThrow(UsageError);
  });

  it('reports a bad config.yaml with the file and the field', () => {
    project = makeProject();
    writeFile(project.root, '.agents/config.yaml', 'providers:\n    aider: 42\n');
    expect(() => readProjectConfig(project.root)).toThrow(UnreadableFileError);
    expect(() => readProjectConfig(project.root)).toThrow(/config\.yaml: providers\.aider: expected the launch command/);
  });
});

describe('init', () => {
  it('creates the folders and a commented config once, then touches nothing', () => {
    project = makeProject({ commitAgents: false });
    const config = join(project.root, '.agents/config.yaml');
    const before = readFileSync(config, 'utf8');
    const first = initProject(project.root);
    expect(first.created).toEqual(['.agents/workflow/', '.agents/workers/']);
    expect(first.existing).toEqual(['.agents/teams/', '.agents/config.yaml']);
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(initProject(project.root).created).toEqual([]);
  });
});

describe('changes', () => {
  it('slugifies like Go and names folders by local time', () => {
    expect(slugify('Add login page!', { max: 50, empty: 'task' })).toBe('add-login-page');
    expect(slugify('***', { max: 50, empty: 'task' })).toBe('task');
    expect(slugify('x'.repeat(80), { max: 50, empty: 'task' }).length).toBe(50);
    expect(localStamp(new Date(2026, 2, 13, 23, 30, 5))).toBe('2026-03-13-23-30-05');
  });

  it('creates change.yaml with the Go fields, proposal/design, and a suffix on a clash', () => {
    project = makeProject();
    const now = new Date(2026, 2, 13, 23, 30, 0);
    const a = createChange(project.root, { description: 'Add login page', assignedTo: 'dev-001', proposal: '# P\n', now });
    const b = createChange(project.root, { description: 'Add login page', assignedTo: 'dev-001', now });
    expect(a.relativeDir).toBe('.tasks/changes/2026-03-13-23-30-00-add-login-page/');
    expect(b.name).toBe('2026-03-13-23-30-00-add-login-page-2');
    expect(readFileSync(join(a.dir, 'change.yaml'), 'utf8')).toBe(
      `name: 2026-03-13-23-30-00-add-login-page\ndescription: Add login page\nstatus: assigned\ncreated_at: "${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}"\nassigned_to: dev-001\n`,
    );
    expect(a.files).toEqual(['change.yaml', 'proposal.md']);
  });
});

describe('role prompt and excludes', () => {
  it('keeps a managed exclude block idempotent and the rest of the file intact', () => {
    const text = withManagedBlock('# user\n*.log\n', ['/.tasks/', '/CLAUDE.md']);
    expect(managedPatterns(text)).toEqual(['/.tasks/', '/CLAUDE.md']);
    expect(withManagedBlock(text, ['/.tasks/', '/CLAUDE.md'])).toBe(text);
    expect(text.startsWith('# user\n*.log\n')).toBe(true);
  });

  it('writes untracked prompt files, leaves tracked ones alone and never touches .gitignore', async () => {
    project = makeProject();
    const { root } = project;
    writeFile(root, '.gitignore', 'node_modules/\n');
    writeFile(root, 'CLAUDE.md', '# Project rules for Claude\n');
    writeFile(root, 'AGENTS.md', '# Project rules for agents\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'project instruction files');
    await createWorker(root, 'dev');
    const prepared = await prepareWorktree(root, 'dev-001');
    const wt = prepared.worktree;
    expect(prepared.promptFiles.sort()).toEqual(['AGENTS.override.md', 'CLAUDE.local.md', 'GEMINI.md']);
    expect(readFileSync(join(wt, 'CLAUDE.md'), 'utf8')).toBe('# Project rules for Claude\n');
    expect(readFileSync(join(wt, 'AGENTS.md'), 'utf8')).toBe('# Project rules for agents\n');
    expect(readFileSync(join(wt, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(readFileSync(join(wt, 'CLAUDE.local.md'), 'utf8')).toContain('You are a careful developer');
    const override = readFileSync(join(wt, 'AGENTS.override.md'), 'utf8');
    expect(override).toMatch(/AGENT_TEAM:END -->\n\n# Project rules for agents\n$/);
    expect(git(wt, 'status', '--porcelain')).toBe('');
    git(wt, 'add', '-A');
    expect(git(wt, 'diff', '--cached', '--name-only')).toBe('');
    const exclude = readFileSync(git(root, 'rev-parse', '--git-path', 'info/exclude').replace(/^(?!\/)/, `${root}/`), 'utf8');
    // the main checkout's runtime folders in the shared exclude, the worktree's own files only for it
    expect(managedPatterns(exclude)).toEqual(['/.agents/workers/', '/.worktrees/']);
    const own = readFileSync(git(wt, 'config', '--worktree', '--get', 'core.excludesFile'), 'utf8');
    expect(managedPatterns(own)).toEqual(['/.claude/skills/worker-reply-main/', '/.tasks/', '/AGENTS.override.md', '/CLAUDE.local.md', '/GEMINI.md']);
    // a file of the same name in the controller's checkout is not hidden
    writeFile(root, 'GEMINI.md', '# the user\'s own notes\n');
    writeFile(root, '.tasks/todo.md', 'mine\n');
    expect(git(root, 'status', '--porcelain')).toBe('?? .tasks/\n?? GEMINI.md');
    expect(readFileSync(join(wt, '.claude/skills/worker-reply-main/SKILL.md'), 'utf8')).toContain('name: worker-reply-main');
    expect(readWorkerConfig(root, 'dev-001').worktree_created).toBe(true);
    // idempotent, and the worker branch starts at the controller's commit
    await prepareWorktree(root, 'dev-001');
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(git(root, 'rev-parse', 'HEAD'));
  });

  it('writes CLAUDE.md / AGENTS.md / GEMINI.md when the project does not track them, reusing an existing branch', async () => {
    project = makeProject();
    const { root } = project;
    await createWorker(root, 'dev');
    git(root, 'branch', 'team/dev-001');
    const prepared = await prepareWorktree(root, 'dev-001');
    expect(prepared.branchCreated).toBe(false);
    expect(prepared.promptFiles.sort()).toEqual(['AGENTS.md', 'CLAUDE.md', 'GEMINI.md']);
    const claude = readFileSync(join(prepared.worktree, 'CLAUDE.md'), 'utf8');
    expect(claude.startsWith('<!-- AGENT_TEAM:START -->\n# System Prompt: dev')).toBe(true);
    expect(claude).toContain('Primary objective: Implements features');
    expect(claude).toContain('agent-team reply-main "Task completed: <summary>"');
    expect(git(root, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(prepared.worktree, '.tasks/config.yaml'))).toBe(true);
  });
});

describe('agentReported (the agent said it runs, which ends worker open\'s start check)', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  const ev = (name: Parameters<typeof eventRecord>[0], s: number) => eventRecord(name, undefined, at(s));
  it.each([
    ['no launch yet', [ev('session-start', 1)], false],
    ['launched, nothing reported', [ev('launch', 1)], false],
    ['an earlier agent reported, then a new launch', [ev('launch', 1), ev('session-start', 2), ev('launch', 3)], false],
    ['only the end of a session (the agent quit)', [ev('launch', 1), ev('session-end', 2)], false],
    ['SessionStart', [ev('launch', 1), ev('session-start', 2)], true],
    ["the first task's prompt", [ev('launch', 1), ev('prompt-submit', 2)], true],
    ['a failed turn (the agent runs, e.g. not logged in)', [ev('launch', 1), ev('turn-failed', 2)], true],
  ] as const)('%s → %s', (_what, events, expected) => {
    expect(agentReported(events)).toBe(expected);
  });
});
