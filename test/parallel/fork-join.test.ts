/**
 * Fork and join on a real run-state: `next: [a, b]` enters both nodes at once (`active_nodes`,
 * `current_node` the first), transitions accept any active node, a join (`after:`) waits for the slower
 * path, `state next` returns one step per active node, and `workflow run` assigns every ready node at
 * once to distinct workers.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runController } from '../../src/workflow/controller.js';
import { nextStep } from '../../src/workflow/next.js';
import { recordReply } from '../../src/workflow/replies.js';
import { loadRun, transitionRun } from '../../src/workflow/state-service.js';
import { FakePort, fixture, setupRun } from './support.js';

/** split → [api, ui] (worker nodes of one actor) → integrate (the join). */
const FORK = fixture('fork');

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('fork and join', () => {
  it('a fork enters every listed node; a join waits for the slower path', async () => {
    const run = setupRun('fork', FORK);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    let s = run.state();
    expect(s.current_node).toBe('api');
    expect(s.active_nodes).toEqual(['api', 'ui']);
    expect(s.node_states.api?.status).toBe('pending');
    expect(s.node_states.ui?.status).toBe('pending');

    // the faster path (ui) arrives first: the join is not entered, ui leaves the active set
    // worker nodes are started before they complete (node_not_started)
    await transitionRun(run.path, { action: 'start', node: 'ui', worker: 'dev-002' }, run.dir);
    await transitionRun(run.path, { action: 'complete', node: 'ui', worker: 'dev-002' }, run.dir);
    s = run.state();
    expect(s.current_node).toBe('api');
    expect(s.active_nodes).toBeUndefined();
    expect(s.node_states.integrate?.status).toBe('pending');
    expect(s.decision_log.at(-1)?.next_node).toBeUndefined();

    // the join is not active: a transition on it is refused and changes nothing
    const before = readFileSync(run.path);
    await expect(transitionRun(run.path, { action: 'start', node: 'integrate' }, run.dir)).rejects.toThrow(/not the current node/);
    expect(readFileSync(run.path).equals(before)).toBe(true);

    // worker nodes are started before they complete (node_not_started)
    await transitionRun(run.path, { action: 'start', node: 'api', worker: 'dev-001' }, run.dir);
    await transitionRun(run.path, { action: 'complete', node: 'api', worker: 'dev-001' }, run.dir);
    s = run.state();
    expect(s.current_node).toBe('integrate');
    expect(s.decision_log.at(-1)?.next_node).toBe('integrate');
    await transitionRun(run.path, { action: 'complete', node: 'integrate' }, run.dir);
    expect(run.state().status).toBe('completed');
  });

  it('transitions accept any active node and the run status summarises them', async () => {
    const run = setupRun('fork', FORK);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    await transitionRun(run.path, { action: 'wait', node: 'ui', reason: 'dev-002 builds it', worker: 'dev-002' }, run.dir);
    expect(run.state().status).toBe('waiting');
    await transitionRun(run.path, { action: 'start', node: 'api', worker: 'dev-001' }, run.dir);
    expect(run.state().status).toBe('running');
    await transitionRun(run.path, { action: 'block', node: 'ui', reason: 'no design' }, run.dir);
    let s = run.state();
    expect(s.status).toBe('blocked');
    expect(s.blocking_reason).toBe('ui: no design');
    await transitionRun(run.path, { action: 'start', node: 'ui', worker: 'dev-002' }, run.dir);
    s = run.state();
    expect(s.status).toBe('running');
    expect(s.blocking_reason).toBe('');
    expect(s.active_nodes).toEqual(['api', 'ui']);
  });

  it('--force on a node that is not active adds it to the active nodes; the other paths stay as they are', async () => {
    const run = setupRun('fork', FORK);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    await transitionRun(run.path, { action: 'start', node: 'api', worker: 'dev-001' }, run.dir);
    await transitionRun(run.path, { action: 'wait', node: 'ui', worker: 'dev-002', reason: 'waiting for dev-002' }, run.dir);
    // a deliberate out-of-order move to the join, while api and ui are still at work
    await transitionRun(run.path, { action: 'start', node: 'integrate', force: true }, run.dir);
    let s = run.state();
    expect(s.active_nodes).toEqual(['api', 'ui', 'integrate']);
    expect(s.current_node).toBe('api');
    expect(s.node_states.api).toMatchObject({ status: 'running', worker: 'dev-001' });
    expect(s.node_states.ui).toMatchObject({ status: 'waiting', worker: 'dev-002' });
    expect(s.node_states.integrate?.status).toBe('running');
    expect(s.decision_log.at(-1)).toMatchObject({ node: 'integrate', action: 'start', forced: true });
    expect(s.status).toBe('running');
    // completing the forced node (an end node) leaves the other paths running: the run is not completed
    await transitionRun(run.path, { action: 'complete', node: 'integrate' }, run.dir);
    s = run.state();
    expect(s.status).not.toBe('completed');
    expect(s.active_nodes).toEqual(['api', 'ui']);
    expect(s.node_states.api).toMatchObject({ status: 'running', worker: 'dev-001' });
    // a forced complete of a node off the active set moves only that path: its next (integrate) waits for the join
    await transitionRun(run.path, { action: 'complete', node: 'split', force: true }, run.dir);
    s = run.state();
    expect(s.active_nodes).toEqual(['api', 'ui']);
    expect(s.node_states.ui).toMatchObject({ status: 'waiting', worker: 'dev-002' });
  });

  it('--force in a run at one node still moves that one node (the Go semantics)', async () => {
    const run = setupRun('fork', FORK);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'start', node: 'api', force: true, worker: 'dev-001' }, run.dir);
    const s = run.state();
    expect(s.current_node).toBe('api');
    expect(s.active_nodes).toBeUndefined();
    expect(s.node_states.api?.status).toBe('running');
  });

  it('state next returns one step per active node; the first step stays at the top level', async () => {
    const run = setupRun('fork', FORK);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    const loaded = loadRun(run.path, run.dir);
    const step = nextStep(loaded.state, loaded.template!.template, 'run.yaml', new FakePort());
    expect(step.steps?.map((x) => x.node?.id)).toEqual(['api', 'ui']);
    expect(step.node?.id).toBe('api');
    expect(step.kind).toBe('act');
    // distinct workers: the second step does not get the worker the first one would create
    expect(step.steps?.[0]?.commands).toContain('agent-team worker open dev-001');
    expect(step.steps?.[1]?.commands).toContain('agent-team worker create dev --yes');
    expect(step.steps?.[1]?.commands).toContain('agent-team worker open dev-002');
  });

  it('workflow run assigns every ready node at once to distinct workers, then completes through the join', async () => {
    const run = setupRun('fork', FORK);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    const port = new FakePort();
    const report = await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(report.stopped).toBe('waiting');
    expect(port.calls.filter((c) => c.startsWith('assign'))).toEqual(['assign dev-001 Build the API', 'assign dev-002 Build the UI']);
    let s = run.state();
    expect(s.node_states.api?.worker).toBe('dev-001');
    expect(s.node_states.ui?.worker).toBe('dev-002');
    expect(s.status).toBe('waiting');
    expect(report.next.steps?.map((x) => x.kind)).toEqual(['wait', 'wait']);

    // replies reach the node each worker is doing
    expect(await recordReply({ worker: 'dev-002', message: 'UI done', status: 'done' }, run.dir)).toEqual([expect.objectContaining({ node: 'ui' })]);
    await runController({ stateFile: run.path, port, cwd: run.dir });
    s = run.state();
    expect(s.node_states.ui?.status).toBe('completed');
    expect(s.current_node).toBe('api'); // the join waits for api
    expect(await recordReply({ worker: 'dev-001', message: 'API done', status: 'done' }, run.dir)).toEqual([expect.objectContaining({ node: 'api' })]);
    const last = await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(last.stopped).toBe('decision');
    expect(last.next.node?.id).toBe('integrate');
  });
});
