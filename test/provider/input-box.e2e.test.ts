/**
 * Issue 8, delivery for providers without prompt events: a plain provider from `.agents/config.yaml` (the
 * stand-in agent without `--settings`, so no hooks) gets its typed task confirmed only when the text left
 * its input line. End to end with the built CLI, real git and real tmux on a private server: an agent that
 * takes Enter → `submitted`; one that ignores Enter → exit 1, the pane's lines, no change folder; one that
 * was not reading input yet (text lost) → exit 1 without an Enter.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { hasTmux, privateTmux } from '../helpers/private-tmux.js';
import { git, writeFile } from '../helpers/repo.js';
import { AGENT, makeProject, waitForText, type Project } from '../worker/support.js';

const server = privateTmux('input-box');

describe.skipIf(!hasTmux)('typed delivery to a plain provider is confirmed by the text leaving the input box (tmux)', () => {
  let project: Project;
  let env: Record<string, string | undefined>;
  const log = (name: string) => join(project.home, `${name}.log`);
  const run = (...args: string[]) => cli([...args, '--json'], { cwd: project.root, env });
  const changes = (id: string) => {
    const dir = join(project.root, '.worktrees', id, '.tasks/changes');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  beforeAll(() => {
    project = makeProject();
    // plain providers: no `like:`, no --settings, so the stand-in runs no hooks; `late` never reads input within the test
    const agent = (name: string, flags: string) => `    ${name}: "node ${AGENT} --log ${join(project.home, `${name}.log`)}${flags}"\n`;
    writeFile(project.root, '.agents/config.yaml', `providers:\n${agent('plain', '')}${agent('stubborn', ' --ignore-enter')}${agent('late', ' --start-delay 600000')}`);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'plain stand-in providers');
    expect(cli(['trust'], { cwd: project.root, env: { AGENT_TEAM_HOME: project.home } }).code).toBe(0);
    env = server.controllerEnv(project.home);
  });

  afterAll(() => {
    server.kill();
    project?.cleanup();
  });

  it('an agent that takes Enter: delivered as submitted, and it got the task', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'plain').code).toBe(0);
    const opened = run('worker', 'open', 'dev-001');
    expect(opened.code, opened.stderr).toBe(0);
    await waitForText(log('plain'), /session [0-9a-f-]{36}/); // its input line is up
    const r = run('worker', 'assign', 'dev-001', 'Add a plain file');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ delivery: 'submitted', on_command_line: false });
    await waitForText(log('plain'), 'assigned: Add a plain file');
    expect(changes('dev-001')).toHaveLength(1);
  });

  it('an agent that ignores Enter: exit 1 naming the input box, the pane lines shown, no change folder', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'stubborn').code).toBe(0);
    expect(run('worker', 'open', 'dev-002').code).toBe(0);
    await waitForText(log('stubborn'), /session [0-9a-f-]{36}/);
    const r = run('worker', 'assign', 'dev-002', 'Never taken');
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.error.code).toBe('not_delivered');
    expect(r.json.error.message).toMatch(/stayed in the agent's input box for 4000 ms/);
    expect(r.json.error.details.screen.join('\n')).toContain('[New Change Assigned] Never taken');
    expect(changes('dev-002')).toEqual([]);
    expect(readFileSync(log('stubborn'), 'utf8')).toContain('ignored Enter');
    expect(readFileSync(log('stubborn'), 'utf8')).not.toContain('assigned: Never taken');
  });

  it('an agent not reading input yet (the text is lost): exit 1, no Enter pressed, no change folder', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'late').code).toBe(0);
    expect(run('worker', 'open', 'dev-003').code).toBe(0);
    const r = run('worker', 'assign', 'dev-003', 'Typed too early');
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.error.code).toBe('not_delivered');
    expect(r.json.error.message).toMatch(/never showed in its pane/);
    expect(changes('dev-003')).toEqual([]);
    const agentLog = readFileSync(log('late'), 'utf8');
    expect(agentLog).toContain('lost early input');
    expect(agentLog).not.toContain('"\\r"'); // the Enter was never sent
  });
});
