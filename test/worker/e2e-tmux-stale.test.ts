/**
 * A `worker open` interrupted (Ctrl-C) after tmux created the worker's tagged session but before
 * `pane_id` was saved leaves a session no command knew about: every later open failed with "tmux
 * session … already exists". Built CLI, real git, real tmux on a private server (killed in afterAll).
 * A same-named session that is not tagged as the worker's is somebody else's: it must survive.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmuxSessionName } from '../../src/session/tmux-args.js';
import { createWorker } from '../../src/worker/create.js';
import { cli } from '../helpers/cli.js';
import { makeProject, type Project } from './support.js';
import { hasTmux } from '../helpers/private-tmux.js';


const socket = `agent-team-stale-${process.pid}-${Date.now()}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();
const sessions = () => {
  try {
    return tmux('list-sessions', '-F', '#{session_name}').split('\n');
  } catch {
    return [];
  }
};

describe.skipIf(!hasTmux)('a worker session left behind by an interrupted open (tmux, private socket)', () => {
  let project: Project;
  let env: Record<string, string | undefined>;
  /** The project root as the CLI tags panes with it (read back from a real open). */
  let taggedRoot: string;
  const run = (...args: string[]) => cli([...args, '--json'], { cwd: project.root, env });
  const configOf = (id: string) => join(project.root, `.agents/workers/${id}/worker.yaml`);
  /** Forgets the recorded pane, as an open interrupted between spawn and saving pane_id leaves worker.yaml. */
  const forgetPane = (id: string) => writeFileSync(configOf(id), readFileSync(configOf(id), 'utf8').replace(/pane_id: "%\d+"/, 'pane_id: ""'));
  /** A session made and tagged the way spawn makes it, with only a shell in it (the agent never started). */
  const taggedShellSession = (id: string): string => {
    const name = tmuxSessionName(taggedRoot, id);
    const pane = tmux('new-session', '-d', '-s', name, '-c', project.root, '-P', '-F', '#{pane_id}');
    tmux('set-option', '-p', '-t', pane, '@agent_team_root', taggedRoot);
    tmux('set-option', '-p', '-t', pane, '@agent_team_worker', id);
    return pane;
  };

  beforeAll(async () => {
    project = makeProject();
    tmux('new-session', '-d', '-s', 'controller', 'sleep 3600');
    env = { AGENT_TEAM_BACKEND: 'tmux', AGENT_TEAM_TMUX_SOCKET: socket, AGENT_TEAM_HOME: project.home, TMUX: undefined, TMUX_PANE: undefined, WEZTERM_PANE: undefined, AGENT_TEAM_PANE: undefined };
    // dev-001 … dev-006, made in-process: `worker create` is not what this file tests
    for (let i = 1; i <= 6; i++) await createWorker(project.root, 'dev', { provider: 'scripted', env: { ...process.env, AGENT_TEAM_HOME: project.home } });
  });

  afterAll(() => {
    let socketPath: string | undefined;
    try {
      socketPath = tmux('display-message', '-p', '-t', '=controller:', '#{socket_path}');
      tmux('kill-server');
    } catch {
      // already gone
    }
    if (socketPath) rmSync(socketPath, { force: true });
    project?.cleanup();
  });

  it('adopts the agent still running in the worker own session: records its pane, spawns nothing', () => {
    const opened = run('worker', 'open', 'dev-001');
    expect(opened.code, opened.stderr).toBe(0);
    const pane = opened.json.pane_id as string;
    taggedRoot = tmux('show-options', '-p', '-v', '-t', pane, '@agent_team_root');
    forgetPane('dev-001');
    // doctor names it but never closes a pane whose agent runs
    const fixed = run('doctor', '--fix');
    expect(fixed.code).toBe(1);
    const finding = fixed.json.findings.find((f: { kind: string }) => f.kind === 'stale_pane');
    expect(finding).toMatchObject({ fixable: false });
    expect(finding.message).toContain('its agent runs there');
    expect(finding.fixed).toBeUndefined();

    const again = run('worker', 'open', 'dev-001');
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ already_running: true, pane_id: pane });
    expect(readFileSync(configOf('dev-001'), 'utf8')).toContain(`pane_id: "${pane}"`);
    expect(sessions().filter((s) => s.endsWith('-dev-001'))).toHaveLength(1);
  });

  it('closes the worker own session when only a shell runs there, and opens afresh', () => {
    const stale = taggedShellSession('dev-002');
    const opened = run('worker', 'open', 'dev-002');
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.json).toMatchObject({ already_running: false, started: true });
    expect(opened.json.pane_id).not.toBe(stale);
    expect(tmux('list-panes', '-a', '-F', '#{pane_id}').split('\n')).not.toContain(stale);
  });

  it('worker close and worker delete close the worker own session when no pane is recorded', () => {
    taggedShellSession('dev-003');
    const closed = run('worker', 'close', 'dev-003');
    expect(closed.code, closed.stderr).toBe(0);
    expect(sessions()).not.toContain(tmuxSessionName(taggedRoot, 'dev-003'));

    taggedShellSession('dev-004');
    const deleted = run('worker', 'delete', 'dev-004');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(sessions()).not.toContain(tmuxSessionName(taggedRoot, 'dev-004'));
  });

  it('leaves a same-named session that is not the worker own alone, and names the command that would remove it', () => {
    const name = tmuxSessionName(taggedRoot, 'dev-005');
    tmux('new-session', '-d', '-s', name, 'sleep 3600');
    const opened = run('worker', 'open', 'dev-005');
    expect(opened.code).toBe(1);
    expect(opened.stderr).toContain(`tmux session ${name} already exists`);
    expect(opened.stderr).toContain(`tmux -L ${socket} kill-session -t =${name}`);
    expect(run('worker', 'close', 'dev-005').code).toBe(0);
    expect(run('doctor', '--fix').json.findings.filter((f: { path: string }) => f.path.includes('dev-005'))).toEqual([]);
    expect(sessions()).toContain(name);
  });

  it('doctor reports the worker own stale session, and --fix closes it when no agent runs there', () => {
    const stale = taggedShellSession('dev-006');
    const report = run('doctor');
    expect(report.code).toBe(1);
    const finding = report.json.findings.find((f: { kind: string }) => f.kind === 'stale_pane');
    expect(finding).toMatchObject({ fixable: true });
    expect(finding.message).toContain('dev-006');
    const fixed = run('doctor', '--fix');
    expect(fixed.json.findings.find((f: { kind: string }) => f.kind === 'stale_pane')).toMatchObject({ fixed: true });
    expect(tmux('list-panes', '-a', '-F', '#{pane_id}').split('\n')).not.toContain(stale);
  });
});
