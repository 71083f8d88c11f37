/**
 * The blocking wait (issue 10, item 2) and the controller-trial measure: a `branching` run with one failed
 * verification is driven to completed with `workflow run --wait` — at most one call per judgement point
 * plus one, and no call that only re-checks (every call returns a step that needs the controller). The
 * re-check fallback is set to an hour, so every wake-up comes from a file change (the run-state a
 * worker's reply-main writes), not from polling. `state next --wait` returns when the step changes, or
 * at --timeout with `timed_out: true`, a result the controller tells apart from a step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync } from '../helpers/cli.js';
import { expectTaught } from './skill-table.js';
import { makeTeam, type Team } from './support.js';
import '../workflow/fresh-build.js';

const HOUR = String(3_600_000);

describe('workflow run --wait: the controller trial', () => {
  let team: Team;
  beforeAll(async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: {},
      playbook: [
        { match: 'Break down the requirement', reply: 'Task completed: two sub-tasks' },
        { match: 'Implement and commit', files: { 'feature.txt': 'v1\n' }, commit: 'Implement', reply: 'Task completed: implemented' },
        { match: 'Run the tests', once: true, reply: 'Task completed: 1 test fails', outcome: 'failed' },
        { match: 'Run the tests', reply: 'Task completed: all tests pass', outcome: 'passed' },
        { match: 'Fix what failed', files: { 'feature.txt': 'v2\n' }, commit: 'Fix', reply: 'Task completed: fixed' },
      ],
    });
    team.env.AGENT_TEAM_WAIT_RECHECK_MS = HOUR;
    team.ok(['workflow', 'create', 'trial', '--preset', 'branching', '--cto-role', 'dev', '--dev-role', 'dev', '--qa-role', 'qa']);
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  it('completes with one run --wait per judgement point plus one', async () => {
    const file = team.init('trial', 't1', '--param', 'requirement=Add a greeting');
    const calls: any[] = [];
    const judgements: string[] = [];
    let approveMerge = false;
    for (let i = 0; i < 6; i++) {
      const report = team.ok(['workflow', 'run', file, '--wait', '--timeout', '120s', ...(approveMerge ? ['--yes'] : [])]);
      expectTaught(report.next);
      calls.push(report);
      expect(report.timed_out, `call ${calls.length} timed out: ${report.why}`).toBe(false);
      expect(report.stopped, `no call only re-checks (call ${calls.length}: ${report.why}; ${report.next.node?.id} ${report.next.node?.status} ${report.next.node?.activity})`).not.toBe('waiting');
      if (report.next.kind === 'completed') break;
      // a judgement point: the controller (here: the person approving) chooses
      const step = report.next;
      if (step.node.type === 'merge') {
        // the preset's merge_code: the person approves the merge, and the next call carries --yes
        expect(step.message).toMatch(/merge/);
        judgements.push(step.node.id);
        approveMerge = true;
        continue;
      }
      expect(step.kind, `${step.node.id}: ${step.message}`).toBe('confirm');
      const outcome = step.node.id === 'controller_dispatch' ? 'dev_first' : '';
      judgements.push(step.node.id);
      team.ok(['workflow', 'state', 'confirm', file, '--node', step.node.id, ...(outcome ? ['--outcome', outcome] : []), '--summary', 'approved']);
      if (team.show(file).status === 'completed') break;
    }
    expect(judgements).toEqual(['controller_dispatch', 'merge_code', 'controller_finish']);
    expect(team.show(file).status).toBe('completed');
    expect(calls.length, calls.map((c) => `${c.stopped}: ${c.why}`).join('\n')).toBeLessThanOrEqual(judgements.length + 1);
    const log = team.show(file).decision_log.filter((e: any) => e.node === 'qa_verify' && e.action === 'complete').map((e: any) => e.outcome);
    expect(log, 'the verification failed once, then passed').toEqual(['failed', 'passed']);
  });
});

describe('state next --wait', () => {
  let team: Team;
  let file: string;
  beforeAll(async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: {
        hold: `version: 1
name: hold
roles:
    dev: { role: dev }
entry: watch
nodes:
    - id: watch
      type: wait_for_completion
      actor: dev
      next: done
    - id: done
      type: controller_task
      task: Close
      end: true
`,
      },
      playbook: [],
    });
    team.env.AGENT_TEAM_WAIT_RECHECK_MS = HOUR;
    file = team.init('hold', 'h1');
    team.ok(['worker', 'create', 'dev']);
    team.ok(['worker', 'open', 'dev-001']);
    team.ok(['workflow', 'state', 'wait', file, '--node', 'watch', '--worker', 'dev-001', '--reason', 'dev-001 is busy']);
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  it('offers no completion choices while a worker works', () => {
    const step = team.next(file);
    expect(step).toMatchObject({ kind: 'wait', commands: [], choices: [], then: [] });
    expect(step.done_when).not.toMatch(/[|<>]/);
  });

  it('times out with timed_out: true and the same wait step, run-state untouched', () => {
    const before = team.bytes(file);
    const step = team.ok(['workflow', 'state', 'next', file, '--wait', '--timeout', '1s']);
    expect(step).toMatchObject({ kind: 'wait', timed_out: true, node: { id: 'watch' } });
    expect(team.bytes(file)).toBe(before);
    expect(team.ok(['workflow', 'state', 'next', file]).timed_out, 'without --wait there is no timed_out').toBeUndefined();
    expect(team.at(['workflow', 'state', 'next', file, '--timeout', '1s', '--json']).code, '--timeout needs --wait').toBe(2);
    expect(team.at(['workflow', 'run', file, '--wait', '--timeout', 'soon', '--json']).code).toBe(2);
  });

  it('returns when the worker replies (woken by the run-state change)', async () => {
    const waiting = cliAsync(['workflow', 'state', 'next', file, '--wait', '--timeout', '120s', '--json'], { cwd: team.root, env: team.env });
    const reply = team.replyMain('dev-001', 'Task completed: watched');
    expect(reply.code, reply.stderr).toBe(0);
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ timed_out: false, kind: 'act', node: { id: 'watch' }, reply: { worker: 'dev-001', message: 'Task completed: watched' } });
  });
});
