/**
 * A controller that only follows `workflow state next --json` — running each printed command exactly as
 * printed, choosing among the printed choices — takes a run through every node type to completion:
 * assign_role_task, wait_for_completion, verify_or_test with `command:` (printed as `workflow run`,
 * failing then passing), decision, controller_task, handoff, verify_or_test assigned to a worker, merge,
 * and a final confirmation. Every line printed on the way is one the skill teaches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seenPaths } from './skill-table.js';

// the paths seen are this file's own (test files may share one process: isolate is off for e2e)
beforeAll(() => seenPaths.clear());
import { controllerTree, followNext, makeTeam, paneBackend, type Team } from './support.js';

const BY_NEXT = `version: 1
name: by-next
roles:
    dev: { role: dev }
    qa: { role: qa }
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: Write the greeting file
      next: wait_build
    - id: wait_build
      type: wait_for_completion
      actor: dev
      next: check
    - id: check
      type: verify_or_test
      actor: dev
      command: grep -q hello greeting.txt
      branches:
          - { when: passed, next: approve_fix }
          - { when: failed, next: triage }
    - id: triage
      type: decision
      task: The check failed; fix or give up?
      branches:
          - { when: fix, next: fix }
          - { when: give_up, next: finish }
    - id: fix
      type: assign_role_task
      actor: dev
      task: Fix the greeting file
      next: check
    - id: approve_fix
      type: controller_task
      task: Look at the fixed greeting
      next: to_qa
    - id: to_qa
      type: handoff
      actor: qa
      task: Review the greeting
      next: qa_verdict
    - id: qa_verdict
      type: verify_or_test
      actor: qa
      task: Verify the greeting by hand
      branches:
          - { when: passed, next: merge_dev }
          - { when: failed, next: triage }
    - id: merge_dev
      type: merge
      actor: dev
      next: finish
    - id: finish
      type: controller_task
      requires_confirmation: true
      task: Approve the release
      end: true
`;

describe('a controller that follows only what next prints', () => {
  let team: Team;
  beforeAll(async () => {
    team = await makeTeam({
      backend: paneBackend,
      workflows: { 'by-next': BY_NEXT },
      playbook: [
        { match: 'Write the greeting file', files: { 'greeting.txt': 'hi\n' }, commit: 'Add greeting', reply: 'Task completed: greeting written' },
        { match: 'Fix the greeting file', files: { 'greeting.txt': 'hello\n' }, commit: 'Say hello', reply: 'Task completed: fixed' },
        { match: 'Review the greeting', reply: 'Task completed: reviewed' },
        { match: 'Verify the greeting by hand', reply: 'Task completed: verified', outcome: 'passed' },
      ],
    });
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  it('completes a run through every node type', async () => {
    const file = team.init('by-next', 'n1');
    const headBefore = controllerTree(team).head;
    const decisions: string[] = [];
    const trace = await followNext(team, file, {
      choose(step) {
        const state = team.show(file);
        decisions.push(step.node.id);
        // never guess: triage follows the check's recorded outcome
        if (step.node.id === 'triage') return { outcome: state.node_states.check.outcome === 'failed' ? 'fix' : 'give_up', summary: 'check failed: fix it' };
        if (step.node.id === 'approve_fix' || step.node.id === 'finish') return { outcome: '', summary: `${step.node.id} ok` };
        throw new Error(`unexpected decision on ${step.node.id}`);
      },
      async onWait(step) {
        if (step.node.id === 'wait_build') {
          const r = team.replyMain('dev-001', 'Task completed: build settled', '--status', 'done');
          expect(r.code, r.stderr).toBe(0);
        }
        await team.waitForReply(file, step.node.id);
      },
    });
    // `wait` steps appear or not depending on how fast the worker replies; the rest is fixed
    expect(trace.filter((t) => !t.endsWith(':wait'))).toEqual([
      'build:act',
      'build:act',
      'wait_build:act',
      'wait_build:act',
      'check:act',
      'triage:decide',
      'fix:act',
      'fix:act',
      'check:act',
      'approve_fix:decide',
      'to_qa:act',
      'to_qa:act',
      'qa_verdict:act',
      'qa_verdict:act',
      'merge_dev:confirm',
      'finish:confirm',
      '-:completed',
    ]);
    expect(trace).toContain('wait_build:wait');
    expect(decisions).toEqual(['triage', 'approve_fix', 'finish']);

    const state = team.show(file);
    expect(state.status).toBe('completed');
    expect(state.node_states.check).toMatchObject({ status: 'completed', outcome: 'passed', visits: 2, history: [expect.objectContaining({ outcome: 'failed' })] });
    expect(state.node_states.triage).toMatchObject({ outcome: 'fix', summary: 'check failed: fix it' });
    expect(state.node_states.merge_dev).toMatchObject({ status: 'completed', worker: 'dev-001', summary: 'merged team/dev-001' });
    expect(state.role_worker_map).toEqual({ dev: 'dev-001', qa: 'qa-001' });
    expect(team.workers()).toEqual(['dev-001', 'qa-001']);
    expect(readFileSync(join(team.root, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(controllerTree(team)).toMatchObject({ branch: 'main', status: '', merging: false });
    expect(controllerTree(team).head).not.toBe(headBefore);
    expect(state.decision_log.filter((e: any) => e.forced)).toEqual([]);
    expect([...seenPaths].sort()).toEqual([
      'worker assign',
      'worker create',
      'worker merge',
      'worker open',
      'workflow run',
      'workflow state complete',
      'workflow state confirm',
      'workflow state start',
      'workflow state wait',
    ]);
  }, 480_000); // a hang guard: ~60 CLI calls and agent round trips took 33 s idle, 281 s with several suites running

  it('`worker create <role> --yes`, as next prints it, uses the project\'s default_provider', () => {
    const created = team.ok(['worker', 'create', 'dev', '--yes']);
    expect(created.provider).toBe('scripted');
  });
});
