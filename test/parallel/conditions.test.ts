/**
 * `when:` conditions, `retry:` and `timeout:` on a real run-state with real commands: a false condition
 * skips the node (status skipped; a join counts it as done), a check that fails once passes on its retry,
 * an overdue command is killed and counts as failed, and an overdue worker node makes `next` offer a
 * nudge (`reply`) and a reassignment.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runController } from '../../src/workflow/controller.js';
import { nextStep } from '../../src/workflow/next.js';
import { reassignRun } from '../../src/workflow/reassign.js';
import { loadRun, mutateRun, transitionRun } from '../../src/workflow/state-service.js';
import { FakePort, fixture, nodeOf, setupRun } from './support.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** The shared fork, api the controller's own node, ui a worker node entered only `when:` the run's with_ui param is true. */
const WHEN = fixture('fork', (t) => {
  const api = nodeOf(t, 'api');
  delete api.actor;
  api.type = 'controller_task';
  nodeOf(t, 'ui').when = { all: [{ param: 'with_ui', equals: true }, { not: { node: 'split', outcome: 'never' } }] };
});

/** The shared check node running `command`, with `retry:`/`timeout:` from `extra`. */
const CHECK = (extra: { retry?: number; timeout?: string }, command: string) => fixture('check', (t) => Object.assign(nodeOf(t, 'test'), { command, ...extra }));

describe('when', () => {
  it('a false condition skips the node and the run goes on through the join', async () => {
    const run = setupRun('when', WHEN, { with_ui: false });
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    let s = run.state();
    expect(s.node_states.ui?.status).toBe('skipped');
    expect(s.current_node).toBe('api');
    expect(s.active_nodes).toBeUndefined();
    await transitionRun(run.path, { action: 'complete', node: 'api' }, run.dir);
    s = run.state();
    expect(s.current_node).toBe('integrate');
    expect(s.node_states.ui?.status).toBe('skipped');
  });

  it('a true condition enters the node', async () => {
    const run = setupRun('when', WHEN, { with_ui: true });
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    expect(run.state().active_nodes).toEqual(['api', 'ui']);
  });
});

describe('retry and timeout on commands', () => {
  it('retry: 1 reruns a failing check, which passes the second time', async () => {
    const command = 'if [ -f .tried ]; then exit 0; else touch .tried; exit 1; fi';
    const run = setupRun('check', CHECK({ retry: 1 }, command));
    cleanup = run.cleanup;
    const report = await runController({ stateFile: run.path, port: new FakePort(), cwd: run.dir });
    expect(report.steps.map((x) => x.action)).toEqual(['retry', 'check']);
    const s = run.state();
    expect(s.node_states.test?.status).toBe('completed');
    expect(s.node_states.test?.summary).toMatch(/exited 0 \(run 2 of 2\)/);
    expect(s.current_node).toBe('done');
  });

  it('without retry the same check fails once and blocks the node (as before)', async () => {
    const command = 'if [ -f .tried ]; then exit 0; else touch .tried; exit 1; fi';
    const run = setupRun('check', CHECK({}, command));
    cleanup = run.cleanup;
    const report = await runController({ stateFile: run.path, port: new FakePort(), cwd: run.dir });
    expect(report.stopped).toBe('blocked');
    expect(run.state().node_states.test?.status).toBe('blocked');
  });

  it('a command past its timeout is killed (with its children) and counts as failed', async () => {
    const run = setupRun('check', CHECK({ timeout: '1s' }, 'sleep 120 & wait'));
    cleanup = run.cleanup;
    const report = await runController({ stateFile: run.path, port: new FakePort(), cwd: run.dir });
    expect(report.stopped).toBe('blocked');
    const s = run.state();
    expect(s.node_states.test?.status).toBe('blocked');
    expect(s.blocking_reason).toMatch(/was killed after 1s \(timeout\)/);
  });
});

