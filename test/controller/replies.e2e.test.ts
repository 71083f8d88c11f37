/**
 * Worker replies close the loop: `reply-main "<msg>" --outcome L --status done|blocked|needs-input`, run
 * inside the worker's worktree, records the reply on the active run waiting on that worker (node summary,
 * node `reply`, a `reply` entry in decision_log) and on no other run; `workflow run` then completes with
 * the outcome when it is one of the node's labels, completes a node without branches on `done`, blocks on
 * `blocked`, and stops for the controller (stopped "decision", run-state untouched) on `needs-input` or a
 * missing or unknown outcome — it never guesses. A reply still counts when the controller pane is gone,
 * and one no run waits for is kept as the worker's last reply (`worker status`).
 * Headless process backend: no multiplexer is needed here.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackend } from '../../src/session/index.js';
import { waitFor } from '../../src/session/wait.js';
import { seenPaths } from './skill-table.js';

// the paths seen are this file's own (test files may share one process: isolate is off for e2e)
beforeAll(() => seenPaths.clear());
import { pasteInBash } from '../helpers/paste.js';
import { execPrinted, makeTeam, type Team } from './support.js';

const REPLIES = `version: 1
name: replies
roles:
    dev: { role: dev }
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: Write the greeting file
      next: review
    - id: review
      type: wait_for_completion
      actor: dev
      branches:
          - { when: passed, next: ship }
          - { when: failed, next: build }
    - id: ship
      type: wait_for_completion
      actor: dev
      next: hold
    - id: hold
      type: wait_for_completion
      actor: dev
      next: done
    - id: done
      type: controller_task
      task: Close the run
      end: true
`;

/** A second workflow whose run sits at a controller_task: replies must never land there. */
const BYSTANDER = `version: 1
name: bystander
roles:
    dev: { role: dev }
entry: think
nodes:
    - id: think
      type: controller_task
      task: Think
      end: true
`;

