/**
 * "Never type into a shell" end to end (issue 8 item 4), with the built CLI, real git and real tmux on a
 * private server: a missing provider or an agent that quits at once makes `worker open` fail before
 * anything can be typed; `worker assign` and `reply-main` never type into a shell.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/session/wait.js';
import { cli } from '../helpers/cli.js';
import { AGENT, makeProject, waitForText, type Project } from './support.js';
import { hasTmux } from '../helpers/private-tmux.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const socket = `agent-team-guard-${process.pid}-${Date.now()}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();
const tmuxStatus = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args]).status;

/** Sessions on the private server (none when it is not running). */
function sessions(): string[] {
  const r = spawnSync('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
}

/**
 * Proves a shell pane did not run `file`-creating text typed earlier: a marker command typed after it
 * is run by the same shell in order, so once the marker exists, anything typed before has run too.
 */
async function shellRanNothingBefore(paneId: string, dir: string, file: string): Promise<boolean> {
  const marker = join(dir, `marker-${Date.now()}`);
  tmux('send-keys', '-t', paneId, '-l', `touch '${marker}'`);
  tmux('send-keys', '-t', paneId, 'Enter');
  await waitFor(() => existsSync(marker), { timeoutMs: 10_000, description: 'the marker command to run' });
  return !existsSync(join(dir, file));
}

describe.skipIf(!hasTmux)('never type into a shell (tmux, private socket)', () => {
  let project: Project;
  let env: Record<string, string | undefined>;
  let controllerPane: string;
  const clients: ChildProcess[] = [];

  beforeAll(() => {
    project = makeProject({ commitAgents: false, trust: false });
    writeFileSync(
      join(project.root, '.agents/config.yaml'),
      [
        'providers:',
        '    missing: "agent-team-no-such-agent-xyz --yes"',
        `    scripted: "node ${AGENT} --log ${project.agentLog}"`,
        // claude's launch flag, which the stand-in (like claude) refuses as root unless IS_SANDBOX=1
        `    rootish: "env AGENT_TEAM_STANDIN_ROOT=1 node ${AGENT} --dangerously-skip-permissions --log ${project.agentLog}"`,
        '',
      ].join('\n'),
    );
    execFileSync('git', ['-C', project.root, 'add', '-A']);
    execFileSync('git', ['-C', project.root, '-c', 'user.name=T', '-c', 'user.email=t@e', 'commit', '-qm', 'setup']);
    // The launch commands come from the project's config: trust them (as a user does once).
    const trusted = cli(['trust', '--json'], { cwd: project.root, env: { AGENT_TEAM_HOME: project.home } });
    expect(trusted.code, trusted.stderr).toBe(0);
    // The controller's pane is a plain interactive shell, as when the person runs agent-team by hand.
    controllerPane = tmux('new-session', '-d', '-s', 'controller', '-x', '120', '-y', '30', '-c', project.home, '-P', '-F', '#{pane_id}');
    env = {
      AGENT_TEAM_BACKEND: 'tmux',
      AGENT_TEAM_TMUX_SOCKET: socket,
      AGENT_TEAM_HOME: project.home,
      TMUX: undefined,
      TMUX_PANE: controllerPane,
      WEZTERM_PANE: undefined,
      AGENT_TEAM_PANE: undefined,
      IS_SANDBOX: undefined,
    };
  });

  afterAll(() => {
    for (const c of clients) c.kill('SIGKILL');
    let socketPath: string | undefined;
    try {
      socketPath = tmux('display-message', '-p', '-t', controllerPane, '#{socket_path}');
      tmux('kill-server');
    } catch {
      // already gone
    }
    if (socketPath) rmSync(socketPath, { force: true });
    project?.cleanup();
  });

  const run = (...args: string[]) => cli([...args, '--json'], { cwd: project.root, env });

  it('worker open with a provider that is not installed: exit 1 at once, no pane, and assign types nothing', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'missing').json.worker_id).toBe('dev-001');
    const before = sessions();
    const opened = run('worker', 'open', 'dev-001');
    expect(opened.code, opened.stdout).toBe(1);
    expect(opened.json.error.code).toBe('provider_not_installed');
    expect(opened.json.error.message).toContain('agent-team-no-such-agent-xyz is not on PATH');
    expect(sessions()).toEqual(before);
    expect(readFileSync(join(project.root, '.agents/workers/dev-001/worker.yaml'), 'utf8')).not.toMatch(/pane_id: "%/);

    // The finding: the task was typed into the bare shell and `touch X` ran.
    const assigned = run('worker', 'assign', 'dev-001', 'Add a line; touch X');
    expect(assigned.code).toBe(1);
    expect(assigned.json.error.code).toBe('provider_not_installed');
    expect(sessions()).toEqual(before);
    expect(existsSync(join(project.root, '.worktrees/dev-001/X'))).toBe(false);
  });

  it('an agent that quits right after it starts (claude as root): exit 1 with its last lines, the IS_SANDBOX fix, pane closed', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'rootish').json.worker_id).toBe('dev-002');
    const opened = run('worker', 'open', 'dev-002');
    expect(opened.code, opened.stdout).toBe(1);
    expect(opened.json.error.code).toBe('agent_exited');
    expect(opened.json.error.message).toContain('cannot be used with root/sudo privileges');
    expect(opened.json.error.hint).toBe('run agent-team as a normal user, or let claude allow it as root with IS_SANDBOX=1: IS_SANDBOX=1 agent-team worker open dev-002');
    expect(sessions().filter((s) => s.endsWith('-dev-002'))).toEqual([]);
    expect(readFileSync(join(project.root, '.agents/workers/dev-002/worker.yaml'), 'utf8')).toMatch(/pane_id: ""/);

    // The fix the hint gives works: IS_SANDBOX reaches the pane.
    const fixed = cli(['worker', 'open', 'dev-002', '--json'], { cwd: project.root, env: { ...env, IS_SANDBOX: '1' } });
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.json.started).toBe(true);
    expect(run('worker', 'close', 'dev-002').code).toBe(0);
  });

  it('reply refuses a pane whose agent died and left the shell in front', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'scripted').json.worker_id).toBe('dev-003');
    const opened = run('worker', 'open', 'dev-003');
    expect(opened.code, opened.stdout).toBe(0);
    const pane = opened.json.pane_id as string;
    // The agent stops; its pane is a shell now (e.g. it crashed, or someone pressed Ctrl-C).
    tmux('send-keys', '-t', pane, 'C-c');
    await waitFor(() => /^(bash|sh|zsh|dash|fish)$/.test(tmux('display-message', '-p', '-t', pane, '#{pane_current_command}')), { timeoutMs: 10_000, description: 'the shell to be in front' });
    const replied = run('reply', 'dev-003', 'hello; touch REPLIED');
    expect(replied.code).toBe(1);
    expect(await shellRanNothingBefore(pane, join(project.root, '.worktrees/dev-003'), 'REPLIED')).toBe(true);
  });

  it('reply-main into a controller pane that is a shell: not typed; shown to the attached client, else kept as the last reply', async () => {
    const worktree = join(project.root, '.worktrees/dev-003');
    expect(readFileSync(join(project.root, '.agents/workers/dev-003/worker.yaml'), 'utf8')).toContain(`controller_pane_id: "${controllerPane}"`);

    // Nobody attached and no run to record it on: nothing is typed; the reply is kept as the worker's
    // last reply (worker status shows it), so it is not lost and the exit is 0 with a warning
    const unseen = cli(['reply-main', 'Task completed; touch RAN', '--json'], { cwd: worktree, env });
    expect(unseen.code, unseen.stdout).toBe(0);
    expect(unseen.json).toMatchObject({ ok: true, delivered: false, delivery: 'none', recorded: [], worker_record: expect.stringMatching(/last-reply\.yaml$/) });
    expect(unseen.stderr).toContain('so the reply was not typed');
    expect(await shellRanNothingBefore(controllerPane, project.home, 'RAN')).toBe(true);

    if (!hasScript) return;
    // A person attached to the controller's session (a real tmux client on a pseudo-terminal).
    const screen = join(project.home, 'client-screen.log');
    // its stdin stays open (a pipe nobody writes): at end of input `script` ends and the client detaches
    clients.push(spawn('script', ['-qfc', `tmux -L ${socket} attach -t controller`, screen], { stdio: ['pipe', 'ignore', 'ignore'] }));
    await waitFor(() => tmux('list-clients', '-F', '#{client_name}') !== '', { timeoutMs: 10_000, description: 'a tmux client to attach' });
    const shown = cli(['reply-main', 'Task completed #1; touch RAN', '--json'], { cwd: worktree, env });
    expect(shown.code, shown.stdout).toBe(0);
    expect(shown.json).toMatchObject({ delivered: true, delivery: 'shown', controller_pane_id: controllerPane });
    await waitForText(screen, '[Worker: dev-003] Task completed #1; touch RAN');
    expect(await shellRanNothingBefore(controllerPane, project.home, 'RAN')).toBe(true);
  });
});
