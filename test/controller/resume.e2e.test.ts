/**
 * Resume: every pane and process is killed in the middle of a run (tmux `kill-server` on the private
 * socket; SIGKILL to the process backend's pane groups), while a worker is busy on a node. Calling
 * `workflow state next` / `workflow run` on the same state file then continues from current_node:
 * nothing completed is redone (decision_log entries and node states of completed nodes unchanged, the
 * first task never given again, no second worker), and the worker that died is reopened in its existing
 * worktree and given its task again. The tmux case resumes with `workflow run`; the process case resumes
 * by running exactly the commands `next` prints.
 * The stand-in agent "hangs" on the slow task the first time (its playbook step cannot write its file);
 * the test then rewrites the playbook, which the restarted agent reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/repo.js';
import { execPrinted, hasTmux, makeTeam, occurrences, workerYaml, type PlaybookStep, type Team } from './support.js';

const RESUME = `version: 1
name: resume
roles:
    dev: { role: dev }
entry: first
nodes:
    - id: first
      type: assign_role_task
      actor: dev
      task: Write the greeting file
      next: second
    - id: second
      type: assign_role_task
      actor: dev
      task: Write the slow part
      next: check
    - id: check
      type: verify_or_test
      actor: dev
      command: test -f slow.txt
      branches:
          - { when: passed, next: finish }
          - { when: failed, next: second }
    - id: finish
      type: controller_task
      task: Close the run
      end: true
`;

const GREETING: PlaybookStep = { match: 'Write the greeting file', files: { 'greeting.txt': 'hello\n' }, commit: 'Add greeting', reply: 'Task completed: greeting written' };
// README.md is a file, so README.md/slow.txt cannot be written: the agent logs "failed" and never replies.
const HANGS: PlaybookStep = { match: 'Write the slow part', files: { 'README.md/slow.txt': 'x\n' }, commit: 'never', reply: 'never' };
const WORKS: PlaybookStep = { match: 'Write the slow part', files: { 'slow.txt': 'slow\n' }, commit: 'Add the slow part', reply: 'Task completed: slow part written' };

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

/** Runs until `second` is assigned and the worker is stuck on it; returns the state file and the run-state then. */
async function stuckOnSecond(t: Team): Promise<{ file: string; snapshot: any; paneBefore: string }> {
  const file = t.init('resume', 'resume');
  expect(t.run(file)).toMatchObject({ stopped: 'waiting', next: { node: { id: 'first', worker: 'dev-001' } } });
  await t.waitForReply(file, 'first');
  const report = t.run(file);
  expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['first:complete', 'second:assign']);
  await t.waitForAgent('failed:');
  const snapshot = t.show(file);
  expect(snapshot).toMatchObject({ current_node: 'second', node_states: { first: { status: 'completed' }, second: { status: 'waiting', worker: 'dev-001' } } });
  expect(t.ok(['worker', 'status']).workers).toEqual([expect.objectContaining({ id: 'dev-001', state: 'running' })]);
  return { file, snapshot, paneBefore: /pane_id:\s*"?([^"\n]+)"?/.exec(workerYaml(t, 'dev-001'))?.[1] as string };
}

/** After the kill: the run-state is as it was, and everyone is offline. */
function expectAllDead(t: Team, file: string, snapshot: any): void {
  expect(t.show(file)).toEqual(snapshot);
  expect(t.ok(['worker', 'status']).workers).toEqual([expect.objectContaining({ id: 'dev-001', state: 'offline' })]);
}

/** Nothing completed was redone, no second worker, the dead worker came back in its worktree with its task. */
function expectResumedCleanly(t: Team, file: string, snapshot: any, paneBefore: string): void {
  const state = t.show(file);
  expect(state.decision_log.slice(0, snapshot.decision_log.length), 'decision_log entries before the kill are unchanged').toEqual(snapshot.decision_log);
  expect(state.node_states.first).toEqual(snapshot.node_states.first);
  expect(state.node_states.second).toMatchObject({ status: 'completed', visits: 1, worker: 'dev-001', summary: 'Task completed: slow part written' });
  expect(state.node_states.check).toMatchObject({ status: 'completed', outcome: 'passed' });
  expect(state.decision_log.filter((e: any) => e.node === 'first').map((e: any) => e.action)).toEqual(snapshot.decision_log.filter((e: any) => e.node === 'first').map((e: any) => e.action));
  expect(t.workers(), 'no second worker').toEqual(['dev-001']);
  const log = readFileSync(t.agentLog, 'utf8');
  const worktree = join(t.root, '.worktrees', 'dev-001');
  expect(occurrences(log, `started in ${worktree} as dev-001`), 'reopened once, in the same worktree').toBe(2);
  expect(occurrences(log, 'assigned: Write the greeting file'), 'the completed task is not given again').toBe(1);
  expect(occurrences(log, 'assigned: Write the slow part'), 'the interrupted task is given again').toBe(2);
  expect(git(t.root, 'log', '--format=%s', 'team/dev-001', '-3').split('\n')).toEqual(['Add the slow part', 'Add greeting', 'agent-team setup']);
  const config = workerYaml(t, 'dev-001');
  // tmux numbers the panes of a new server from %0 again, so only a process pane id must differ
  const field = (name: string) => new RegExp(`^${name}:\\s*"?([^"\\n]*)"?$`, 'm').exec(config)?.[1];
  if (t.backend === 'process') expect(field('pane_id')).not.toBe(paneBefore);
  expect(field('pane_id')).toMatch(/\S/);
  expect(field('controller_pane_id'), 'the worker reports to the controller pane of now').toBe(t.controllerPane);
}

