/**
 * A worker's reply is never lost: `reply-main` from a worker whose reply no run node waits for (e.g. the
 * `[resolve]` assignment of a blocked builds_on merge, or any assignment given outside a run) and with no
 * controller pane recorded (the controller is not inside a multiplexer) records the reply on the worker's
 * change (`change.yaml`: status and reply) and in `worker status`, and exits 0 saying where it went.
 * The stand-in agent (test/agent/) runs the real `reply-main`; headless process backend.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTeam, type Team } from './support.js';

describe('reply-main with no waiting run node and no controller pane', () => {
  let team: Team;

  beforeAll(async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: { solo: 'version: 1\nname: solo\nroles:\n    dev: { role: dev }\nentry: think\nnodes:\n    - id: think\n      type: controller_task\n      task: Think\n      end: true\n' },
      playbook: [{ match: 'Resolve a merge conflict', files: { 'resolved.txt': 'both sides\n' }, commit: 'Merge main, conflict resolved', reply: 'merge committed' }],
    });
    // the controller is not inside a multiplexer: the worker is opened with no controller pane
    team.env.AGENT_TEAM_PANE = undefined;
    team.env.TMUX_PANE = undefined;
    team.ok(['worker', 'create', 'dev', '--yes']);
    team.ok(['worker', 'open', 'dev-001']);
    expect(parse(readFileSync(join(team.root, '.agents/workers/dev-001/worker.yaml'), 'utf8')).controller_pane_id || undefined).toBeUndefined();
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  it("the stand-in agent's reply to an assignment outside any run is recorded on its change and in worker status", async () => {
    const assigned = team.ok(['worker', 'assign', 'dev-001', 'Resolve a merge conflict between team/dev-001 and main, commit the merge']);
    const change = String(assigned.change.relative_dir);
    const log = await Promise.race([team.waitForAgent('replied: merge committed'), team.waitForAgent('failed:')]);
    expect(log, 'the agent\'s reply-main succeeded').toContain('replied: merge committed');
    expect(log).not.toContain('failed:');
    const wt = join(team.root, '.worktrees/dev-001');
    const changes = team.ok(['worker', 'status']).workers[0];
    expect(changes.last_reply).toMatchObject({ message: 'merge committed', status: 'done', change: expect.stringMatching(/^\.tasks\/changes\/.*resolve-a-merge-conflict/) });
    const changeDir = changes.last_reply.change as string;
    expect(changeDir).toBe(change);
    const yaml = parse(readFileSync(join(wt, changeDir, 'change.yaml'), 'utf8'));
    expect(yaml).toMatchObject({ status: 'done', reply: 'merge committed', replied_at: expect.any(String) });
    const text = team.at(['worker', 'status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('dev-001 replied');
    expect(text.stdout).toContain('merge committed');
  });

  it('a plain reply-main from a worktree with no active node exits 0 and says where the reply went', () => {
    const r = team.replyMain('dev-001', 'Blocked: the tests need a database');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, delivered: false, recorded: [], status: 'blocked', worker_record: expect.stringMatching(/\.agents\/workers\/dev-001\/last-reply\.yaml$/) });
    expect(r.stderr).toContain('no controller pane');
    const text = team.at(['reply-main', 'Need input: which database?'], join(team.root, '.worktrees/dev-001'));
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('agent-team worker status');
    const status = team.ok(['worker', 'status']).workers[0];
    expect(status.last_reply).toMatchObject({ message: 'Need input: which database?', status: 'needs-input' });
  });

  it('worker assign --run/--node: both or neither (exit 2, nothing assigned); a node not blocked by a builds_on conflict is not tied (a warning)', () => {
    const before = team.ok(['worker', 'status']).workers[0].active_changes.length;
    const half = team.at(['worker', 'assign', 'dev-001', 'Half a tie', '--node', 'think', '--json']);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--run <state-file> and --node <id> go together');
    expect(team.ok(['worker', 'status']).workers[0].active_changes.length).toBe(before);
    const file = team.init('solo', 's1');
    const runBefore = team.bytes(file);
    const r = team.at(['worker', 'assign', 'dev-001', 'Not a resolve', '--run', file, '--node', 'think', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.tied_to_node).toBe(false);
    expect(r.stderr).toContain('node think of ' + file + ' is not blocked by a builds_on conflict');
    expect(team.bytes(file), 'the run is not touched').toBe(runBefore);
  });
});
