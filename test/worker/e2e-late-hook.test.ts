/**
 * A hook of a killed agent that lands after the next launch, end to end (built CLI, real git, real tmux on
 * a private server, the stand-in agent as claude): gemini 0.61, killed, runs its SessionEnd hook up to
 * three times, and the last line was appended after `worker open` had launched the resumed gemini, which
 * `worker status` then called `exited` (`npm run test:providers`, issue 8). The stand-in's
 * `--late-session-end <go>` starts such a hook when killed and lets it append only once <go> exists, so the
 * order is fixed without timing. Timeouts are hang guards, never speed assertions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers/cli.js';
import { git, writeFile } from '../helpers/repo.js';
import { AGENT, makeProject, waitForText, type Project } from './support.js';
import { hasTmux } from '../helpers/private-tmux.js';


describe.skipIf(!hasTmux)('a late hook of the previous agent (tmux)', () => {
  const socket = `agent-team-late-hook-${process.pid}-${Date.now()}`;
  let project: Project;
  let env: Record<string, string | undefined>;
  let go: string;

  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { cwd: project.root, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8', input: '', timeout: 90_000 });
    let json: any;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
  };
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();
  const events = (id: string) =>
    readFileSync(join(project.root, '.agents/workers', id, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { at: string; event: string; session_id?: string });

  beforeAll(() => {
    project = makeProject();
    go = join(project.home, 'go');
    writeFile(project.root, '.agents/config.yaml', `providers:\n    standin: { command: "env IS_SANDBOX=1 node ${AGENT} --dangerously-skip-permissions --late-session-end ${go} --log ${join(project.home, 'standin.log')}", like: claude }\n`);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'stand-in provider');
    expect(cli(['trust'], { cwd: project.root, env: { AGENT_TEAM_HOME: project.home } }).code).toBe(0);
    env = { AGENT_TEAM_BACKEND: 'tmux', AGENT_TEAM_TMUX_SOCKET: socket, AGENT_TEAM_HOME: project.home, TMUX: undefined, TMUX_PANE: undefined, WEZTERM_PANE: undefined, AGENT_TEAM_PANE: undefined, IS_SANDBOX: undefined };
  });

  afterAll(() => {
    try {
      const socketPath = tmux('display-message', '-p', '#{socket_path}');
      tmux('kill-server');
      rmSync(socketPath, { force: true });
    } catch {
      // no server left
    }
    project?.cleanup();
  });

  it("is not the resumed agent's exit: worker status says ready, and the session id is kept", async () => {
    const id = run(['worker', 'create', 'dev', '--provider', 'standin']).json.worker_id as string;
    const opened = run(['worker', 'open', id]);
    expect(opened.code, `${opened.stdout}${opened.stderr}`).toBe(0);
    expect(opened.json.activity).toMatchObject({ activity: 'ready' });
    const session = events(id).find((e) => e.event === 'session-start')?.session_id;
    expect(session).toBeTruthy();

    // kill the agent as a person or test:providers does: SIGTERM to the pane's foreground process group
    const panePid = Number(tmux('display-message', '-p', '-t', opened.json.pane_id, '#{pane_pid}'));
    const stat = readFileSync(`/proc/${panePid}/stat`, 'utf8');
    const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[5]);
    expect(group).toBeGreaterThan(0);
    expect(group).not.toBe(panePid);
    process.kill(-group, 'SIGTERM');
    await waitForText(join(project.home, 'standin.log'), 'late session-end hook started');
    let st: any;
    for (let i = 0; i < 200; i++) {
      st = run(['worker', 'status']).json.workers[0];
      if (st.activity === 'exited') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(st.activity).toBe('exited');

    // open again: the conversation is resumed; then the killed agent's last hook appends its line
    const reopened = run(['worker', 'open', id]);
    expect(reopened.code, `${reopened.stdout}${reopened.stderr}`).toBe(0);
    expect(reopened.json).toMatchObject({ resumed: true, activity: { activity: 'ready' } });
    const before = events(id).length;
    writeFileSync(go, '');
    for (let i = 0; i < 400 && events(id).length === before; i++) await new Promise((r) => setTimeout(r, 25));
    const all = events(id);
    expect(all.at(-1)).toMatchObject({ event: 'session-end', session_id: session });
    expect(all.map((e) => e.event).lastIndexOf('launch')).toBeLessThan(all.length - 1);

    st = run(['worker', 'status']).json.workers[0];
    expect(st).toMatchObject({ state: 'running', activity: 'ready', session_id: session });
    expect(run(['worker', 'close', id]).code).toBe(0);
  });
});
