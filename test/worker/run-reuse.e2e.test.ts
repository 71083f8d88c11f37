/**
 * Reusing a worker across runs, end to end with the built CLI, real git and the scripted stand-in agent
 * on the headless process backend:
 * - a worker whose branch still holds a finished (cancelled) run's commits is started afresh from your
 *   branch for the next run: the commits are kept on a backup branch, and the run's log names them and it;
 * - a worker held by a run that is blocked (not finished) is not handed to another run as idle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeTeam, type Team, SOLO_PLAYBOOK, SOLO_TEMPLATE } from '../controller/support.js';
import { git } from '../helpers/repo.js';

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});


/** Subjects of the commits on `branch` that main does not hold. */
const ownCommits = (t: Team, branch: string) => git(t.root, 'log', '--format=%s', `main..${branch}`).split('\n').filter(Boolean);

describe('a worker reused by the next run', () => {
  // One team for both findings (one setup and one agent less): the second run's worker, reused afresh,
  // is then held by that run once the person blocks it.
  it("starts afresh from your branch when it holds a cancelled run's commits (kept on a backup branch, named in the log); a run blocked by the person keeps its worker: the next run gets another one", async () => {
    team = await makeTeam({ backend: 'process', workflows: { solo: SOLO_TEMPLATE }, playbook: SOLO_PLAYBOOK });
    const first = team.init('solo', 'r1', '--param', 'task=farewell');
    expect(team.run(first).stopped).toBe('waiting');
    await team.waitForReply(first, 'build');
    expect(ownCommits(team, 'team/dev-001')).toEqual(['Add farewell']);
    expect(team.at(['workflow', 'state', 'cancel', first, '--reason', 'cancelled by the person', '--json']).code).toBe(0);

    const second = team.init('solo', 'r2', '--param', 'task=hello');
    // next says it before run does it
    const next = team.next(second);
    expect(next.warnings.join('\n')).toMatch(/dev-001 holds 1 commit\(s\) not on main from outside this run \(\w+ Add farewell\): workflow run starts team\/dev-001 afresh/);
    const report = team.run(second);
    expect(report.stopped).toBe('waiting');
    expect(team.show(second).node_states.build.worker).toBe('dev-001');
    const fresh = report.steps.find((s: { action: string }) => s.action === 'fresh_start');
    expect(fresh?.detail).toMatch(/Add farewell/);
    const backup = /(agent-team-backup\/dev-001-\S+)/.exec(fresh.detail)?.[1] as string;
    expect(backup).toBeDefined();
    // nothing lost: the backup branch holds the cancelled run's commit
    expect(ownCommits(team, backup)).toEqual(['Add farewell']);
    await team.waitForReply(second, 'build');
    // the new run's branch holds only its own work
    expect(ownCommits(team, 'team/dev-001')).toEqual(['Add hello']);
    expect(team.show(second).decision_log.some((e: { action: string; summary?: string }) => e.action === 'fresh_start' && e.summary?.includes(backup))).toBe(true);

    // the person blocks the second run (not finished): it keeps dev-001, so the next run gets another worker
    expect(team.at(['workflow', 'state', 'block', second, '--node', 'build', '--reason', 'cancelled by the person', '--json']).code).toBe(0);
    const third = team.init('solo', 'r3', '--param', 'task=farewell');
    expect(team.run(third).stopped).toBe('waiting');
    expect(team.show(third).node_states.build.worker).toBe('dev-002');
    await team.waitForReply(third, 'build');
    expect(ownCommits(team, 'team/dev-002')).toEqual(['Add farewell']);
    // the blocked run's work is where it was
    expect(ownCommits(team, 'team/dev-001')).toEqual(['Add hello']);
  }, 180_000);
});
