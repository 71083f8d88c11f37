/**
 * `for_each` on a real run-state: one instance `<node>/<n>` per item, each with its own worker and
 * `{{item}}` in its task, at most `max_parallel` at work (the others wait for a slot), the node
 * completing when every instance has, with `passed` only when all passed (`outcomes` lists them).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runController } from '../../src/workflow/controller.js';
import { recordReply } from '../../src/workflow/replies.js';
import { nextStep } from '../../src/workflow/next.js';
import { loadRun, transitionRun } from '../../src/workflow/state-service.js';
import { FakePort, fixture, type FixtureTemplate, nodeOf, setupRun } from './support.js';

/** The shared for_each node (items alpha, beta, gamma; two at once), with `edit` applied to it. */
const EACH = (edit?: (build: Record<string, unknown>, t: FixtureTemplate) => void) => fixture('each', (t) => edit?.(nodeOf(t, 'build'), t));
/** The same node over two items, a and b. */
const overAB = (build: Record<string, unknown>) => (build.for_each = { items: ['a', 'b'], max_parallel: 2 });

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('for_each', () => {
  it('runs one instance per item on its own worker, never more than max_parallel at once', async () => {
    const run = setupRun('each', EACH());
    cleanup = run.cleanup;
    let s = run.state();
    expect(s.active_nodes).toEqual(['build/1', 'build/2', 'build/3']);
    expect(s.current_node).toBe('build/1');
    expect((s.node_states.build as { instances?: number }).instances).toBe(3);

    const port = new FakePort();
    const first = await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(port.calls.filter((c) => c.startsWith('assign'))).toEqual(['assign dev-001 Build alpha', 'assign dev-002 Build beta']);
    expect(first.stopped).toBe('waiting');
    expect(first.next.steps?.map((x) => `${x.node?.id}:${x.kind}`)).toEqual(['build/1:wait', 'build/2:wait', 'build/3:wait']);
    expect(first.next.steps?.[2]?.message).toMatch(/free slot \(max_parallel 2\)/);
    s = run.state();
    expect(s.node_states['build/3']?.status).toBe('pending');

    // one instance done: its slot goes to the third item, on a worker of its own
    await recordReply({ worker: 'dev-001', message: 'alpha built', status: 'done' }, run.dir);
    port.calls = [];
    await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(port.calls.filter((c) => c.startsWith('assign'))).toHaveLength(1);
    expect(port.calls.find((c) => c.startsWith('assign'))).toMatch(/^assign dev-00[13] Build gamma$/);
    s = run.state();
    expect(s.node_states['build/1']?.status).toBe('completed');
    expect(s.node_states['build/3']?.status).toBe('waiting');
    expect(new Set([s.node_states['build/2']?.worker, s.node_states['build/3']?.worker]).size).toBe(2);

    await recordReply({ worker: s.node_states['build/2']?.worker as string, message: 'beta built', status: 'done' }, run.dir);
    await recordReply({ worker: s.node_states['build/3']?.worker as string, message: 'gamma built', status: 'done' }, run.dir);
    const last = await runController({ stateFile: run.path, port, cwd: run.dir });
    s = run.state();
    expect(s.node_states.build?.status).toBe('completed');
    expect(s.node_states.build?.outcome).toBe('passed');
    expect((s.node_states.build as { outcomes?: string[] }).outcomes).toEqual(['passed', 'passed', 'passed']);
    expect(s.current_node).toBe('done');
    expect(s.active_nodes).toBeUndefined();
    expect(last.next.node?.id).toBe('done');
  });

  it('the node fails when one instance fails, and its branches follow the aggregated outcome', async () => {
    // the node branches on its (aggregated) outcome
    const run = setupRun(
      'each',
      EACH((build) => {
        overAB(build);
        delete build.next;
        build.branches = [
          { when: 'passed', next: 'done' },
          { when: 'failed', next: 'done' },
        ];
      }),
    );
    cleanup = run.cleanup;
    // worker nodes are started before they complete (node_not_started)
    await transitionRun(run.path, { action: 'start', node: 'build/2' }, run.dir);
    await transitionRun(run.path, { action: 'complete', node: 'build/2', outcome: 'failed', summary: 'b broke' }, run.dir);
    expect(run.state().node_states.build?.status).toBe('running');
    // worker nodes are started before they complete (node_not_started)
    await transitionRun(run.path, { action: 'start', node: 'build/1' }, run.dir);
    await expect(transitionRun(run.path, { action: 'complete', node: 'build/1' }, run.dir)).rejects.toThrow(/give --outcome with one of: passed, failed/);
    await transitionRun(run.path, { action: 'complete', node: 'build/1', outcome: 'passed' }, run.dir);
    const s = run.state();
    expect(s.node_states.build?.outcome).toBe('failed');
    expect((s.node_states.build as { outcomes?: string[] }).outcomes).toEqual(['passed', 'failed']);
    expect(s.current_node).toBe('done');
    expect(s.decision_log.at(-1)).toMatchObject({ node: 'build/1', action: 'complete', next_node: 'done' });
  });

  it('a node that builds on a for_each node builds on the branch of every instance', async () => {
    // after the for_each node, QA verifies on top of it (builds_on)
    const run = setupRun(
      'each',
      EACH((build, t) => {
        overAB(build);
        build.next = 'verify';
        t.roles.qa = { role: 'qa' };
        t.nodes.splice(1, 0, {
          id: 'verify',
          type: 'verify_or_test',
          actor: 'qa',
          builds_on: ['build'],
          task: 'Verify everything together',
          branches: [
            { when: 'passed', next: 'done' },
            { when: 'failed', next: 'done' },
          ],
        });
      }),
    );
    cleanup = run.cleanup;
    for (const [n, w] of [[1, 'dev-001'], [2, 'dev-002']] as const) {
      await transitionRun(run.path, { action: 'start', node: `build/${n}`, worker: w }, run.dir);
      await transitionRun(run.path, { action: 'complete', node: `build/${n}`, worker: w }, run.dir);
    }
    const loaded = loadRun(run.path, run.dir);
    expect(loaded.state.current_node).toBe('verify');
    const step = nextStep(loaded.state, loaded.template!.template, 'run.yaml', new FakePort());
    expect(step.commands).toContain("agent-team worker assign qa-001 'Verify everything together (reply with --outcome passed or failed)' --builds-on team/dev-001 --builds-on team/dev-002");
  });

  it('takes its items from a node summary, one per line', async () => {
    const yaml = `version: 1
name: plan-each
roles:
    dev: { role: dev }
entry: plan
nodes:
    - id: plan
      type: controller_task
      next: build
    - id: build
      type: assign_role_task
      actor: dev
      for_each: { items: "{{nodes.plan.summary}}", as: task }
      task: "Do {{task}}"
      next: done
    - id: done
      type: controller_task
      end: true
`;
    const run = setupRun('plan-each', yaml);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'plan', summary: '- login page\n- logout button\n' }, run.dir);
    const s = run.state();
    expect(s.active_nodes).toEqual(['build/1', 'build/2']);
    const port = new FakePort();
    await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(port.calls.filter((c) => c.startsWith('assign'))).toEqual(['assign dev-001 Do login page', 'assign dev-002 Do logout button']);
  });
});
