/**
 * End to end with the built CLI, real git and real tmux on a private server (`AGENT_TEAM_TMUX_SOCKET`,
 * killed in afterAll; never the default server): create → open → assign → the scripted stand-in agent
 * commits and runs reply-main → the controller pane receives it → merge → reply → close → delete.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { git } from '../helpers/repo.js';
import { makeProject, waitForText, type Project } from './support.js';
import { hasTmux } from '../helpers/private-tmux.js';


const socket = `agent-team-worker-e2e-${process.pid}-${Date.now()}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();

describe.skipIf(!hasTmux)('workers over tmux (private socket)', () => {
  let project: Project;
  let controllerPane: string;
  let controllerLog: string;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    project = makeProject();
    controllerLog = join(project.home, 'controller.log');
    // the controller's pane: whatever is typed into it is appended to controller.log
    controllerPane = tmux('new-session', '-d', '-s', 'controller', '-x', '200', '-y', '50', '-P', '-F', '#{pane_id}', `cat >> '${controllerLog}'`);
    env = {
      AGENT_TEAM_BACKEND: 'tmux',
      AGENT_TEAM_TMUX_SOCKET: socket,
      AGENT_TEAM_HOME: project.home,
      TMUX: undefined,
      TMUX_PANE: controllerPane,
      WEZTERM_PANE: undefined,
      AGENT_TEAM_PANE: undefined,
    };
  });

  afterAll(() => {
    let socketPath: string | undefined;
    try {
      socketPath = tmux('display-message', '-p', '-t', controllerPane, '#{socket_path}');
      tmux('kill-server');
    } catch {
      // already gone
    }
    // tmux leaves its socket file behind after kill-server
    if (socketPath) rmSync(socketPath, { force: true });
    project?.cleanup();
  });

  it('runs the whole flow: create, open, assign, reply-main, merge, reply, close, delete', async () => {
    const { root } = project;
    const run = (...args: string[]) => cli([...args, '--json'], { cwd: root, env });

    const created = run('worker', 'create', 'dev', '--provider', 'scripted');
    expect(created.code, created.stderr).toBe(0);
    expect(created.json.worker_id).toBe('dev-001');

    const opened = run('worker', 'open', 'dev-001');
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.json).toMatchObject({ already_running: false, backend: 'tmux', controller_pane_id: controllerPane, started: true });
    expect(opened.json.pane_id).toMatch(/^%\d+$/);
    const config = readFileSync(join(root, '.agents/workers/dev-001/worker.yaml'), 'utf8');
    expect(config).toContain(`pane_id: "${opened.json.pane_id}"`);
    expect(config).toContain(`controller_pane_id: "${controllerPane}"`);
    expect(config).toContain('worktree_created: true');
    const wt = join(root, '.worktrees/dev-001');
    expect(git(wt, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('team/dev-001');
    expect(readFileSync(join(wt, 'CLAUDE.md'), 'utf8')).toContain('<!-- AGENT_TEAM:START -->');
    await waitForText(project.agentLog, 'started in');
    expect(readFileSync(project.agentLog, 'utf8')).toContain('as dev-001');
    // the launch command is the pane's own program: never typed into its shell (no echo of it on the screen)
    expect(tmux('capture-pane', '-p', '-J', '-t', opened.json.pane_id, '-S', '-200')).not.toContain(opened.json.launch_command);
    expect(tmux('display-message', '-p', '-t', opened.json.pane_id, '#{pane_title} #{@agent_team_worker}')).toBe('dev-001 dev-001');

    const again = run('worker', 'open', 'dev-001');
    expect(again.code).toBe(0);
    expect(again.json.already_running).toBe(true);
    expect(cli(['worker', 'open', 'dev-001'], { cwd: root, env }).stdout).toMatch(/already running/);

    const assigned = cli(['worker', 'assign', 'dev-001', 'Add a greeting file', '--proposal', '-', '--json'], { cwd: root, env, input: '# Proposal\nSay hello.\n' });
    expect(assigned.code, assigned.stderr).toBe(0);
    const change = assigned.json.change;
    expect(change.relative_dir).toMatch(/^\.tasks\/changes\/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-add-a-greeting-file\/$/);
    expect(readFileSync(join(change.dir, 'proposal.md'), 'utf8')).toBe('# Proposal\nSay hello.\n');
    expect(assigned.json.message).toContain(`[New Change Assigned] Add a greeting file\nChange: ${change.relative_dir}`);

    await waitForText(project.agentLog, 'replied:');
    const agentLog = readFileSync(project.agentLog, 'utf8');
    expect(agentLog).toContain('status assigned');
    const received = await waitForText(controllerLog, '[Worker: dev-001] Task completed:');
    expect(received).toContain(`[Worker: dev-001] Task completed: wrote work/${change.name}.txt (role prompt seen)`);

    const status = run('worker', 'status');
    expect(status.code).toBe(0);
    expect(status.json.workers).toEqual([
      expect.objectContaining({ id: 'dev-001', role: 'dev', provider: 'scripted', backend: 'tmux', state: 'running', ahead: 1, worktree: 'clean', branch_exists: true }),
    ]);
    // the reply answered the change: it is done, no longer active (issue 9 item 4)
    expect(status.json.workers[0].active_changes).toHaveLength(0);

    const merged = run('worker', 'merge', 'dev-001');
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.json).toMatchObject({ merged: true, into: 'main', commits: 1 });
    expect(readFileSync(join(root, `work/${change.name}.txt`), 'utf8')).toBe('Add a greeting file\n');
    const history = git(root, 'log', '-p', '--all');
    expect(history).not.toContain('AGENT_TEAM');
    expect(git(root, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').sort()).toEqual([
      '.agents/config.yaml',
      '.agents/teams/dev/references/role.yaml',
      '.agents/teams/dev/system.md',
      'README.md',
      `work/${change.name}.txt`,
    ]);
    expect(git(root, 'status', '--porcelain')).toBe('');

    const replied = run('reply', 'dev-001', 'thanks, merged');
    expect(replied.code, replied.stderr).toBe(0);
    await waitForText(project.agentLog, 'controller said: thanks, merged');

    const closed = run('worker', 'close', 'dev-001');
    expect(closed.code).toBe(0);
    expect(run('worker', 'status').json.workers[0].state).toBe('offline');
    const notRunning = run('reply', 'dev-001', 'hello?');
    expect(notRunning.code).toBe(1);
    expect(notRunning.json.error.message).toMatch(/not running/);

    const deleted = run('worker', 'delete', 'dev-001');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(existsSync(wt)).toBe(false);
    expect(existsSync(join(root, '.agents/workers/dev-001'))).toBe(false);
    expect(git(root, 'branch', '--list', 'team/*')).toBe('');
  });
});
