/**
 * The same end-to-end flow with the headless process backend (AGENT_TEAM_BACKEND=process): the
 * controller is itself a process pane whose input is appended to a file, so reply-main is observable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessBackend } from '../../src/session/process.js';
import { cli } from '../helpers/cli.js';
import { git } from '../helpers/repo.js';
import { makeProject, waitForText, type Project } from './support.js';

describe('workers over the process backend', () => {
  let project: Project;
  const backend = new ProcessBackend();
  let controllerPane: string;
  let controllerLog: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    project = makeProject();
    controllerLog = join(project.home, 'controller.log');
    const pane = await backend.spawn({ workerId: 'controller', cwd: project.home, stateDir: join(project.home, 'controller-pane') });
    controllerPane = pane.paneId;
    await backend.sendText(controllerPane, `exec cat >> '${controllerLog}'`);
    env = {
      AGENT_TEAM_BACKEND: 'process',
      AGENT_TEAM_PANE: controllerPane,
      AGENT_TEAM_HOME: project.home,
      TMUX: undefined,
      TMUX_PANE: undefined,
      WEZTERM_PANE: undefined,
    };
  });

  afterAll(async () => {
    await backend.kill(controllerPane).catch(() => undefined);
    // a worker left behind by a failed assertion
    const run = (...args: string[]) => cli(args, { cwd: project.root, env });
    run('worker', 'delete', 'dev-001', '--force');
    project?.cleanup();
  });

  it('create → open → assign → reply-main → merge --squash → delete', async () => {
    const { root } = project;
    const run = (...args: string[]) => cli([...args, '--json'], { cwd: root, env });

    expect(run('worker', 'create', 'dev', '--provider', 'scripted').json.worker_id).toBe('dev-001');
    // assign opens a worker that is not running: worktree, pane, provider, then the message
    const assigned = run('worker', 'assign', 'dev-001', 'Write the changelog');
    expect(assigned.code, assigned.stderr).toBe(0);
    const opened = { json: assigned.json.opened };
    expect(opened.json).toMatchObject({ backend: 'process', controller_pane_id: controllerPane, started: true });
    expect(opened.json.pane_id).toMatch(/^proc:\d+:\//);
    const received = await waitForText(controllerLog, '[Worker: dev-001] Task completed:');
    expect(received).toContain(`wrote work/${assigned.json.change.name}.txt (role prompt seen)`);

    const status = run('worker', 'status');
    expect(status.json.workers[0]).toMatchObject({ state: 'running', backend: 'process', ahead: 1, worktree: 'clean' });

    const merged = run('worker', 'merge', 'dev-001', '--squash');
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.json).toMatchObject({ merged: true, squash: true });
    expect(git(root, 'show', '--stat', '--format=%s', 'HEAD')).toContain(`work/${assigned.json.change.name}.txt`);
    expect(git(root, 'log', '-p', '--all')).not.toContain('AGENT_TEAM');

    // squash leaves the branch "unmerged" by ancestry, so delete needs --force; it refuses first
    const refused = run('worker', 'delete', 'dev-001');
    expect(refused.code).toBe(1);
    expect(refused.json.error.code).toBe('unmerged_commits');
    const deleted = run('worker', 'delete', 'dev-001', '--force');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.json.killed_pane).toBe(opened.json.pane_id);
    expect(existsSync(join(root, '.worktrees/dev-001'))).toBe(false);
    expect(readFileSync(controllerLog, 'utf8')).not.toContain('[Worker: dev-001] Need decision');
  });
});
