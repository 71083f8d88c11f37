/**
 * Distinct workers for the parallel steps of a run, and no step still opening a worker once `workflow
 * run` returned (issue 12, found while tracing the integration failure "git worktree add failed", whose
 * cause — git's own race between two adds — is in test/git/worktree-race.test.ts):
 * - a `wait_for_completion` node waits on its actor's worker before any worker is recorded on it, so
 *   `next` planned a parallel assignment of the same actor on that very worker (and `workflow run` could
 *   reserve it while the wait step reopened it);
 * - a step that failed made `workflow run` return (its run lock released) while the other steps of the
 *   round were still opening their workers, so the next call could open them again.
 * Real run-state, real locks; the recording WorkerPort stands in for the workers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runController } from '../../src/workflow/controller.js';
import { planSteps } from '../../src/workflow/nodes/index.js';
import { loadRun, transitionRun } from '../../src/workflow/state-service.js';
import { FakePort, fixture, nodeOf, setupRun } from './support.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** The shared fork, api a wait on the actor's worker (dev-001, named by the template), ui a new task of the same actor. */
const PINNED = fixture('fork', (t) => {
  t.roles.dev = { role: 'dev', worker: 'dev-001' };
  const api = nodeOf(t, 'api');
  delete api.task;
  api.type = 'wait_for_completion';
});

/** A recording port that notes every open of a worker that starts while another open of it is under way. */
class OverlapPort extends FakePort {
  overlaps: string[] = [];
  private opening = new Map<string, number>();
  override async open(id: string) {
    const n = (this.opening.get(id) ?? 0) + 1;
    this.opening.set(id, n);
    if (n > 1) this.overlaps.push(id);
    try {
      // opening takes a while (worktree, pane, provider start): let the other steps of the round go on meanwhile
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      return await super.open(id);
    } finally {
      this.opening.set(id, (this.opening.get(id) ?? 1) - 1);
    }
  }
}

describe('distinct workers for parallel steps', () => {
  it('a wait on the actor\'s worker holds that worker: the parallel assignment of the same actor gets another one', async () => {
    const run = setupRun('fork', PINNED);
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    const port = new OverlapPort();
    port.workers.set('dev-001', false); // created, not running: the wait step reopens it
    const loaded = loadRun(run.path, run.dir);
    const steps = planSteps(loaded.state, loaded.template!.template, 'run.yaml', port);
    expect(steps.map((s) => s.next.node?.id)).toEqual(['api', 'ui']);
    expect(steps[0]?.action).toMatchObject({ kind: 'resume', reopen: 'dev-001' });
    expect(steps[1]?.next.commands).not.toContain('agent-team worker open dev-001');
    expect(steps[1]?.next.commands).toContain('agent-team worker open dev-002');

    const report = await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(port.overlaps).toEqual([]);
    expect(port.calls.filter((c) => c.startsWith('open'))).toEqual(expect.arrayContaining(['open dev-001', 'open dev-002']));
    expect(port.calls).toContain('assign dev-002 Build the UI');
    const s = run.state();
    expect(s.node_states.api).toMatchObject({ status: 'waiting', worker: 'dev-001' });
    expect(s.node_states.ui).toMatchObject({ status: 'waiting', worker: 'dev-002' });
    expect(report.stopped).toBe('waiting');
  });

  it('when one step of a round fails, workflow run returns only after the other steps finished opening their workers', async () => {
    const run = setupRun('fork', fixture('fork'));
    cleanup = run.cleanup;
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    const finished: string[] = [];
    class FailingPort extends FakePort {
      override async open(id: string) {
        if (id === 'dev-001') throw new Error('dev-001 cannot start its provider');
        for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
        const r = await super.open(id);
        finished.push(id);
        return r;
      }
    }
    const port = new FailingPort();
    await expect(runController({ stateFile: run.path, port, cwd: run.dir })).rejects.toThrow(/dev-001 cannot start its provider/);
    // nothing of that round is still under way once the call returned (its run lock is free again)
    expect(finished).toEqual(['dev-002']);
    expect(port.calls).toContain('assign dev-002 Build the UI');
    expect(run.state().node_states.ui).toMatchObject({ status: 'waiting', worker: 'dev-002' });
  });
});
