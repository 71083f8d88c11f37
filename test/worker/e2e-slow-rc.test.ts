/**
 * `worker open` on tmux starts the launch command as the pane's own program, after the user's shell
 * start-up files. Those files may run programs of their own (`eval "$(pyenv init -)"`, nvm…) and take a
 * while in between: neither is the agent, and the shell in front between them is not the agent exiting.
 * Built CLI, real tmux on a private socket, a HOME whose login profile runs a program and then keeps
 * the shell busy for about a second before the stand-in agent (a plain provider) starts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { hasTmux, privateTmux } from '../helpers/private-tmux.js';
import { makeProject, waitForText, type Project } from './support.js';

const server = privateTmux('slow-rc');
const { socket } = server;

describe.skipIf(!hasTmux)('a login profile that runs programs and takes its time (tmux)', () => {
  let project: Project;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    project = makeProject();
    // a program first (like pyenv init), then ~1 s of the shell itself in front, as slow start-up files do
    // (builtins only in the loop: SECONDS is bash's own clock, so no program takes the terminal meanwhile)
    writeFileSync(join(project.home, '.bash_profile'), 'sleep 0.2\nend=$((SECONDS + 2)); while [ "$SECONDS" -lt "$end" ]; do :; done\n');
    env = { AGENT_TEAM_BACKEND: 'tmux', AGENT_TEAM_TMUX_SOCKET: socket, AGENT_TEAM_HOME: project.home, HOME: project.home, SHELL: '/bin/bash', TMUX: undefined, TMUX_PANE: undefined, WEZTERM_PANE: undefined, AGENT_TEAM_PANE: undefined };
  });

  afterAll(() => {
    server.kill();
    project?.cleanup();
  });

  it('worker open waits for the agent past the start-up files instead of calling their end an exit', async () => {
    expect(cli(['worker', 'create', 'dev', '--provider', 'scripted', '--json'], { cwd: project.root, env }).code).toBe(0);
    const opened = cli(['worker', 'open', 'dev-001', '--json'], { cwd: project.root, env });
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.json).toMatchObject({ started: true });
    await waitForText(project.agentLog, /session/);
    const status = cli(['worker', 'status', '--json'], { cwd: project.root, env });
    expect(status.json.workers[0]).toMatchObject({ id: 'dev-001', state: 'running' });
  });
});
