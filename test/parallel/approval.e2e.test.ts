/**
 * `workflow run --yes` approves only the merges that await approval when it starts (the person could have
 * been shown them), never a merge the run reaches later in the same call (found by a controller who passed
 * --yes out of habit while QA still ran: the merge went into main unseen). Built CLI, real git; the run
 * reaches its merge train through a check node that `workflow run` completes itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { transitionRun } from '../../src/workflow/state-service.js';
import { cli } from '../helpers/cli.js';
import { git, tempDir, writeFile } from '../helpers/repo.js';
import { trustInHome } from '../helpers/trust.js';
import { fixture, nodeOf, setupRun } from './support.js';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** split → [api (dev-001's branch), ui (a check `workflow run` runs itself)] → integrate (a merge train of dev's branches). */
const TEMPLATE = fixture('fork', (t) => {
  Object.assign(nodeOf(t, 'ui'), { type: 'verify_or_test', task: 'Check the UI', command: 'true' });
  const join = nodeOf(t, 'integrate');
  delete join.task;
  Object.assign(join, { type: 'merge', actor: 'dev', command: 'test -f api.txt' });
});

describe('workflow run --yes and consent', () => {
  /** The run at split done and api done by dev-001 (its branch has api.txt), trusted; ui (a check) still to run. */
  async function prepared() {
    const run = setupRun('train', TEMPLATE);
    const home = tempDir('agent-team-home-');
    cleanups.push(run.cleanup, home.cleanup);
    writeFile(run.dir, '.gitignore', '.agents/\n');
    git(run.dir, 'add', '.gitignore');
    git(run.dir, 'commit', '-q', '-m', 'ignore agent-team files');
    git(run.dir, 'branch', 'team/dev-001', 'main');
    git(run.dir, 'switch', '-q', 'team/dev-001');
    writeFile(run.dir, 'api.txt', 'api\n');
    git(run.dir, 'add', '-A');
    git(run.dir, 'commit', '-q', '-m', 'dev-001 work');
    git(run.dir, 'switch', '-q', 'main');
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    await transitionRun(run.path, { action: 'start', node: 'api', worker: 'dev-001' }, run.dir);
    await transitionRun(run.path, { action: 'complete', node: 'api', worker: 'dev-001', summary: 'api' }, run.dir);
    trustInHome(run.dir, home.dir);
    const env = { AGENT_TEAM_HOME: home.dir, AGENT_TEAM_BACKEND: 'process' };
    return { run, env, main: git(run.dir, 'rev-parse', 'main') };
  }

  it('does not approve a merge the run reaches during the call; the next --yes, once it was shown, merges', async () => {
    const { run, env, main } = await prepared();

    // integrate is not awaiting approval yet (ui's check runs first): --yes given now approves nothing
    const first = cli(['workflow', 'run', run.path, '--yes', '--json'], { cwd: run.dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.steps.map((s: { node: string }) => s.node)).toContain('ui');
    expect(first.json).toMatchObject({ stopped: 'confirmation', next: { kind: 'confirm', node: { id: 'integrate' } } });
    expect(first.json.why).toMatch(/needs approval: show it to the person, and once they approve, rerun with --yes/);
    expect(git(run.dir, 'rev-parse', 'main')).toBe(main);
    expect(run.state().node_states.integrate?.status).toBe('waiting');

    // shown (the confirm step above) and approved: now --yes merges
    const second = cli(['workflow', 'run', run.path, '--yes', '--json'], { cwd: run.dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.json.stopped).toBe('completed');
    expect(git(run.dir, 'merge-base', '--is-ancestor', 'team/dev-001', 'main')).toBe('');
    expect(git(run.dir, 'ls-files')).toMatch(/api\.txt/);
  });

  it('does not approve a merge reached by hand (state complete of the node before) that no run has shown', async () => {
    const { run, env, main } = await prepared();
    await transitionRun(run.path, { action: 'start', node: 'ui' }, run.dir);
    await transitionRun(run.path, { action: 'complete', node: 'ui', outcome: 'passed', summary: 'checked by hand' }, run.dir);
    expect(run.state().node_states.integrate?.status).toBe('pending');

    const first = cli(['workflow', 'run', run.path, '--yes', '--json'], { cwd: run.dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ stopped: 'confirmation', next: { kind: 'confirm', node: { id: 'integrate' } } });
    expect(git(run.dir, 'rev-parse', 'main')).toBe(main);

    const second = cli(['workflow', 'run', run.path, '--yes', '--json'], { cwd: run.dir, env });
    expect(second.json.stopped, second.stderr).toBe('completed');
    expect(git(run.dir, 'merge-base', '--is-ancestor', 'team/dev-001', 'main')).toBe('');
  });
});
