/**
 * `state complete` on a node without branches (found by a user playing controller: `--outcome bogus`
 * was taken, exit 0, and the node closed while its worker still held an open change). Now an outcome
 * such a node cannot take is refused with exit 2, naming the node, the outcome and the allowed ones, the
 * run-state byte for byte unchanged; completing a node whose worker still holds an open change marks that
 * change superseded and says so; a worker's reply with a stray outcome on such a node still completes it.
 * Built CLI, real git, the scripted stand-in agent (headless process backend).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTeam, type Team } from './support.js';
import '../workflow/fresh-build.js';

const flow = (name: string, task: string) => `version: 1
name: ${name}
roles:
    dev: { role: dev }
entry: work
nodes:
    - id: work
      type: assign_role_task
      actor: dev
      task: ${task}
      next: done
    - id: done
      type: controller_task
      task: Close the run
      end: true
`;

/** The status line of a change folder's change.yaml in `worker`'s worktree. */
function changeStatus(team: Team, worker: string, change: string): string | undefined {
  return /^status: (.*)$/m.exec(readFileSync(join(team.root, '.worktrees', worker, change, 'change.yaml'), 'utf8'))?.[1];
}

describe('state complete on a node without branches', () => {
  let team: Team;
  beforeAll(async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: { slow1: flow('slow1', 'Do the slow work'), quick: flow('quick', 'Do the quick work') },
      playbook: [
        { match: 'Do the slow work', delay_ms: 600_000, reply: 'Task completed: slow' },
        { match: 'Do the quick work', reply: 'Task completed: quick', outcome: 'shipped' },
      ],
    });
  });
  afterAll(async () => team?.cleanup());

  it('refuses an outcome it cannot take (exit 2, nothing written); completing it supersedes the open change and says so', () => {
    const file = team.init('slow1', 's1');
    team.run(file);
    const change: string = team.show(file).node_states.work.assignment.change;
    expect(changeStatus(team, 'dev-001', change)).toBe('assigned');

    const before = team.bytes(file);
    const bogus = team.at(['workflow', 'state', 'complete', file, '--node', 'work', '--outcome', 'bogus', '--json']);
    expect(bogus.code, bogus.stdout).toBe(2);
    expect(bogus.json.error).toMatchObject({ code: 'unknown_outcome', message: expect.stringMatching(/node work .*"bogus".*passed or failed/) });
    expect(team.bytes(file)).toBe(before);
    expect(changeStatus(team, 'dev-001', change)).toBe('assigned');

    const done = team.at(['workflow', 'state', 'complete', file, '--node', 'work', '--summary', 'done by hand', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.json).toMatchObject({ ok: true, superseded: { worker: 'dev-001', change } });
    expect(done.json.warnings).toEqual([expect.stringMatching(/^dev-001 still held .* \(status assigned\): marked superseded/)]);
    expect(changeStatus(team, 'dev-001', change)).toBe('superseded');
    expect(team.show(file).node_states.work).toMatchObject({ status: 'completed', summary: 'done by hand' });
  });

  it("a worker's reply with an outcome the node does not have still completes it (without that outcome)", async () => {
    const file = team.init('quick', 'q1');
    team.run(file);
    await team.waitForReply(file, 'work');
    const report = team.run(file);
    expect(report.steps).toEqual([{ node: 'work', action: 'complete', detail: 'dev-002 finished: Task completed: quick' }]);
    const state = team.show(file);
    expect(state.node_states.work).toMatchObject({ status: 'completed', summary: 'Task completed: quick' });
    expect(state.node_states.work.outcome).toBeUndefined();
  });
});
