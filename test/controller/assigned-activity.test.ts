/**
 * A worker's activity counts on a node whose assignment is recorded — every node `workflow run` gives
 * out with the real worker port (the assignment is written before anything is typed). Finding: the
 * activity tests' port records no assignment, and on a recorded one `state next` ignored the activity:
 * an agent idle without a reply, or one waiting on a dialog, showed as plain "waiting for dev-001".
 * Real run-state and locks; the recording WorkerPort (which, like the real one, records the assignment
 * through `beforeType`) stands in for the workers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runController } from '../../src/workflow/controller.js';
import { nextStep } from '../../src/workflow/next.js';
import { loadRun } from '../../src/workflow/state-service.js';
import type { AssignHooks } from '../../src/workflow/worker-port.js';
import { FakePort } from '../helpers/fake-port.js';
import { fixture, setupRun } from '../parallel/support.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** The recording port with activities, recording the assignment before "typing" as the real port does. */
class ActivityPort extends FakePort {
  activities = new Map<string, string>();
  details = new Map<string, { reason?: string; screen?: string[]; attach?: string }>();
  activity = (id: string) => this.activities.get(id);
  activityDetail = (id: string) => this.details.get(id);
  override async assign(id: string, description: string, hooks?: AssignHooks) {
    const change = `.tasks/changes/2026-01-01-00-00-00-${id}/`;
    await hooks?.beforeType?.(change);
    this.activities.set(id, 'working');
    this.calls.push(`assign ${id} ${description}`);
    return { change };
  }
}

async function assignedToDev() {
  const run = setupRun('slow', fixture('slow', (t) => delete (t.nodes[0] as Record<string, unknown>).timeout));
  cleanup = run.cleanup;
  const port = new ActivityPort();
  expect((await runController({ stateFile: run.path, port, cwd: run.dir })).stopped).toBe('waiting');
  expect(run.state().node_states.build?.assignment).toMatchObject({ worker: 'dev-001' });
  const next = () => {
    const loaded = loadRun(run.path, run.dir);
    return nextStep(loaded.state, loaded.template!.template, 'run.yaml', port);
  };
  return { run, port, next };
}

describe('activity on a node with a recorded assignment', () => {
  it('working: a plain wait', async () => {
    const { next } = await assignedToDev();
    expect(next()).toMatchObject({ kind: 'wait', commands: [], node: { activity: 'working' } });
  });

  it('idle without a reply: the reply that asks for one; workflow run stops saying so', async () => {
    const { run, port, next } = await assignedToDev();
    port.activities.set('dev-001', 'idle');
    const step = next();
    expect(step.message).toBe('dev-001 finished its turn without replying on build; ask it for a reply');
    expect(step.commands).toEqual([expect.stringMatching(/^agent-team reply dev-001 'You finished your turn without replying on build/)]);
    port.calls = [];
    const report = await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(report).toMatchObject({ stopped: 'waiting', why: expect.stringMatching(/finished its turn without replying/) });
    expect(port.calls).toEqual([]);
  });

  it('a dialog on screen stops for the controller with the pane lines and the attach command', async () => {
    const { port, next } = await assignedToDev();
    port.activities.set('dev-001', 'attention');
    port.details.set('dev-001', { reason: 'a dialog', screen: ['Trust this folder?'], attach: 'tmux attach -t %3' });
    expect(next()).toMatchObject({ kind: 'decide', commands: ['tmux attach -t %3'], message: expect.stringContaining('Trust this folder?') });
  });
});