describe('resuming a run after every pane and process was killed', () => {
  it.skipIf(!hasTmux)('tmux kill-server mid-run: workflow run reopens the worker and finishes', async () => {
    team = await makeTeam({ backend: 'tmux', workflows: { resume: RESUME }, playbook: [GREETING, HANGS] });
    const t = team;
    const { file, snapshot, paneBefore } = await stuckOnSecond(t);

    await t.killEverything();
    expectAllDead(t, file, snapshot);
    t.setPlaybook([GREETING, WORKS]);
    await t.startControllerPane(); // the controller comes back in a new pane of a new server

    const next = t.next(file);
    expect(next).toMatchObject({ kind: 'wait', node: { id: 'second', worker: 'dev-001', status: 'waiting' } });
    // issue 9 item 5: the recorded change is given again (--change), no new change is made
    expect(next.commands).toEqual(['agent-team worker open dev-001', expect.stringMatching(/^agent-team worker assign dev-001 'Write the slow part' --change \.tasks\/changes\/\S+\/$/)]);
    expect(t.show(file), 'next only reads').toEqual(snapshot);

    let report = t.run(file);
    expect(report.steps).toEqual([{ node: 'second', action: 'reopen', detail: expect.stringContaining('reopened in its worktree') }]);
    expect(report).toMatchObject({ stopped: 'waiting', next: { kind: 'wait', node: { id: 'second' }, commands: [] } });
    await t.waitForReply(file, 'second');
    report = t.run(file);
    expect(report.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['second:complete', 'check:check']);
    expect(report).toMatchObject({ stopped: 'decision', next: { node: { id: 'finish' } } });
    expectResumedCleanly(t, file, snapshot, paneBefore);
    expect(readFileSync(t.controllerLog, 'utf8')).toContain('[Worker: dev-001] Task completed: slow part written');
  });

  it('process panes killed mid-run: the commands next prints bring the worker back', async () => {
    team = await makeTeam({ backend: 'process', workflows: { resume: RESUME }, playbook: [GREETING, HANGS] });
    const t = team;
    const { file, snapshot, paneBefore } = await stuckOnSecond(t);

    await t.killEverything();
    expectAllDead(t, file, snapshot);
    t.setPlaybook([GREETING, WORKS]);
    await t.startControllerPane();

    // the controller follows next: reopen, give the task again, wait for the reply, complete, check
    let next = t.next(file);
    expect(next).toMatchObject({ kind: 'wait', node: { id: 'second' } });
    // issue 9 item 5: the recorded change is given again (--change), no new change is made
    expect(next.commands).toEqual(['agent-team worker open dev-001', expect.stringMatching(/^agent-team worker assign dev-001 'Write the slow part' --change \.tasks\/changes\/\S+\/$/)]);
    for (const c of next.commands) execPrinted(t, c);
    await t.waitForReply(file, 'second');
    next = t.next(file);
    expect(next).toMatchObject({ kind: 'act', commands: [expect.stringMatching(/^agent-team workflow state complete \S+ --node second --worker dev-001 --summary 'Task completed: slow part written'$/)] });
    execPrinted(t, next.commands[0]);
    next = t.next(file);
    expect(next).toMatchObject({ kind: 'act', node: { id: 'check' }, commands: [expect.stringMatching(/^agent-team workflow run /)] });
    execPrinted(t, next.commands[0]);
    expect(t.next(file)).toMatchObject({ kind: 'decide', node: { id: 'finish' } });
    expectResumedCleanly(t, file, snapshot, paneBefore);
  });
});
