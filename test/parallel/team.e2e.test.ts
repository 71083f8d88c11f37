/**
 * A parallel run end to end through the built CLI with the scripted stand-in agent (headless process
 * backend): a for_each over three items with max_parallel 2 — `workflow run` gives two items to two
 * workers at once (each its own worktree and branch), the third waits for a slot; the workers' replies
 * complete their instances; the join is entered once all are done; the merge train merges the three
 * branches (approved with --yes) and the target moves only after its check passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../helpers/repo.js';
import { makeTeam, type Team } from '../controller/support.js';

const TEAM = `version: 1
name: team
roles:
    dev: { role: dev }
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      for_each: { items: [alpha, beta, gamma], max_parallel: 2 }
      task: "Write the {{item}} file"
      next: review
    - id: review
      type: controller_task
      after: [build]
      command: test -f alpha.txt || true
      next: ship
    - id: ship
      type: merge
      actor: dev
      command: test -f alpha.txt && test -f beta.txt && test -f gamma.txt
      end: true
`;

let team: Team;
beforeAll(async () => {
  team = await makeTeam({
    backend: 'process',
    workflows: { team: TEAM },
    playbook: ['alpha', 'beta', 'gamma'].map((x) => ({ match: `${x} file`, files: { [`${x}.txt`]: `${x}\n` }, commit: `Write ${x}`, reply: `Task completed: ${x}.txt` })),
  });
});
afterAll(async () => team?.cleanup());

describe('a parallel team', () => {
  it('for_each with max_parallel 2 of 3 items, a join, then the merge train', async () => {
    const file = team.init('team', 'p1');
    const main = git(team.root, 'rev-parse', 'main');
    const first = team.run(file);
    expect(first.stopped).toBe('waiting');
    expect(first.next.steps.map((s: any) => s.node.id)).toEqual(['build/1', 'build/2', 'build/3']);
    // a fast worker may already have replied (act: complete it); the third item waits for a slot either way
    for (const s of first.next.steps.slice(0, 2)) expect(['wait', 'act']).toContain(s.kind);
    expect(first.next.steps[2]).toMatchObject({ kind: 'wait', message: 'build/3 waits for a free slot (max_parallel 2)' });
    let state = team.show(file);
    const w1 = state.node_states['build/1'].worker;
    const w2 = state.node_states['build/2'].worker;
    expect(w1).not.toBe(w2);
    expect(state.node_states['build/3'].status).toBe('pending');

    // drive the run the way a controller does: `workflow run --wait` (woken by the replies, no CLI per poll)
    // until the run needs the person, which is the merge train's approval; then once more as `workflow run`
    const waited = team.ok(['workflow', 'run', file, '--wait', '--timeout', '120s']);
    expect(waited).toMatchObject({ stopped: 'confirmation', next: { node: { id: 'ship' } } });
    const report = team.run(file);
    expect(report.next.node?.id).toBe('ship');
    state = team.show(file);
    expect(state.node_states.build.outcome).toBe('passed');
    expect(state.node_states.build.outcomes).toEqual(['passed', 'passed', 'passed']);
    const workers = [1, 2, 3].map((n) => state.node_states[`build/${n}`].worker);
    expect(new Set(workers).size).toBeGreaterThanOrEqual(2);
    expect(report.stopped).toBe('confirmation');
    expect(git(team.root, 'rev-parse', 'main')).toBe(main);

    const done = team.run(file, true);
    expect(done.stopped).toBe('completed');
    expect(git(team.root, 'ls-files')).toMatch(/alpha\.txt[\s\S]*beta\.txt[\s\S]*gamma\.txt/);
    expect(git(team.root, 'status', '--porcelain')).toBe('');
  });
});
