/**
 * The controller loop after the controller speaks to a worker (found by a user playing controller):
 * answering a worker's question (`reply <id>` after a needs-input reply) and nudging an overdue worker
 * are recorded on the run (decision_log `answer` / `nudge`); after them `next` and `run` wait for the
 * worker (and `--wait` really waits) instead of offering the same decision again; the overdue clock
 * restarts at a nudge and when a block is cleared, and `--wait` wakes at the overdue deadline (the
 * re-check fallback is set to an hour, so only the deadline can wake it). Built CLI, real git, the
 * scripted stand-in agent (headless process backend).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync } from '../helpers/cli.js';
import { waitFor } from '../../src/session/wait.js';
import { pasteInBash } from '../helpers/paste.js';
import { execPrinted, makeTeam, oneTaskTemplate, type Team } from './support.js';
import '../workflow/fresh-build.js';

const HOUR = String(3_600_000);

const ASK = oneTaskTemplate('ask', 'Build the asking part');

const SLOW = oneTaskTemplate('slow', 'Build the slow part', { timeout: '4s' });

describe('answering a worker that needs input', () => {
  let team: Team;
  beforeAll(async () => {
    team = await makeTeam({ backend: 'process', workflows: { ask: ASK }, playbook: [{ match: 'Build the asking part', reply: 'Need decision: red or blue?', status: 'needs-input' }] });
    team.env.AGENT_TEAM_WAIT_RECHECK_MS = HOUR;
  });
  afterAll(async () => team?.cleanup());

  it('offers the reply line first (text mode too), records the answer, then waits for the next reply-main', async () => {
    const file = team.init('ask', 'a1');
    team.run(file);
    await team.waitForReply(file, 'build');
    const asked = team.next(file);
    expect(asked).toMatchObject({ kind: 'decide', message: 'dev-001 needs input: Need decision: red or blue?', reply_template: "agent-team reply dev-001 '<answer>'" });
    expect(asked.choices[0]).toEqual({ outcome: 'answer', command: "agent-team reply dev-001 '<answer>'" });
    for (const c of asked.choices) expect(c.command, 'the question is never a completion summary').not.toContain('red or blue');
    const text = team.at(['workflow', 'state', 'next', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("agent-team reply dev-001 '<answer>'");
    expect(text.stdout).not.toContain("--summary 'Need decision");

    execPrinted(team, asked.choices[0].command, { answer: 'blue' });
    await team.waitForAgent('controller said: blue');
    const state = team.show(file);
    expect(state.decision_log.at(-1)).toEqual({ timestamp: expect.any(String), node: 'build', action: 'answer', worker: 'dev-001', summary: 'blue' });
    expect(state.node_states.build).toMatchObject({ status: 'waiting', reply: { status: 'needs-input', answer: 'blue', answered_at: expect.any(String) } });

    // the answered question is not offered again: next and run wait for the worker
    const waiting = team.next(file);
    expect(waiting).toMatchObject({ kind: 'wait', commands: [], choices: [], node: { id: 'build', worker: 'dev-001' } });
    expect(waiting.message).toMatch(/dev-001/);
    expect(team.run(file)).toMatchObject({ stopped: 'waiting', steps: [] });
    const timedOut = team.ok(['workflow', 'run', file, '--wait', '--timeout', '1s']);
    expect(timedOut).toMatchObject({ stopped: 'timeout', timed_out: true, next: { kind: 'wait' } });

    // --wait waits until the worker's next reply-main, and then completes the node
    const blocking = cliAsync(['workflow', 'run', file, '--wait', '--timeout', '120s', '--json'], { cwd: team.root, env: team.env });
    await waitFor(() => (team.show(file).decision_log.length === state.decision_log.length ? true : undefined), { timeoutMs: 5_000, description: 'nothing recorded meanwhile' });
    const done = team.replyMain('dev-001', 'Task completed: painted it blue');
    expect(done.code, done.stderr).toBe(0);
    const r = await blocking;
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ timed_out: false, stopped: 'decision', steps: [{ node: 'build', action: 'complete' }], next: { node: { id: 'done' } } });
  });
});

describe('nudging an overdue worker', () => {
  let team: Team;
  beforeAll(async () => {
    team = await makeTeam({ backend: 'process', workflows: { slow: SLOW }, playbook: [{ match: 'Build the slow part', delay_ms: 600_000, reply: 'Task completed: slow part' }] });
    team.env.AGENT_TEAM_WAIT_RECHECK_MS = HOUR;
  });
  afterAll(async () => team?.cleanup());

  /** The seconds in "has had it for 1m5s": how late the overdue decision came (--timeout is 120 s, far beyond). */
  const hadFor = (message: string): number => {
    const m = /has had it for (?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?/.exec(message);
    expect(m, message).not.toBeNull();
    return Number(m?.[1] ?? 0) * 3600 + Number(m?.[2] ?? 0) * 60 + Number(m?.[3] ?? 0);
  };

  /** The overdue step, waited for by `state next --wait` (one CLI that wakes at the deadline, not a `next` every 0.5 s). */
  const overdueStep = (file: string) => {
    const step = team.ok(['workflow', 'state', 'next', file, '--wait', '--timeout', '120s']);
    expect(step).toMatchObject({ kind: 'decide', timed_out: false });
    return step;
  };

  it('records the nudge and restarts the clock; a cleared block restarts it too; --wait wakes at the deadline', async () => {
    const file = team.init('slow', 's1');
    team.run(file);
    // state next --wait wakes at the overdue deadline (the re-check fallback is an hour away)
    const woke = team.ok(['workflow', 'state', 'next', file, '--wait', '--timeout', '120s']);
    expect(woke).toMatchObject({ kind: 'decide', timed_out: false, choices: [{ outcome: 'reply' }, { outcome: 'reassign' }] });
    expect(woke.message).toMatch(/^build is overdue: dev-001 has had it for \S+ \(timeout 4s\)$/);
    expect(hadFor(woke.message), 'woken at the overdue deadline, not at --timeout').toBeLessThan(60);

    const nudged = pasteInBash(woke.choices[0].command, team.root, team.env);
    expect(nudged.code, nudged.stderr).toBe(0);
    await team.waitForAgent('controller said: build is past its timeout of 4s');
    const state = team.show(file);
    expect(state.decision_log.at(-1)).toEqual({ timestamp: expect.any(String), node: 'build', action: 'nudge', worker: 'dev-001', summary: expect.stringMatching(/^build is past its timeout of 4s/) });
    expect(state.node_states.build.overdue_from).toBe(state.decision_log.at(-1).timestamp);

    // right after the nudge: waiting, not the same overdue decision; run --wait waits, then wakes overdue again
    expect(team.next(file)).toMatchObject({ kind: 'wait', node: { id: 'build' } });
    const again = team.ok(['workflow', 'run', file, '--wait', '--timeout', '120s']);
    expect(again).toMatchObject({ stopped: 'decision', timed_out: false, next: { kind: 'decide', choices: [{ outcome: 'reply' }, { outcome: 'reassign' }] } });
    expect(hadFor(again.next.message), 'counted from the nudge, woken at its deadline').toBeLessThan(60);

    // a block cleared by state start restarts the clock
    const blocked = team.replyMain('dev-001', 'Blocked: the CI is down', '--status', 'blocked');
    expect(blocked.code, blocked.stderr).toBe(0);
    expect(team.run(file)).toMatchObject({ stopped: 'blocked' });
    team.ok(['workflow', 'state', 'start', file, '--node', 'build']);
    const restarted = team.show(file);
    expect(restarted.decision_log.at(-1)).toMatchObject({ node: 'build', action: 'start' });
    expect(restarted.node_states.build.overdue_from).toBe(restarted.decision_log.at(-1).timestamp);
    expect(team.run(file)).toMatchObject({ stopped: 'waiting', next: { kind: 'wait', node: { id: 'build' } } });
    expect(overdueStep(file).message).toMatch(/^build is overdue/);
  });
});
