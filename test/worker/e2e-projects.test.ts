/**
 * Project-scoped tmux panes end to end (issue 8 item 5): two repositories with the same worker id on one
 * private tmux server never reach each other's panes, also after `kill-server` (tmux numbers panes from
 * %0 again); `tmux attach` hints name the real session; worker.yaml files written by earlier versions
 * (session named after the bare worker id, untagged pane) are read without crashing and never typed into.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { makeProject, waitForText, type Project } from './support.js';
import { hasTmux } from '../helpers/private-tmux.js';

const socket = `agent-team-projects-${process.pid}-${Date.now()}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();

function sessions(): string[] {
  const r = spawnSync('tmux', ['-L', socket, 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n').filter(Boolean).sort() : [];
}

describe.skipIf(!hasTmux)('two projects on one tmux server', () => {
  let x: Project;
  let y: Project;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    x = makeProject();
    y = makeProject();
    env = { AGENT_TEAM_BACKEND: 'tmux', AGENT_TEAM_TMUX_SOCKET: socket, TMUX: undefined, TMUX_PANE: undefined, WEZTERM_PANE: undefined, AGENT_TEAM_PANE: undefined };
  });

  afterAll(() => {
    const uid = process.getuid?.() ?? 0;
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, socket), { force: true });
    x?.cleanup();
    y?.cleanup();
  });

  const run = (p: Project, ...args: string[]) => cli([...args, '--json'], { cwd: p.root, env: { ...env, AGENT_TEAM_HOME: p.home } });

  it('same worker id in both: two sessions named after their projects; after kill-server, X never reaches Y', async () => {
    for (const p of [x, y]) expect(run(p, 'worker', 'create', 'dev', '--provider', 'scripted').json.worker_id).toBe('dev-001');
    const ox = run(x, 'worker', 'open', 'dev-001');
    expect(ox.code, ox.stdout).toBe(0);
    const oy = run(y, 'worker', 'open', 'dev-001');
    expect(oy.code, oy.stdout).toBe(0);
    expect(ox.json.pane_id).toBe('%0');
    const sx = tmux('display-message', '-p', '-t', ox.json.pane_id, '#{session_name}');
    const sy = tmux('display-message', '-p', '-t', oy.json.pane_id, '#{session_name}');
    expect(sx).toMatch(/^agent-team-worker-[A-Za-z0-9_]+-[0-9a-f]{4}-dev-001$/);
    expect(sy).toMatch(/-dev-001$/);
    expect(sx).not.toBe(sy);
    expect(tmux('show-options', '-p', '-v', '-t', ox.json.pane_id, '@agent_team_root')).toBe(x.root);
    expect(tmux('show-options', '-p', '-v', '-t', ox.json.pane_id, '@agent_team_worker')).toBe('dev-001');
    // The attach hint names the real session, and it is paste-safe.
    expect(ox.json.attach_command).toBe(`tmux -L ${socket} attach -t ${sx}`);
    expect(cli(['worker', 'open', 'dev-001'], { cwd: x.root, env: { ...env, AGENT_TEAM_HOME: x.home } }).stdout).toContain(`watch it: tmux -L ${socket} attach -t ${sx}`);

    // The server restarts: pane ids start from %0 again, and Y's reopened agent gets X's old %0.
    tmux('kill-server');
    const reopened = run(y, 'worker', 'open', 'dev-001');
    expect(reopened.code, reopened.stdout).toBe(0);
    expect(reopened.json.pane_id).toBe('%0');
    await waitForText(y.agentLog, /started in[^\n]*\n[\s\S]*started in/);

    // X still has pane_id %0 on record: it is not X's pane, so X is offline and its task opens X's own pane.
    const status = run(x, 'worker', 'status');
    expect(status.json.workers[0]).toMatchObject({ id: 'dev-001', state: 'offline' });
    const assigned = run(x, 'worker', 'assign', 'dev-001', 'Task for project X only');
    expect(assigned.code, assigned.stdout).toBe(0);
    expect(assigned.json.opened.pane_id).not.toBe('%0');
    await waitForText(x.agentLog, 'assigned: Task for project X only');
    expect(readFileSync(y.agentLog, 'utf8')).not.toContain('Task for project X');
    // Closing X leaves Y's pane alone, and Y is still running.
    expect(run(x, 'worker', 'close', 'dev-001').code).toBe(0);
    expect(run(y, 'worker', 'status').json.workers[0]).toMatchObject({ state: 'running', pane_id: '%0' });
    expect(sessions()).toEqual([tmux('display-message', '-p', '-t', '%0', '#{session_name}')]);
  });

  it('a worker.yaml from an earlier version (session named dev-002, untagged pane): offline, never typed into or killed', async () => {
    const out = join(x.home, 'old-pane.log');
    const oldPane = tmux('new-session', '-d', '-s', 'dev-002', '-P', '-F', '#{pane_id}', `cat >> '${out}'`);
    writeFileSync(out, '');
    expect(run(x, 'worker', 'create', 'dev', '--provider', 'scripted').json.worker_id).toBe('dev-002');
    const file = join(x.root, '.agents/workers/dev-002/worker.yaml');
    // As the Go version and the previous version wrote it (no backend field, pane id of the old session).
    writeFileSync(file, readFileSync(file, 'utf8').replace(/pane_id: ""/, `pane_id: "${oldPane}"\ncontroller_pane_id: "%9"`).replace(/backend: .*\n/, ''));
    const status = run(x, 'worker', 'status');
    expect(status.code, status.stdout).toBe(0);
    expect(status.json.workers.find((w: { id: string }) => w.id === 'dev-002')).toMatchObject({ state: 'offline' });
    expect(run(x, 'reply', 'dev-002', 'hello; touch X').code).toBe(1);
    const opened = run(x, 'worker', 'open', 'dev-002');
    expect(opened.code, opened.stdout).toBe(0);
    expect(opened.json.pane_id).not.toBe(oldPane);
    expect(run(x, 'worker', 'close', 'dev-002').code).toBe(0);
    expect(tmux('display-message', '-p', '-t', oldPane, '#{session_name}')).toBe('dev-002');
    expect(readFileSync(out, 'utf8')).toBe('');
  });
});