describe('reply-main closes the loop', () => {
  let team: Team;
  let file: string;
  let bystander: string;

  beforeAll(async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: { replies: REPLIES, bystander: BYSTANDER },
      playbook: [{ match: 'Write the greeting file', files: { 'greeting.txt': 'hello\n' }, commit: 'Add greeting', reply: 'Task completed: greeting written' }],
    });
    file = team.init('replies', 'r1');
    bystander = team.init('bystander', 'b1');
    team.ok(['workflow', 'state', 'start', bystander, '--node', 'think', '--worker', 'dev-001']);
    const report = team.run(file);
    expect(report).toMatchObject({ stopped: 'waiting', next: { node: { id: 'build', worker: 'dev-001' } } });
    await team.waitForReply(file, 'build');
    expect(team.run(file)).toMatchObject({ stopped: 'waiting', steps: [{ node: 'build', action: 'complete' }], next: { kind: 'wait', node: { id: 'review' } } });
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  /** Sends a reply as dev-001 and checks where and how it was recorded; returns reply-main's JSON. */
  function reply(node: string, message: string, ...flags: string[]): any {
    const bystanderBefore = team.bytes(bystander);
    const before = team.show(file);
    const r = team.replyMain('dev-001', message, ...flags);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.recorded).toEqual([{ path: expect.stringMatching(/r1\.yaml$/), run_id: 'r1', node }]);
    expect(team.bytes(bystander), 'a run not waiting on dev-001 is not touched').toBe(bystanderBefore);
    const after = team.show(file);
    expect(after.decision_log.slice(0, -1)).toEqual(before.decision_log);
    const status = flags.includes('--status') ? flags[flags.indexOf('--status') + 1] : undefined;
    const outcome = flags.includes('--outcome') ? flags[flags.indexOf('--outcome') + 1] : undefined;
    expect(after.decision_log.at(-1)).toEqual({
      timestamp: expect.any(String),
      node,
      action: 'reply',
      worker: 'dev-001',
      summary: message,
      ...(status ? { status } : {}),
      ...(outcome ? { outcome } : {}),
    });
    expect(after.node_states[node]).toMatchObject({ status: expect.stringMatching(/^(waiting|running)$/), summary: message, reply: { worker: 'dev-001', message, ...(status ? { status } : {}), ...(outcome ? { outcome } : {}) } });
    expect(after.current_node).toBe(node);
    return r.json;
  }

  /** `workflow run` must stop for the controller and leave the run-state byte for byte as it was. */
  function expectStopsForController(whyPattern: RegExp): any {
    const before = team.bytes(file);
    const report = team.run(file);
    expect(report).toMatchObject({ stopped: 'decision', steps: [] });
    expect(report.why).toMatch(whyPattern);
    expect(team.bytes(file), 'no outcome is guessed').toBe(before);
    return report;
  }

  it('needs-input stops for the controller, who answers the worker', async () => {
    reply('review', 'Need input: hello or hi?', '--status', 'needs-input');
    const report = expectStopsForController(/dev-001 needs input: Need input: hello or hi\?/);
    expect(report.next).toMatchObject({ kind: 'decide', node: { id: 'review' }, reply: { status: 'needs-input' }, commands: [], reply_template: "agent-team reply dev-001 '<answer>'" });
    expect(report.next.choices.map((c: any) => c.outcome)).toEqual(['answer', 'passed', 'failed']);
    expect(team.next(file)).toEqual(report.next);
    execPrinted(team, report.next.reply_template, { answer: 'hello, please' });
    await team.waitForAgent('controller said: hello, please');
    await waitFor(() => readFileSync(team.controllerLog, 'utf8').includes('[Worker: dev-001] Need input: hello or hi?'), { timeoutMs: 10_000, description: 'the reply in the controller pane' });
  });

  it('a missing or unknown outcome on a branching node stops for the controller', () => {
    reply('review', 'Task completed: reviewed', '--status', 'done');
    expect(expectStopsForController(/without one of the outcomes passed, failed \(got none\)/).next).toMatchObject({ kind: 'decide', reply: { status: 'done' } });
    reply('review', 'Task completed: reviewed, mostly', '--outcome', 'maybe', '--status', 'done');
    const report = expectStopsForController(/got maybe/);
    expect(report.next.choices).toEqual([
      { outcome: 'passed', command: expect.stringMatching(/--node review --outcome passed --worker dev-001 --summary 'Task completed: reviewed, mostly'$/) },
      { outcome: 'failed', command: expect.stringMatching(/--node review --outcome failed --worker dev-001 --summary 'Task completed: reviewed, mostly'$/) },
    ]);
  });

  it('an outcome that is one of the labels completes the node and takes that branch', () => {
    reply('review', 'Task completed: reviewed, all good', '--outcome', 'passed', '--status', 'done');
    expect(team.next(file)).toMatchObject({ kind: 'act', commands: [expect.stringContaining('--node review --outcome passed --worker dev-001')] });
    const report = team.run(file);
    expect(report.steps).toEqual([{ node: 'review', action: 'complete', detail: 'dev-001 finished (passed): Task completed: reviewed, all good' }]);
    expect(report).toMatchObject({ stopped: 'waiting', next: { node: { id: 'ship' } } });
    const state = team.show(file);
    expect(state.node_states.review).toMatchObject({ status: 'completed', outcome: 'passed', worker: 'dev-001', summary: 'Task completed: reviewed, all good' });
    expect(state.decision_log.at(-2)).toMatchObject({ node: 'review', action: 'complete', outcome: 'passed', next_node: 'ship' });
  });

  it('done completes a node without branches', () => {
    reply('ship', 'Task completed: shipped', '--status', 'done');
    const report = team.run(file);
    expect(report.steps).toEqual([{ node: 'ship', action: 'complete', detail: 'dev-001 finished: Task completed: shipped' }]);
    expect(report).toMatchObject({ stopped: 'waiting', next: { node: { id: 'hold' } } });
    expect(team.show(file).node_states.ship).toMatchObject({ status: 'completed', summary: 'Task completed: shipped' });
  });

  it('blocked blocks the run until the controller restarts the node; a reply counts even when the controller pane is gone', async () => {
    reply('hold', 'Blocked: the CI is down', '--status', 'blocked');
    expect(team.next(file)).toMatchObject({
      kind: 'act',
      // the printed line records the reason workflow run records: `<worker>: <message>`
      commands: [expect.stringMatching(/^agent-team workflow state block \S+ --node hold --reason 'dev-001: Blocked: the CI is down'$/)],
    });
    let report = team.run(file);
    expect(report).toMatchObject({ stopped: 'blocked', run_status: 'blocked', steps: [{ node: 'hold', action: 'block' }], next: { kind: 'blocked', node: { id: 'hold' } } });
    const state = team.show(file);
    expect(state).toMatchObject({ status: 'blocked', blocking_reason: 'dev-001: Blocked: the CI is down', node_states: { hold: { status: 'blocked' } } });
    const before = team.bytes(file);
    expect(team.run(file).stopped).toBe('blocked');
    expect(team.bytes(file)).toBe(before);
    // while blocked, a reply is not taken
    const ignored = team.replyMain('dev-001', 'Task completed: never mind');
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(ignored.json.recorded).toEqual([]);
    expect(team.bytes(file)).toBe(before);

    execPrinted(team, report.next.commands[0]);
    // the same kind of reply, recorded by pasting the printed line into bash instead of workflow run: the same reason
    reply('hold', 'Blocked: the CI is down again', '--status', 'blocked');
    expect(pasteInBash(team.next(file).commands[0], team.root, team.env).code).toBe(0);
    expect(team.show(file)).toMatchObject({ status: 'blocked', blocking_reason: 'dev-001: Blocked: the CI is down again', node_states: { hold: { status: 'blocked', summary: 'dev-001: Blocked: the CI is down again' } } });
    expect(state.node_states.hold.summary).toBe('dev-001: Blocked: the CI is down');
    execPrinted(team, team.next(file).commands[0]);
    // the controller's pane goes away; the worker's reply is still recorded
    await getBackend('process', { ...process.env, ...team.env } as NodeJS.ProcessEnv).kill(team.controllerPane);
    expect(reply('hold', 'Task completed: CI is back', '--status', 'done')).toMatchObject({ ok: true, delivered: false, controller_pane_id: null });
    report = team.run(file);
    expect(report.steps).toEqual([{ node: 'hold', action: 'complete', detail: 'dev-001 finished: Task completed: CI is back' }]);
    expect(report).toMatchObject({ stopped: 'decision', next: { kind: 'decide', node: { id: 'done' } } });
    execPrinted(team, report.next.choices[0].command, { summary: 'closed' });
    expect(team.run(file)).toMatchObject({ stopped: 'completed' });
    // a finished run takes no more replies; with no pane and no run the reply is kept as the worker's last reply
    const finished = team.bytes(file);
    const orphan = team.replyMain('dev-001', 'Task completed: late');
    expect(orphan.code, orphan.stderr).toBe(0);
    expect(orphan.json).toMatchObject({ ok: true, delivered: false, recorded: [], worker_record: expect.stringMatching(/\.agents\/workers\/dev-001\/last-reply\.yaml$/) });
    expect(orphan.stderr).toContain('is not running');
    expect(team.bytes(file), 'a finished run is not touched').toBe(finished);
    expect(team.ok(['worker', 'status']).workers[0].last_reply).toMatchObject({ message: 'Task completed: late', status: 'done', runs: [] });
    expect([...seenPaths]).toEqual(expect.arrayContaining(['reply', 'workflow state block', 'workflow state start', 'workflow state complete']));
  });
});
