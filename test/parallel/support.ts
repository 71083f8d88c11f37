/**
 * Shared setup of the parallel-run tests: a real git repository with a template, a run-state made by
 * `initRun`, and a recording WorkerPort (the only stand-in: workers are the agent; files, locks,
 * transitions and the controller loop are real).
 */
import { writeFileSync } from 'node:fs';
import { initRun, loadRun } from '../../src/workflow/state-service.js';
import { FakePort as BaseFakePort } from '../helpers/fake-port.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

/** The controller-loop tests' recording port, with ids that skip existing workers and no idle worker (findIdle is not recorded). */
export class FakePort extends BaseFakePort {
  override nextId = (role: string) => {
    let n = this.seq + 1;
    while (this.workers.has(`${role}-${String(n).padStart(3, '0')}`)) n++;
    return `${role}-${String(n).padStart(3, '0')}`;
  };
  override async findIdle(_role: string) {
    return undefined;
  }
}

/** A temp repository holding `.agents/workflow/<name>.yaml` and a fresh run of it. */
export function setupRun(name: string, yaml: string, params?: Record<string, unknown>): { dir: string; path: string; cleanup: () => void; state: () => ReturnType<typeof loadRun>['state'] } {
  const repo = tempRepo('agent-team-parallel-');
  writeFile(repo.dir, `.agents/workflow/${name}.yaml`, yaml);
  const { path } = initRun({ workflowFile: `.agents/workflow/${name}.yaml`, cwd: repo.dir, runId: 'r1' });
  if (params) {
    // run inputs as `state init --param` records them (top-level `params:` of the run-state)
    const text = loadRun(path, repo.dir);
    writeFileSync(path, `${JSON.stringify({ ...text.state, params })}\n`);
  }
  return { dir: repo.dir, path, cleanup: repo.cleanup, state: () => loadRun(path, repo.dir).state };
}

