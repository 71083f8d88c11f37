/**
 * `worker open`'s start check, end to end (built CLI, real git, real tmux on a private server and the
 * headless process backend, the stand-in agent as claude): an agent that reports it started (its
 * SessionStart hook, or the first task's UserPromptSubmit) ends the check at once instead of waiting out
 * the settle bound, while an agent that quits at once (claude as root) is still caught, pane closed.
 * The settle bound is set to an hour here (AGENT_TEAM_START_SETTLE_MS), or the clock is stopped, so only
 * the agent's own report can end the check; the timeouts are hang guards, never speed assertions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openWorker } from '../../src/worker/open.js';
import { BIN, cli } from '../helpers/cli.js';
import { git, writeFile } from '../helpers/repo.js';
import { AGENT, makeProject, type Project } from './support.js';
import { hasTmux } from '../helpers/private-tmux.js';

const HOUR = '3600000';

describe.each([
  { backend: 'tmux', skip: !hasTmux },
  { backend: 'process', skip: false },
])('worker open start check ($backend backend)', ({ backend, skip }) => {
  const socket = `agent-team-open-start-${process.pid}-${Date.now()}-${backend}`;
  let project: Project;
  let env: Record<string, string | undefined>;

  /** `worker create dev --provider <provider>`: the new worker's id. */
  const create = (provider: string): string => {
    const r = run(['worker', 'create', 'dev', '--provider', provider]);
    expect(r.code, r.stderr).toBe(0);
    return r.json.worker_id as string;
  };

  /** `agent-team <args> --json` with a hang guard: a run the settle bound would hold returns code -1. */
  const run = (args: string[], extra: Record<string, string | undefined> = {}) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { cwd: project.root, env: { ...process.env, NO_COLOR: '1', ...env, ...extra }, encoding: 'utf8', input: '', timeout: 90_000 });
    let json: any;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
  };

  beforeAll(() => {
    if (skip) return;
    project = makeProject();
    const agent = (name: string, prefix: string) => `    ${name}: { command: "${prefix}node ${AGENT} --dangerously-skip-permissions --log ${join(project.home, `${name}.log`)}", like: claude }\n`;
    // `rootish` refuses to run as root as claude 2.1.197 does (AGENT_TEAM_STANDIN_ROOT makes any user count as root)
    writeFile(project.root, '.agents/config.yaml', `providers:\n${agent('standin', 'env IS_SANDBOX=1 ')}${agent('rootish', 'env AGENT_TEAM_STANDIN_ROOT=1 ')}`);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'stand-in providers');
    expect(cli(['trust'], { cwd: project.root, env: { AGENT_TEAM_HOME: project.home } }).code).toBe(0);
    env = {
      AGENT_TEAM_BACKEND: backend,
      AGENT_TEAM_TMUX_SOCKET: socket,
      AGENT_TEAM_HOME: project.home,
      TMUX: undefined,
      TMUX_PANE: undefined,
      WEZTERM_PANE: undefined,
      AGENT_TEAM_PANE: undefined,
      IS_SANDBOX: undefined,
      AGENT_TEAM_START_SETTLE_MS: HOUR,
    };
  });

  afterAll(() => {
    if (skip) return;
    if (backend === 'tmux') {
      try {
        const socketPath = execFileSync('tmux', ['-L', socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
        execFileSync('tmux', ['-L', socket, 'kill-server']);
        rmSync(socketPath, { force: true });
      } catch {
        // no server left
      }
    }
    project?.cleanup();
  });

  it.skipIf(skip)("ends at the agent's SessionStart event, not after the settle bound", () => {
    const id = create('standin');
    const opened = run(['worker', 'open', id]);
    expect(opened.code, `${opened.stdout}${opened.stderr}`).toBe(0);
    expect(opened.json).toMatchObject({ started: true, activity: { activity: 'ready' } });
    const events = readFileSync(join(project.root, '.agents/workers', id, 'events.jsonl'), 'utf8');
    expect(events).toMatch(/"event":"session-start"/);
    expect(run(['worker', 'close', id]).code).toBe(0);
  });

  it.skipIf(skip)('ends at the first task confirmed (UserPromptSubmit) when the task is on the launch command line', () => {
    const id = create('standin');
    const assigned = run(['worker', 'assign', id, 'Add a greeting file']);
    expect(assigned.code, `${assigned.stdout}${assigned.stderr}`).toBe(0);
    expect(assigned.json).toMatchObject({ delivery: 'confirmed', on_command_line: true });
    expect(run(['worker', 'close', id]).code).toBe(0);
  });

  it.skipIf(skip)('still catches a claude-like agent that quits at once (as root): exit 1, the IS_SANDBOX fix, pane closed, nothing assigned', () => {
    const id = create('rootish');
    // the default settle bound (the agent reports nothing before it quits)
    const opened = run(['worker', 'open', id], { AGENT_TEAM_START_SETTLE_MS: undefined });
    expect(opened.code, `${opened.stdout}${opened.stderr}`).toBe(1);
    expect(opened.json.error.code).toBe('agent_exited');
    expect(opened.json.error.message).toContain('cannot be used with root/sudo privileges');
    expect(opened.json.error.hint).toContain(`IS_SANDBOX=1 agent-team worker open ${id}`);
    expect(readFileSync(join(project.root, '.agents/workers', id, 'worker.yaml'), 'utf8')).toMatch(/pane_id: ""/);

    const assigned = run(['worker', 'assign', id, 'Add a line'], { AGENT_TEAM_START_SETTLE_MS: undefined });
    expect(assigned.code, `${assigned.stdout}${assigned.stderr}`).toBe(1);
    expect(assigned.json.error.code).toBe('agent_exited');
    const changes = join(project.root, '.worktrees', id, '.tasks/changes');
    expect(existsSync(changes) ? readdirSync(changes) : []).toEqual([]);
  });
});

describe('worker open start check with the clock stopped (process backend, in-process)', () => {
  let project: Project;
  afterAll(() => project?.cleanup());

  it("returns once the agent's SessionStart hook reported, although no time passes for the settle bound", async () => {
    project = makeProject();
    writeFile(project.root, '.agents/config.yaml', `providers:\n    standin: { command: "node ${AGENT} --log ${join(project.home, 'standin.log')}", like: claude }\n`);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'stand-in provider');
    const env = { ...process.env, AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: project.home, TMUX: undefined, TMUX_PANE: undefined, WEZTERM_PANE: undefined, AGENT_TEAM_PANE: undefined };
    expect(cli(['trust'], { cwd: project.root, env }).code).toBe(0);
    expect(cli(['worker', 'create', 'dev', '--provider', 'standin'], { cwd: project.root, env }).code).toBe(0);
    // Date stands still (timers run): a settle bound measured by the clock never runs out.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const hangGuard = new Promise<'still waiting'>((resolve) => setTimeout(resolve, 60_000, 'still waiting').unref());
      const opened = await Promise.race([openWorker(project.root, 'dev-001', { env }), hangGuard]);
      expect(opened).not.toBe('still waiting');
      expect(opened).toMatchObject({ started: true, activity: { activity: 'ready' } });
    } finally {
      vi.useRealTimers();
      cli(['worker', 'close', 'dev-001'], { cwd: project.root, env });
    }
  });
});
