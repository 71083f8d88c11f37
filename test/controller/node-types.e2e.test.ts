/**
 * Every node type driven end to end by `agent-team workflow run --json`, with `workflow state next
 * --json` read at every stop: controller_task (plain, with `command:`, with confirmation),
 * assign_role_task, wait_for_completion, a verify_or_test whose `command:` fails then passes (loop
 * through a fix), handoff, verify_or_test without a command (assigned; the outcome comes from the
 * worker's reply), decision, and merge (held without --yes, then done). A second run merges a branch
 * that conflicts: the run blocks with the reason and the controller's branch is untouched.
 * Workers are the scripted stand-in agent in real tmux panes on a private socket.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/repo.js';
import { seenPaths } from './skill-table.js';

// the paths seen are this file's own (test files may share one process: isolate is off for e2e)
beforeAll(() => seenPaths.clear());
import { controllerTree, execPrinted, makeTeam, paneBackend, type PlaybookStep, type Team } from './support.js';

const ALL_TYPES = `version: 1
name: all-types
roles:
    dev: { role: dev }
    qa: { role: qa }
defaults:
    execution_mode: semi_auto
    create_worker_if_missing: true
    reuse_worker: true
entry: plan
nodes:
    - id: plan
      type: controller_task
      task: Plan the greeting feature
      next: smoke
    - id: smoke
      type: controller_task
      command: test -f README.md
      next: build
    - id: build
      type: assign_role_task
      actor: dev
      task: Write the greeting file
      next: await_build
    - id: await_build
      type: wait_for_completion
      actor: dev
      next: check
    - id: check
      type: verify_or_test
      actor: dev
      command: "cat greeting.txt; grep -q hello greeting.txt"
      branches:
          - { when: passed, next: to_qa }
          - { when: failed, next: fix }
    - id: fix
      type: assign_role_task
      actor: dev
      task: Fix the greeting file
      next: check
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
          - { when: passed, next: ship_it }
          - { when: failed, next: fix }
    - id: ship_it
      type: decision
      task: Ship now or hold?
      branches:
          - { when: ship, next: merge_dev }
          - { when: hold, next: finish }
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

const CONFLICT = `version: 1
name: conflict
roles:
    dev: { role: dev }
entry: edit
nodes:
    - id: edit
      type: assign_role_task
      actor: dev
      task: Rewrite the readme
      next: merge_dev
    - id: merge_dev
      type: merge
      actor: dev
      end: true
`;

const PLAYBOOK: PlaybookStep[] = [
  { match: 'Write the greeting file', files: { 'greeting.txt': 'hi there\n' }, commit: 'Add greeting', reply: 'Task completed: greeting.txt written' },
  { match: 'Fix the greeting file', files: { 'greeting.txt': 'hello there\n' }, commit: 'Say hello', reply: 'Task completed: greeting now says hello' },
  { match: 'Review the greeting', reply: 'Task completed: reviewed, looks right' },
  { match: 'Verify the greeting by hand', reply: 'Task completed: verified by hand', outcome: 'passed' },
  { match: 'Rewrite the readme', files: { 'README.md': '# rewritten by dev\n' }, commit: 'Rewrite readme', reply: 'Task completed: readme rewritten' },
];

/** The `decision_log` actions of a run, as `node:action[:outcome]`. */
function actions(state: any): string[] {
  return state.decision_log.map((e: any) => [e.node, e.action, e.outcome].filter(Boolean).join(':'));
}

