/**
 * `worker status`'s "last replies" section keeps its layout when a worker's reply spans several lines
 * (found playing a controller: the second line started at column 0, like a new section). Built CLI,
 * real git; the worker and its worktree are made in-process, the reply with `reply-main` (no controller
 * pane: kept as the worker's last reply).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../src/worker/create.js';
import { prepareWorktree } from '../../src/worker/open.js';
import { cli } from '../helpers/cli.js';
import { makeProject, type Project } from './support.js';

describe('worker status: a multi-line last reply', () => {
  let project: Project;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    project = makeProject();
    env = { AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: project.home, TMUX: undefined, TMUX_PANE: undefined, WEZTERM_PANE: undefined, AGENT_TEAM_PANE: undefined };
    const inProcess = { ...process.env, ...env } as NodeJS.ProcessEnv;
    await createWorker(project.root, 'dev', { env: inProcess });
    await prepareWorktree(project.root, 'dev-001', { env: inProcess });
  });
  afterAll(() => project?.cleanup());

  it('indents every line of the reply under its entry', () => {
    const replied = cli(['reply-main', 'Task completed: tests pass\nnotes: the API changed\n  see docs/api.md'], { cwd: join(project.root, '.worktrees', 'dev-001'), env });
    expect(replied.code, replied.stderr).toBe(0);
    const status = cli(['worker', 'status'], { cwd: project.root, env });
    expect(status.code, status.stderr).toBe(0);
    const lines = status.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('  dev-001 replied '));
    expect(at, status.stdout).toBeGreaterThan(0);
    expect(lines[at]).toMatch(/: Task completed: tests pass$/);
    expect(lines.slice(at + 1, at + 3)).toEqual(['    notes: the API changed', '      see docs/api.md']);
  });
});
