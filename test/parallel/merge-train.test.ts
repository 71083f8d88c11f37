/**
 * The merge train on a real repository: the branches of this pass's workers merged all or nothing on a
 * temporary integration branch, the node's `command:` checked there, then the target fast-forwarded; a
 * conflict or a failed check leaves the target unchanged and blocks the node naming branch and files.
 * The workers' branches are made with real git; the worker port is the real one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { approvalKey, runController } from '../../src/workflow/controller.js';
import { transitionRun } from '../../src/workflow/state-service.js';
import { createWorkerPort } from '../../src/worker/port.js';
import { git, writeFile } from '../helpers/repo.js';
import { fixture, nodeOf, setupRun } from './support.js';

/** The shared fork whose join is a merge node of the dev actor (a merge train), with the check `command` when given. */
const TRAIN = (command?: string) =>
  fixture('fork', (t) => {
    const join = nodeOf(t, 'integrate');
    delete join.task;
    Object.assign(join, { type: 'merge', actor: 'dev', ...(command !== undefined ? { command } : {}) });
  });

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** A branch `team/<id>` off main with one commit writing `files`. */
function workerBranch(dir: string, id: string, files: Record<string, string>): void {
  git(dir, 'branch', `team/${id}`, 'main');
  git(dir, 'switch', '-q', `team/${id}`);
  for (const [path, text] of Object.entries(files)) writeFile(dir, path, text);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', `${id} work`);
  git(dir, 'switch', '-q', 'main');
}

async function runToTrain(yaml: string, branches: Record<string, Record<string, string>>) {
  const run = setupRun('train', yaml);
  cleanup = run.cleanup;
  writeFile(run.dir, '.gitignore', '.agents/\n');
  git(run.dir, 'add', '.gitignore');
  git(run.dir, 'commit', '-q', '-m', 'ignore agent-team files');
  for (const [id, files] of Object.entries(branches)) workerBranch(run.dir, id, files);
  await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
  // worker nodes are started before they complete (node_not_started)
  await transitionRun(run.path, { action: 'start', node: 'api', worker: 'dev-001' }, run.dir);
  await transitionRun(run.path, { action: 'complete', node: 'api', worker: 'dev-001', summary: 'api' }, run.dir);
  // worker nodes are started before they complete (node_not_started)
  await transitionRun(run.path, { action: 'start', node: 'ui', worker: 'dev-002' }, run.dir);
  await transitionRun(run.path, { action: 'complete', node: 'ui', worker: 'dev-002', summary: 'ui' }, run.dir);
  const loaded = run.state();
  expect(loaded.current_node).toBe('integrate');
  const port = await createWorkerPort(run.dir, { run: run.path });
  return { run, port, main: git(run.dir, 'rev-parse', 'main') };
}

const clean = (dir: string) => {
  expect(git(dir, 'status', '--porcelain')).toBe('');
  expect(existsSync(join(dir, '.git', 'MERGE_HEAD'))).toBe(false);
  expect(git(dir, 'branch', '--list', 'agent-team/*')).toBe('');
  expect(git(dir, 'worktree', 'list').split('\n')).toHaveLength(1);
};

describe('merge train', () => {
  it('merges every branch of the pass, checks the integration, then fast-forwards the target', async () => {
    const { run, port, main } = await runToTrain(TRAIN('test -f api.txt && test -f ui.txt'), { 'dev-001': { 'api.txt': 'api\n' }, 'dev-002': { 'ui.txt': 'ui\n' } });
    const held = await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(held.stopped).toBe('confirmation'); // approval first
    expect(git(run.dir, 'rev-parse', 'main')).toBe(main);
    const report = await runController({ stateFile: run.path, port, cwd: run.dir, approved: new Set([approvalKey('integrate', 1)]) });
    expect(report.stopped).toBe('completed');
    expect(git(run.dir, 'merge-base', '--is-ancestor', 'team/dev-001', 'main')).toBe('');
    expect(git(run.dir, 'merge-base', '--is-ancestor', 'team/dev-002', 'main')).toBe('');
    expect(git(run.dir, 'rev-parse', 'main^')).not.toBe(main);
    expect(git(run.dir, 'ls-files')).toMatch(/api\.txt[\s\S]*ui\.txt/);
    expect(run.state().node_states.integrate?.summary).toMatch(/merged team\/dev-001, team\/dev-002 into main/);
    clean(run.dir);
  });

  it('a conflict leaves the target unchanged and blocks the node naming the branch and the file', async () => {
    const { run, port, main } = await runToTrain(TRAIN(), { 'dev-001': { 'shared.txt': 'from api\n' }, 'dev-002': { 'shared.txt': 'from ui\n' } });
    const report = await runController({ stateFile: run.path, port, cwd: run.dir, approved: new Set([approvalKey('integrate', 1)]) });
    expect(report.stopped).toBe('blocked');
    expect(git(run.dir, 'rev-parse', 'main')).toBe(main);
    const s = run.state();
    expect(s.status).toBe('blocked');
    expect(s.node_states.integrate?.status).toBe('blocked');
    expect(s.blocking_reason).toMatch(/team\/dev-002 conflicts in shared\.txt \(after merging team\/dev-001\); main is unchanged/);
    clean(run.dir);
  });

  it('a failed check on the integration leaves the target unchanged', async () => {
    const { run, port, main } = await runToTrain(TRAIN('echo integration broken; exit 3'), { 'dev-001': { 'api.txt': 'api\n' }, 'dev-002': { 'ui.txt': 'ui\n' } });
    const report = await runController({ stateFile: run.path, port, cwd: run.dir, approved: new Set([approvalKey('integrate', 1)]) });
    expect(report.stopped).toBe('blocked');
    expect(git(run.dir, 'rev-parse', 'main')).toBe(main);
    expect(run.state().blocking_reason).toMatch(/the check failed on the integration of team\/dev-001, team\/dev-002; main is unchanged: `echo integration broken; exit 3` exited 3 \(whole output: [^)]*\.log\):\nintegration broken/);
    clean(run.dir);
  });
});