describe('every node type through workflow run and workflow state next', () => {
  let team: Team;

  beforeAll(async () => {
    team = await makeTeam({ backend: paneBackend, workflows: { 'all-types': ALL_TYPES, conflict: CONFLICT }, playbook: PLAYBOOK });
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  it('runs all seven node types to completion, stopping exactly where judgement is needed', async () => {
    const file = team.init('all-types', 'all');

    // controller_task without a command: the controller's own work.
    let next = team.next(file);
    expect(next).toMatchObject({ kind: 'decide', node: { id: 'plan', type: 'controller_task' }, commands: [expect.stringContaining('workflow state start')] });
    expect(next.choices).toEqual([{ outcome: '', command: expect.stringMatching(/^agent-team workflow state complete \S+ --node plan --summary '<summary>'$/) }]);
    let before = team.bytes(file);
    let report = team.run(file);
    expect(report).toMatchObject({ stopped: 'decision', steps: [], next: { kind: 'decide', node: { id: 'plan' } } });
    expect(team.bytes(file), 'workflow run decides nothing for the controller').toBe(before);
    for (const c of next.commands) execPrinted(team, c);
    execPrinted(team, next.choices[0].command, { summary: 'planned' });

    // smoke (controller_task with command) runs and the run moves to build: create, open, assign, wait.
    next = team.next(file);
    expect(next).toMatchObject({ kind: 'act', node: { id: 'smoke' }, check_command: 'test -f README.md', commands: [expect.stringMatching(/^agent-team workflow run /)] });
    report = team.run(file);
    expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['smoke:check', 'build:create', 'build:open', 'build:assign']);
    expect(report).toMatchObject({ stopped: 'waiting', run_status: 'waiting', next: { kind: 'wait', node: { id: 'build', worker: 'dev-001', status: 'waiting' } } });
    let state = await team.waitForReply(file, 'build');
    expect(state.node_states.build.reply).toMatchObject({ worker: 'dev-001', status: 'done', message: 'Task completed: greeting.txt written' });
    next = team.next(file);
    expect(next).toMatchObject({ kind: 'act', node: { id: 'build' }, commands: [expect.stringMatching(/^agent-team workflow state complete \S+ --node build --worker dev-001 --summary /)] });

    // build completes on the reply; wait_for_completion waits on dev-001, assigning nothing.
    report = team.run(file);
    expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['build:complete']);
    expect(report).toMatchObject({ stopped: 'waiting', next: { kind: 'wait', node: { id: 'await_build', type: 'wait_for_completion', worker: 'dev-001' } } });
    // while the worker works, next offers no completion lines (issue 10): its reply completes the node
    expect(report.next).toMatchObject({ then: [], choices: [] });
    const replied = team.replyMain('dev-001', 'Task completed: build settled', '--status', 'done');
    expect(replied.code, replied.stderr).toBe(0);
    expect(replied.json.recorded).toEqual([expect.objectContaining({ run_id: 'all', node: 'await_build' })]);

    // await_build completes; the check fails (runs in dev-001's worktree), the loop goes through fix.
    report = team.run(file);
    expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['await_build:complete', 'check:check', 'fix:assign']);
    expect(report.steps[1].detail).toMatch(/→ failed/);
    expect(report).toMatchObject({ stopped: 'waiting', next: { kind: 'wait', node: { id: 'fix', worker: 'dev-001' } } });
    state = team.show(file);
    expect(state.node_states.check).toMatchObject({ status: 'completed', outcome: 'failed' });
    expect(state.node_states.check.summary).toMatch(/exited 1 \(whole output: \.agents\/workflow\/runs\/[^)]*\.log\):\nhi there/);
    await team.waitForReply(file, 'fix');

    // fix completes, the check passes now, the handoff creates and briefs a qa worker.
    report = team.run(file);
    expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['fix:complete', 'check:check', 'to_qa:create', 'to_qa:open', 'to_qa:assign']);
    expect(report.steps[1].detail).toMatch(/→ passed/);
    expect(report).toMatchObject({ stopped: 'waiting', next: { kind: 'wait', node: { id: 'to_qa', type: 'handoff', worker: 'qa-001' } } });
    state = team.show(file);
    expect(state.node_states.check).toMatchObject({ status: 'completed', outcome: 'passed', visits: 2 });
    expect(state.node_states.check.history).toEqual([expect.objectContaining({ outcome: 'failed' })]);
    await team.waitForReply(file, 'to_qa');

    // verify_or_test without command: assigned to qa-001 (already open), the reply's outcome decides.
    report = team.run(file);
    expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['to_qa:complete', 'qa_verdict:assign']);
    expect(report.next).toMatchObject({ kind: 'wait', node: { id: 'qa_verdict', type: 'verify_or_test', worker: 'qa-001' }, outcomes: ['passed', 'failed'] });
    // the worker's reply gives the outcome: no completion choices while it works (issue 10)
    expect(report.next).toMatchObject({ outcomes: ['passed', 'failed'], choices: [] });
    await team.waitForReply(file, 'qa_verdict');
    expect(team.next(file)).toMatchObject({ kind: 'act', commands: [expect.stringContaining('--node qa_verdict --outcome passed --worker qa-001')] });

    // decision: the run stops; the controller picks `ship` with the printed choice.
    report = team.run(file);
    expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['qa_verdict:complete']);
    expect(report).toMatchObject({ stopped: 'decision', next: { kind: 'decide', node: { id: 'ship_it', type: 'decision' }, outcomes: ['ship', 'hold'] } });
    before = team.bytes(file);
    expect(team.run(file).stopped).toBe('decision');
    expect(team.bytes(file)).toBe(before);
    const ship = team.next(file).choices.find((c: any) => c.outcome === 'ship');
    expect(ship.command).toMatch(/^agent-team workflow state complete \S+ --node ship_it --outcome ship --summary '<summary>'$/);
    execPrinted(team, ship.command, { summary: 'ship it' });

    // merge without --yes: held for approval, nothing merged.
    const tree = controllerTree(team);
    report = team.run(file);
    expect(report).toMatchObject({ stopped: 'confirmation', steps: [], next: { kind: 'confirm', node: { id: 'merge_dev', type: 'merge', worker: 'dev-001' } } });
    expect(report.why).toMatch(/--yes/);
    expect(report.next.commands).toEqual([expect.stringMatching(/^agent-team worker merge dev-001$/), expect.stringContaining('workflow state complete')]);
    expect(controllerTree(team)).toEqual(tree);
    expect(existsSync(join(team.root, 'greeting.txt'))).toBe(false);
    expect(team.show(file).node_states.merge_dev.status).toBe('waiting');

    // with --yes: merged; the final controller_task requires confirmation and is never confirmed by run.
    report = team.run(file, true);
    expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['merge_dev:merge']);
    expect(report).toMatchObject({ stopped: 'confirmation', run_status: 'waiting_confirmation', next: { kind: 'confirm', node: { id: 'finish' } } });
    expect(readFileSync(join(team.root, 'greeting.txt'), 'utf8')).toBe('hello there\n');
    expect(git(team.root, 'rev-parse', 'HEAD^1')).toBe(tree.head);
    expect(controllerTree(team)).toMatchObject({ branch: 'main', status: '', merging: false });
    next = team.next(file);
    expect(next.choices).toEqual([{ outcome: '', command: expect.stringMatching(/^agent-team workflow state confirm \S+ --node finish --summary '<summary>'$/) }]);
    before = team.bytes(file);
    expect(team.run(file, true).stopped).toBe('confirmation');
    expect(team.bytes(file), '--yes approves merges, not confirmations').toBe(before);
    execPrinted(team, next.choices[0].command, { summary: 'approved' });

    report = team.run(file);
    expect(report).toMatchObject({ stopped: 'completed', run_status: 'completed', next: { kind: 'completed', commands: [], choices: [] } });
    state = team.show(file);
    // The worker's reply and the loop's `wait` may land in either order; everything else is exact.
    expect(actions(state).filter((a) => !a.includes(':reply'))).toEqual([
      'plan:start',
      'plan:complete',
      'smoke:start',
      'smoke:complete',
      'build:start',
      'build:wait',
      'build:complete',
      'await_build:wait',
      'await_build:complete',
      'check:start',
      'check:complete:failed',
      'fix:start',
      'fix:wait',
      'fix:complete',
      'check:start',
      'check:complete:passed',
      'to_qa:start',
      'to_qa:wait',
      'to_qa:complete',
      'qa_verdict:start',
      'qa_verdict:wait',
      'qa_verdict:complete:passed',
      'ship_it:complete:ship',
      'merge_dev:wait',
      'merge_dev:complete',
      'finish:wait',
      'finish:confirm',
    ]);
    for (const node of ['build', 'await_build', 'fix', 'to_qa', 'qa_verdict']) {
      const at = (action: string) => state.decision_log.flatMap((e: any, i: number) => (e.node === node && e.action === action ? [i] : []));
      expect(at('reply'), `one reply recorded on ${node}`).toHaveLength(1);
      expect(at('reply')[0], `the reply on ${node} comes before its completion`).toBeLessThan(at('complete')[0]);
    }
    expect(state.decision_log.find((e: any) => e.node === 'qa_verdict' && e.action === 'reply')).toMatchObject({ worker: 'qa-001', outcome: 'passed', status: 'done' });
    expect(team.workers()).toEqual(['dev-001', 'qa-001']);
    expect(readFileSync(team.controllerLog, 'utf8')).toContain('[Worker: qa-001] Task completed: verified by hand');
    expect([...seenPaths]).toEqual(
      expect.arrayContaining(['workflow run', 'workflow state start', 'workflow state complete', 'workflow state confirm', 'worker merge']),
    );
  });

  it('blocks a merge that conflicts, leaving the controller branch exactly as it was, then merges once resolved', async () => {
    const file = team.init('conflict', 'conflict');
    let report = team.run(file);
    expect(report).toMatchObject({ stopped: 'waiting', next: { node: { id: 'edit' } } });
    const worker = report.next.node.worker as string;
    await team.waitForReply(file, 'edit');
    // meanwhile the controller's branch changes the same line
    git(team.root, 'checkout', '-q', 'main');
    writeFileSync(join(team.root, 'README.md'), '# rewritten on main\n');
    git(team.root, 'commit', '-q', '-am', 'Main rewrites the readme');
    report = team.run(file);
    expect(report).toMatchObject({ stopped: 'confirmation', next: { kind: 'confirm', node: { id: 'merge_dev', worker } } });

    const tree = controllerTree(team);
    expect(tree).toMatchObject({ branch: 'main', status: '', merging: false });
    report = team.run(file, true);
    expect(report).toMatchObject({ stopped: 'blocked', run_status: 'blocked', next: { kind: 'blocked', node: { id: 'merge_dev', status: 'blocked' } } });
    expect(report.why).toMatch(new RegExp(`merge of team/${worker} failed: .*conflict`, 'i'));
    expect(report.why).toContain('README.md');
    expect(controllerTree(team), 'same HEAD, clean tree, no merge in progress').toEqual(tree);
    expect(readFileSync(join(team.root, 'README.md'), 'utf8')).toBe('# rewritten on main\n');
    const state = team.show(file);
    expect(state).toMatchObject({ status: 'blocked', current_node: 'merge_dev', blocking_reason: report.why });
    expect(state.decision_log.at(-1)).toMatchObject({ node: 'merge_dev', action: 'block', summary: expect.stringContaining('README.md') });
    const next = team.next(file);
    expect(next).toMatchObject({ kind: 'blocked', commands: [expect.stringMatching(new RegExp(`^agent-team workflow state start \\S+ --node merge_dev --worker ${worker}$`))] });
    const before = team.bytes(file);
    expect(team.run(file, true).stopped).toBe('blocked');
    expect(team.bytes(file), 'a blocked run is not retried behind the controller').toBe(before);
    expect(controllerTree(team)).toEqual(tree);

    // resolved on main (the conflicting commit is reverted); the printed start clears the block
    git(team.root, 'revert', '--no-edit', 'HEAD');
    execPrinted(team, next.commands[0]);
    report = team.run(file, true);
    expect(report).toMatchObject({ stopped: 'completed', run_status: 'completed' });
    expect(readFileSync(join(team.root, 'README.md'), 'utf8')).toBe('# rewritten by dev\n');
    expect(controllerTree(team)).toMatchObject({ branch: 'main', status: '', merging: false });
  });
});
