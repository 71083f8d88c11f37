/**
 * A builds_on conflict before a check command (`verify_or_test` with `command:`), in-process with the
 * recording port: the merge into the checking worker's branch conflicts, the node is blocked with the
 * conflict recorded on it, and `state next` offers `resolve` (sent to the developer whose branch
 * conflicts, the files named) and `retry` — not only the retry. A later block for another cause does
 * not reuse the old conflict's choices. A `[resolve]` tied to the node makes `next` wait for that
 * developer's reply, then offer the choices with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/errors.js';
import { runController } from '../../src/workflow/controller.js';
import { nextStep } from '../../src/workflow/next.js';
import { recordResolveAssignment } from '../../src/workflow/builds-on-conflict.js';
import { recordReply } from '../../src/workflow/replies.js';
import { loadRun, transitionRun } from '../../src/workflow/state-service.js';
import { FakePort, fixture, nodeOf, setupRun } from './support.js';

/** fork, with the join a check on top of both branches: integrate builds on api and ui, then runs `true`. */
const CHECKED_JOIN = fixture('fork', (t) => {
  Object.assign(nodeOf(t, 'integrate'), { type: 'verify_or_test', actor: 'dev', command: 'true', builds_on: ['api', 'ui'] });
});

/** A port whose workers have worktrees and whose builds_on merge of the first branch conflicts in shared.txt. */
class ConflictPort extends FakePort {
  override worktree = (id: string) => (this.workers.has(id) ? `/nowhere/${id}` : undefined);
  async buildOn(id: string, branches: string[]) {
    this.calls.push(`buildOn ${id} ${branches.join(' ')}`);
    const branch = branches[0] as string;
    throw new OperationError(`merging ${branch} conflicts in shared.txt; merge aborted, /nowhere/${id} is unchanged`, { code: 'merge_conflict', details: { branch, conflicts: ['shared.txt'], head: 'abc' } });
  }
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('builds_on conflict before a check', () => {
  it('blocks, records the conflict, and next offers resolve (to the developer whose branch conflicts) then retry', async () => {
    const run = setupRun('fork', CHECKED_JOIN);
    cleanup = run.cleanup;
    const port = new ConflictPort();
    await transitionRun(run.path, { action: 'complete', node: 'split' }, run.dir);
    await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(run.state().node_states.api.worker).toBe('dev-001');
    expect(run.state().node_states.ui.worker).toBe('dev-002');
    await transitionRun(run.path, { action: 'complete', node: 'api', summary: 'api' }, run.dir);
    await transitionRun(run.path, { action: 'complete', node: 'ui', summary: 'ui' }, run.dir);

    const report = await runController({ stateFile: run.path, port, cwd: run.dir });
    expect(report.stopped).toBe('blocked');
    // the check runs in the actor's worker's worktree: the other developer's branch is merged there first
    const state = run.state();
    const merge = port.calls.find((c) => c.startsWith('buildOn '))?.split(' ') ?? [];
    const checker = merge[1] as string;
    const other = checker === 'dev-001' ? 'dev-002' : 'dev-001';
    expect(merge).toEqual(['buildOn', checker, `team/${other}`]);
    expect(['dev-001', 'dev-002']).toContain(checker);
    expect(state.node_states.integrate.status).toBe('blocked');
    expect(state.node_states.integrate).toMatchObject({ builds_on_conflict: { worker: checker, branch: `team/${other}`, files: ['shared.txt'], others: [`team/${checker}`] } });

    const { template } = loadRun(run.path, run.dir);
    const step = nextStep(state, template!.template, run.path, port);
    expect(step.kind).toBe('blocked');
    expect(step.choices.map((c) => c.outcome)).toEqual(['resolve', 'retry']);
    expect(step.choices[0]?.command).toMatch(new RegExp(`^agent-team worker assign ${other} 'Resolve a merge conflict for integrate \\(run r1\\): .*conflicts in shared\\.txt\\. Merge team/${checker} into your branch team/${other}`));
    expect(step.choices[1]?.command).toMatch(new RegExp(`^agent-team workflow state start .* --node integrate --worker ${checker}$`));

    // the [resolve] tied to the node: next waits for that developer; a reply from another worker or to
    // another change is not taken; the developer's "blocked" reply keeps resolve first, with its message
    expect(await recordResolveAssignment(run.path, run.dir, 'integrate', other, '.tasks/changes/c1/')).toBe(true);
    const waiting = nextStep(run.state(), template!.template, run.path, port);
    expect(waiting).toMatchObject({ kind: 'wait', commands: [], choices: [] });
    expect(waiting.message).toContain(`waiting for ${other} to resolve it (change .tasks/changes/c1/`);
    expect(await recordReply({ worker: checker, message: 'not mine', status: 'done' }, run.dir)).toEqual([]);
    expect(await recordReply({ worker: other, message: 'old change', status: 'done', change: '.tasks/changes/c0/' }, run.dir)).toEqual([]);
    expect(nextStep(run.state(), template!.template, run.path, port).kind).toBe('wait');
    expect(await recordReply({ worker: other, message: 'Blocked: cannot merge', status: 'blocked', change: '.tasks/changes/c1/' }, run.dir)).toEqual([expect.objectContaining({ run_id: 'r1', node: 'integrate' })]);
    const replied = nextStep(run.state(), template!.template, run.path, port);
    expect(replied.kind).toBe('blocked');
    expect(replied.message).toContain(`${other} replied: Blocked: cannot merge (status blocked)`);
    expect(replied.choices.map((c) => c.outcome)).toEqual(['resolve', 'retry']);
    expect(run.state().decision_log.at(-1)).toMatchObject({ node: 'integrate', action: 'reply', worker: other, status: 'blocked', change: '.tasks/changes/c1/' });
    // a second reply is not taken on the same resolve (it was answered): send [resolve] again
    expect(await recordReply({ worker: other, message: 'again', status: 'done' }, run.dir)).toEqual([]);

    // blocked again for another cause: the old conflict's choices are not offered
    await transitionRun(run.path, { action: 'start', node: 'integrate' }, run.dir);
    await transitionRun(run.path, { action: 'block', node: 'integrate', reason: 'the person paused it' }, run.dir);
    const paused = nextStep(run.state(), template!.template, run.path, port);
    expect(paused.kind).toBe('blocked');
    expect(paused.choices).toEqual([]);
    expect(paused.commands).toEqual([expect.stringMatching(/state start .* --node integrate/)]);
  });
});
