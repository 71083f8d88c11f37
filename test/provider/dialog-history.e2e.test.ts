/**
 * Issue 8, from the real-CLI run: a dialog's words in the conversation history are no dialog. A resumed
 * offline claude showed `attention` ("claude's login screen is on screen") because "Please run /login"
 * was in its history above the input box. End to end with the built CLI, real git and real tmux on a
 * private server, the stand-in agent printing such history (`--history`) above its ready prompt, once as
 * claude (`like: claude`: hooks, first task on the command line) and once as a plain provider (every
 * built-in's dialogs, delivery confirmed by the input box): activity `ready`, and `worker assign` delivers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { hasTmux, privateTmux } from '../helpers/private-tmux.js';
import { git, writeFile } from '../helpers/repo.js';
import { AGENT, makeProject, waitForText, type Project } from '../worker/support.js';

const server = privateTmux('dialog-history');
const { tmux } = server;

// what the conversation so far showed: the words of every built-in's blocking screens, none of them live
const HISTORY = [
  '❯ [New Change Assigned] Add a line to README.md saying hello',
  '  ⎿  Not logged in · Please run /login',
  '❯ What did the other agents show?',
  '  ⎿  claude: Do you trust the files in this folder? ❯ 1. Yes, I trust this folder',
  '     claude: WARNING: Claude Code running in Bypass Permissions mode ❯ 1. No, exit 2. Yes, I accept',
  '     codex: > 1. Sign in with ChatGPT, then Trust this folder? › 1. Trust and continue',
  '     gemini: How would you like to authenticate for this project? ● 1. Sign in with Google',
  '✻ Brewed for 0s',
].join('\n');

describe.skipIf(!hasTmux)('dialog words in the conversation history (tmux, private socket)', () => {
  let project: Project;
  let env: Record<string, string | undefined>;
  const log = (name: string) => join(project.home, `${name}.log`);
  const run = (...args: string[]) => cli([...args, '--json'], { cwd: project.root, env });

  beforeAll(() => {
    project = makeProject();
    const history = join(project.home, 'history.txt');
    writeFileSync(history, `${HISTORY}\n`);
    const agent = (name: string, like: string) => `    ${name}: { command: "node ${AGENT} --log ${log(name)} --history ${history}"${like} }\n`;
    writeFile(project.root, '.agents/config.yaml', `providers:\n${agent('resumed', ', like: claude')}${agent('plainhist', '')}`);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'stand-in providers with history');
    expect(cli(['trust'], { cwd: project.root, env: { AGENT_TEAM_HOME: project.home } }).code).toBe(0);
    env = server.controllerEnv(project.home);
  });

  afterAll(() => {
    server.kill();
    project?.cleanup();
  });

  it('as claude: ready under that history, and a typed task (even one quoting a dialog) is delivered', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'resumed').code).toBe(0);
    const opened = run('worker', 'open', 'dev-001');
    expect(opened.code, opened.stderr).toBe(0);
    await waitForText(log('resumed'), /session [0-9a-f-]{36}/);
    expect(opened.json.activity, JSON.stringify(opened.json.activity)).toMatchObject({ activity: 'ready' });
    expect(tmux('capture-pane', '-p', '-t', opened.json.pane_id)).toContain('Please run /login');
    const assigned = run('worker', 'assign', 'dev-001', 'Add a greeting file');
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(assigned.json).toMatchObject({ delivery: 'confirmed', on_command_line: false });
    await waitForText(log('resumed'), 'replied: Task completed');
    const quoting = run('worker', 'assign', 'dev-001', 'Find why the agent says Please run /login and fix it');
    expect(quoting.code, quoting.stderr).toBe(0);
    expect(quoting.json.delivery).toBe('confirmed');
    await waitForText(log('resumed'), 'assigned: Find why the agent says Please run /login');
    const status = run('worker', 'status').json.workers.find((w: { id: string }) => w.id === 'dev-001');
    expect(['idle', 'ready', 'working']).toContain(status.activity);
  });

  it('as a plain provider (every built-in dialog known): ready, and the typed task leaves the input box', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'plainhist').code).toBe(0);
    const opened = run('worker', 'open', 'dev-002');
    expect(opened.code, opened.stderr).toBe(0);
    await waitForText(log('plainhist'), /session [0-9a-f-]{36}/);
    const assigned = run('worker', 'assign', 'dev-002', 'Add a plain greeting file');
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(assigned.json.delivery).toBe('submitted');
    await waitForText(log('plainhist'), 'assigned: Add a plain greeting file');
    expect(readFileSync(log('plainhist'), 'utf8')).not.toContain('dialog answered');
  });
});