describe('timeout on a worker node', () => {
  it('an overdue worker node makes next offer a nudge and a reassignment; run stops for that decision', async () => {
    const run = setupRun('slow', fixture('slow'));
    cleanup = run.cleanup;
    const port = new FakePort();
    port.workers.set('dev-001', true);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await transitionRun(run.path, { action: 'start', node: 'build', worker: 'dev-001', now: twoHoursAgo }, run.dir);
    await transitionRun(run.path, { action: 'wait', node: 'build', worker: 'dev-001', reason: 'waiting for dev-001', now: twoHoursAgo }, run.dir);
    const loaded = loadRun(run.path, run.dir);
    const step = nextStep(loaded.state, loaded.template!.template, 'run.yaml', port);
    expect(step.kind).toBe('decide');
    expect(step.message).toMatch(/build is overdue: dev-001 has had it for 2h(0m)?\S* \(timeout 30m\)/);
    expect(step.choices.map((c) => c.outcome)).toEqual(['reply', 'reassign']);
    expect(step.choices[0]?.command).toMatch(/^agent-team reply dev-001 /);
    expect(step.choices[1]?.command).toMatch(/^agent-team workflow state reassign run\.yaml --node build --reason 'overdue: dev-001 had it for 2h\S* \(timeout 30m\)'$/);
    const report = await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(report.stopped).toBe('decision');
    expect(report.why).toMatch(/overdue/);
  });

  it('reassigning a for_each instance keeps its item and visit count; workflow run gives it to another worker, never the old one', async () => {
    // the shared for_each node over two items, dev's preferred worker dev-001, a 30m timeout
    const yaml = fixture('each', (t) => {
      t.roles.dev = { role: 'dev', worker: 'dev-001' };
      Object.assign(nodeOf(t, 'build'), { for_each: { items: ['alpha', 'beta'] }, timeout: '30m' });
      nodeOf(t, 'done').after = ['build'];
    });
    const run = setupRun('each', yaml);
    cleanup = run.cleanup;
    const port = new FakePort();
    port.workers.set('dev-001', true);
    await runController({ stateFile: run.path, port, cwd: run.dir });
    let s = run.state();
    expect(s.node_states['build/1']).toMatchObject({ status: 'waiting', worker: 'dev-001', item: 'alpha' });
    const other = s.node_states['build/2']?.worker as string;
    expect(other).not.toBe('dev-001');
    // build/1 was started two hours ago: overdue
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await mutateRun(run.path, run.dir, (r) => ({ result: {}, state: { ...r.state, node_states: { ...r.state.node_states, 'build/1': { ...r.state.node_states['build/1']!, started_at: twoHoursAgo } } } }));
    const loaded = loadRun(run.path, run.dir);
    const step = nextStep(loaded.state, loaded.template!.template, 'run.yaml', port);
    expect(step.kind).toBe('decide');
    expect(step.choices.map((c) => c.outcome)).toEqual(['reply', 'reassign']);
    expect(step.choices[1]?.command).toMatch(/^agent-team workflow state reassign run\.yaml --node build\/1 --reason /);

    await reassignRun(run.path, { node: 'build/1', reason: 'overdue' }, run.dir);
    s = run.state();
    expect(s.node_states['build/1']).toMatchObject({ status: 'pending', visits: 1, item: 'alpha', reassigned_from: ['dev-001'] });
    expect(s.node_states['build/1']?.history?.at(-1)).toMatchObject({ status: 'waiting', worker: 'dev-001', started_at: twoHoursAgo });
    expect(s.active_nodes).toEqual(['build/1', 'build/2']);
    expect(s.decision_log.at(-1)).toMatchObject({ node: 'build/1', action: 'reassign', worker: 'dev-001', summary: 'overdue' });
    // dev-001 is the template's worker for dev, and free: still it never gets build/1 back
    port.calls = [];
    await runController({ stateFile: run.path, port, cwd: run.dir });
    s = run.state();
    const third = s.node_states['build/1']?.worker as string;
    expect([`dev-001`, other]).not.toContain(third);
    expect(port.calls).toContain(`assign ${third} Build alpha`);

    // refused, nothing written: a node no worker is doing, a node not active
    const before = readFileSync(run.path);
    await expect(reassignRun(run.path, { node: 'done' }, run.dir)).rejects.toMatchObject({ code: 'not_current_node' });
    await transitionRun(run.path, { action: 'block', node: 'build/2', reason: 'stuck' }, run.dir);
    const blocked = readFileSync(run.path);
    await expect(reassignRun(run.path, { node: 'build/2' }, run.dir)).rejects.toMatchObject({ code: 'not_reassignable' });
    expect(readFileSync(run.path).equals(blocked)).toBe(true);
    expect(before.equals(blocked)).toBe(false);
  });

  it('a node within its timeout just waits', async () => {
    const run = setupRun('slow', fixture('slow'));
    cleanup = run.cleanup;
    const port = new FakePort();
    port.workers.set('dev-001', true);
    await transitionRun(run.path, { action: 'start', node: 'build', worker: 'dev-001' }, run.dir);
    await transitionRun(run.path, { action: 'wait', node: 'build', worker: 'dev-001', reason: 'waiting for dev-001' }, run.dir);
    const loaded = loadRun(run.path, run.dir);
    expect(nextStep(loaded.state, loaded.template!.template, 'run.yaml', port).kind).toBe('wait');
  });
});
