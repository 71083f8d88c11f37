/**
 * Issue 11 item 4: commands that come from the project (a template `command:`, a launch command in
 * `.agents/config.yaml`) run only in a trusted project. Real repositories, the built CLI, a private
 * AGENT_TEAM_HOME per test; `agent-team trust` is the only way in (no bypass).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchCommandsNeedingTrust } from '../../src/trust/check.js';
import { cli } from '../helpers/cli.js';
import { git, tempDir, tempRepo, writeFile } from '../helpers/repo.js';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

const TEMPLATE = (command: string) => `version: 1
name: checks
roles:
  dev: { role: dev }
entry: check
nodes:
  - id: check
    type: controller_task
    task: Run the check
    command: "${command}"
    end: true
`;

function setup(options: { config?: string } = {}) {
  const repo = tempRepo();
  const home = tempDir();
  cleanups.push(repo.cleanup, home.cleanup);
  const root = repo.dir;
  writeFile(root, '.agents/workflow/checks.yaml', TEMPLATE('touch ran-marker'));
  writeFile(root, '.agents/teams/dev/system.md', 'You are a developer.\n');
  if (options.config) writeFile(root, '.agents/config.yaml', options.config);
  writeFile(root, '.gitignore', '.agents/workflow/runs/\n.agents/workers/\n.worktrees/\nran-marker\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'setup');
  const env = { AGENT_TEAM_HOME: join(home.dir, 'home'), AGENT_TEAM_BACKEND: 'process', TMUX: undefined, TMUX_PANE: undefined, AGENT_TEAM_PANE: undefined };
  const run = (...args: string[]) => cli(args, { cwd: root, env });
  const init = () => run('workflow', 'state', 'init', '.agents/workflow/checks.yaml', '--run-id', `r${Date.now()}${Math.random().toString(36).slice(2, 6)}`, '--json').json.path as string;
  return { root, home: env.AGENT_TEAM_HOME, run, init };
}

describe('workflow run needs a trusted project for template commands', () => {
  it('untrusted: exit 1 showing the exact command and the trust command; nothing run, run-state unchanged (--yes is no trust)', () => {
    const { root, run, init } = setup();
    const state = init();
    const before = readFileSync(state, 'utf8');
    const r = run('workflow', 'run', state, '--yes', '--json');
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.json.error.code).toBe('untrusted_project');
    expect(r.stderr).toContain('.agents/workflow/checks.yaml nodes.check.command: touch ran-marker');
    expect(r.json.error.hint).toContain('agent-team trust');
    expect(existsSync(join(root, 'ran-marker'))).toBe(false);
    expect(readFileSync(state, 'utf8')).toBe(before);
  });

  it('after agent-team trust it runs; an edited command stops it again (trust_changed) until trusted again', () => {
    const { root, run, init } = setup();
    const t = run('trust', '--json');
    expect(t.code, t.stderr).toBe(0);
    expect(t.json.commands).toEqual([{ source: 'template', file: '.agents/workflow/checks.yaml', field: 'nodes.check.command', command: 'touch ran-marker' }]);
    const ok = run('workflow', 'run', init(), '--json');
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(existsSync(join(root, 'ran-marker'))).toBe(true);

    writeFile(root, '.agents/workflow/checks.yaml', TEMPLATE('touch other-marker'));
    const changed = run('workflow', 'run', init(), '--yes', '--json');
    expect(changed.code).toBe(1);
    expect(changed.json.error.code).toBe('trust_changed');
    expect(changed.stderr).toContain('touch other-marker');
    expect(existsSync(join(root, 'other-marker'))).toBe(false);
    expect(run('trust', '--json').json.previous).toBe('changed');
    expect(run('workflow', 'run', init(), '--json').code).toBe(0);
    expect(existsSync(join(root, 'other-marker'))).toBe(true);
  });

  it('--list shows the record and its commands; --revoke removes it and run stops again', () => {
    const { home, run, init } = setup();
    run('trust');
    const list = run('trust', '--list', '--json');
    expect(list.code).toBe(0);
    expect(list.json.file).toBe(join(home, 'trust.yaml'));
    expect(list.json.projects).toHaveLength(1);
    expect(list.json.projects[0].hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run('trust', '--revoke', '--json').json.revoked).toBe(true);
    expect(run('trust', '--list', '--json').json.projects).toEqual([]);
    expect(run('workflow', 'run', init(), '--json').json.error.code).toBe('untrusted_project');
  });

  it('an unreadable trust file is named (exit 2) and never overwritten', () => {
    const { home, run } = setup();
    writeFile(home, 'trust.yaml', 'version: 1\nprojects: [ {path: 1\n');
    const r = run('trust', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(home, 'trust.yaml'));
    expect(readFileSync(join(home, 'trust.yaml'), 'utf8')).toBe('version: 1\nprojects: [ {path: 1\n');
  });
});

describe('worker open needs trust for a launch command from .agents/config.yaml', () => {
  it('untrusted: exit 1 listing the launch command; no worktree, no pane, config unchanged', () => {
    const { root, run } = setup({ config: 'providers:\n    evil: "touch pwned-marker"\n' });
    expect(run('worker', 'create', 'dev', '--provider', 'evil', '--json').code).toBe(0);
    const config = readFileSync(join(root, '.agents/workers/dev-001/worker.yaml'), 'utf8');
    const r = run('worker', 'open', 'dev-001', '--json');
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.json.error.code).toBe('untrusted_project');
    expect(r.stderr).toContain('.agents/config.yaml providers.evil: touch pwned-marker');
    expect(existsSync(join(root, '.worktrees/dev-001'))).toBe(false);
    expect(readFileSync(join(root, '.agents/workers/dev-001/worker.yaml'), 'utf8')).toBe(config);
    expect(existsSync(join(root, 'pwned-marker'))).toBe(false);
  });

  it('trust covers like:: changing the built-in a provider behaves like stops worker open (trust_changed) until trusted again', () => {
    const { root, run } = setup({ config: 'providers:\n    mine: { command: "touch like-marker", like: opencode }\n' });
    expect(run('trust', '--json').code).toBe(0);
    expect(run('worker', 'create', 'dev', '--provider', 'mine', '--json').code).toBe(0);
    // the same command, now with claude's hook flags and first task on its command line
    writeFileSync(join(root, '.agents/config.yaml'), 'providers:\n    mine: { command: "touch like-marker", like: claude }\n');
    const r = run('worker', 'open', 'dev-001', '--json');
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.json.error.code).toBe('trust_changed');
    expect(r.stderr).toContain('.agents/config.yaml providers.mine: touch like-marker (like: claude)');
    expect(existsSync(join(root, '.worktrees/dev-001'))).toBe(false);
    expect(existsSync(join(root, 'like-marker'))).toBe(false);
    expect(run('trust', '--json').code).toBe(0);
    expect(run('trust', '--list', '--json').stdout).toContain('"like": "claude"');
  });

  it('built-in providers need no trust unless the config overrides them', () => {
    const { root } = setup({ config: 'providers:\n    aider: "aider --yes"\n' });
    expect(launchCommandsNeedingTrust(root, 'claude')).toEqual([]);
    expect(launchCommandsNeedingTrust(root, 'aider')).toHaveLength(1);
    writeFileSync(join(root, '.agents/config.yaml'), 'providers:\n    claude: "claude --evil"\n');
    expect(launchCommandsNeedingTrust(root, 'claude')).toEqual([{ source: 'config', file: '.agents/config.yaml', field: 'providers.claude', command: 'claude --evil' }]);
  });
});

describe('validate lists the commands a template runs', () => {
  it('--json has commands; the text names them and the trust step', () => {
    const { run } = setup();
    const j = run('workflow', 'validate', '.agents/workflow/checks.yaml', '--json');
    expect(j.code).toBe(0);
    expect(j.json.commands).toEqual([{ node: 'check', command: 'touch ran-marker' }]);
    const t = run('workflow', 'validate', '.agents/workflow/checks.yaml');
    expect(t.stdout).toContain('check: touch ran-marker');
    expect(t.stdout).toContain('agent-team trust');
  });
});
