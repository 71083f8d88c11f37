/**
 * One worker, one assignment, across runs (issue 11 item 6): two `workflow run` processes started at
 * the same moment on two runs of one template, with one idle worker of the role and
 * `create_worker_if_missing: false`. Choosing and reserving the worker is one step under the
 * project-wide workers lock, so exactly one run gets the worker and the other stops for a decision.
 * Before the lock, both runs took the idle worker (5 of 6 trials in the issue). Three trials.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cliAsync } from '../helpers/cli.js';
import { makeTeam, type Team } from './support.js';

const SHARED = `version: 1
name: shared
roles:
    dev: { role: dev }
defaults:
    create_worker_if_missing: false
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: Build the shared part
      next: done
    - id: done
      type: controller_task
      end: true
`;

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

describe('two concurrent workflow run processes on two runs of one template', () => {
  it('never give the same idle worker both assignments', async () => {
    for (let trial = 0; trial < 3; trial++) {
      team = await makeTeam({ backend: 'process', workflows: { shared: SHARED }, playbook: [] });
      team.ok(['worker', 'create', 'dev', '--yes']);
      const files = [team.init('shared', 'r1'), team.init('shared', 'r2')];
      const t = team;
      const reports = await Promise.all(files.map((f) => cliAsync(['workflow', 'run', f, '--json'], { cwd: t.root, env: t.env })));
      for (const r of reports) expect(r.code, r.stderr).toBe(0);
      const stopped = reports.map((r) => r.json.stopped).sort();
      expect(stopped, JSON.stringify(reports.map((r) => r.json.why))).toEqual(['decision', 'waiting']);
      const holders = files.map((f) => team!.show(f).node_states.build.worker).filter(Boolean);
      expect(holders).toEqual(['dev-001']);
      expect(team.workers()).toEqual(['dev-001']);
      await team.cleanup();
      team = undefined;
    }
  }, 120_000);
});
