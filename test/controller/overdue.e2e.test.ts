/**
 * `timeout:` on a worker node, end to end (issue 12 item 5, finding: the overdue step's "reassign"
 * choice only printed `worker assign <a worker that did not exist>` and recorded nothing). Each printed
 * choice is pasted into bash as printed: `reply` nudges the worker (typed into its pane); `reassign`
 * takes the node from the worker — the visit goes to the node's history, the worker's change is marked
 * superseded, the run records it — and `workflow run` then gives the node to another worker, while a
 * late reply of the old worker lands nowhere. Built CLI, real git, the scripted stand-in agent
 * (headless process backend), which never finishes this task.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pasteInBash } from '../helpers/paste.js';
import { expectTaught } from './skill-table.js';
import { makeTeam, oneTaskTemplate, type Team } from './support.js';

const SLOW = oneTaskTemplate('slow', 'Build the slow part', { timeout: '1s' });

/** The status line of a change folder's change.yaml in `worker`'s worktree. */
function changeStatus(team: Team, worker: string, change: string): string | undefined {
  return /^status: (.*)$/m.exec(readFileSync(join(team.root, '.worktrees', worker, change, 'change.yaml'), 'utf8'))?.[1];
}

describe('an overdue worker node', () => {
  let team: Team;
  beforeAll(async () => {
    // the stand-in takes the task and works on it for ten minutes: it never replies during the test
    team = await makeTeam({ backend: 'process', workflows: { slow: SLOW }, playbook: [{ match: 'Build the slow part', delay_ms: 600_000, reply: 'Task completed: slow part' }] });
  });
  afterAll(async () => team?.cleanup());

  it('offers reply and reassign; both work pasted as printed, and reassign moves the task to another worker', async () => {
    const file = team.init('slow', 's1');
    team.run(file);
    const first = team.show(file).node_states.build;
    expect(first).toMatchObject({ status: 'waiting', worker: 'dev-001', assignment: { worker: 'dev-001' } });
    const oldChange: string = first.assignment.change;
    expect(changeStatus(team, 'dev-001', oldChange)).toBe('assigned');

    // past the 1 s timeout, next says so (`state next --wait` wakes at the deadline; no fixed sleep, no poll)
    const step = team.ok(['workflow', 'state', 'next', file, '--wait', '--timeout', '120s']);
    expect(step).toMatchObject({ kind: 'decide', timed_out: false });
    expectTaught(step);
    expect(step.message).toMatch(/^build is overdue: dev-001 has had it for \S+ \(timeout 1s\)$/);
    expect(step.choices.map((c: any) => c.outcome)).toEqual(['reply', 'reassign']);
    expect(team.run(file)).toMatchObject({ stopped: 'decision', why: expect.stringMatching(/overdue/) });

    // reply: the nudge reaches the worker's pane
    const nudged = pasteInBash(step.choices[0].command, team.root, team.env);
    expect(nudged.code, nudged.stderr).toBe(0);
    await team.waitForAgent('controller said: build is past its timeout of 1s');

    // reassign: recorded in the run-state, the old change superseded, nothing typed anywhere
    const before = team.show(file);
    const taken = pasteInBash(step.choices[1].command, team.root, team.env);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/took build from dev-001/);
    const after = team.show(file);
    expect(after.node_states.build).toMatchObject({ status: 'pending', visits: before.node_states.build.visits, reassigned_from: ['dev-001'] });
    expect(after.node_states.build.history.at(-1)).toMatchObject({ status: 'waiting', worker: 'dev-001', assignment: { worker: 'dev-001', change: oldChange } });
    expect(after.decision_log.at(-1)).toMatchObject({ node: 'build', action: 'reassign', worker: 'dev-001', summary: expect.stringMatching(/^overdue: dev-001 had it for/) });
    expect(after.status).toBe('ready');
    expect(changeStatus(team, 'dev-001', oldChange)).toBe('superseded');

    // workflow run gives the node to another worker, never back to dev-001
    const again = team.run(file);
    expect(again.steps.map((s: any) => s.action)).toEqual(expect.arrayContaining(['create', 'assign']));
    const now = team.show(file).node_states.build;
    expect(now).toMatchObject({ status: 'waiting', worker: 'dev-002', assignment: { worker: 'dev-002' } });
    expect(readFileSync(join(team.root, '.worktrees', 'dev-002', now.assignment.change, 'change.yaml'), 'utf8')).toMatch(/Build the slow part/);
    expect(changeStatus(team, 'dev-001', oldChange)).toBe('superseded');

    // the old worker's late reply is not taken for the node
    const late = team.replyMain('dev-001', 'Task completed: slow part after all');
    expect(late.code, late.stderr).toBe(0);
    expect(late.json.recorded).toEqual([]);
    expect(team.show(file).node_states.build.reply).toBeUndefined();

    // a node nobody is doing cannot be reassigned: exit 1, the run-state unchanged
    const bytes = team.bytes(file);
    const refused = team.at(['workflow', 'state', 'reassign', file, '--node', 'done', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json.error.code).toBe('not_current_node');
    expect(team.bytes(file)).toBe(bytes);
  });
});
