/**
 * Shared setup of the parallel-run tests: a real git repository with a template, a run-state made by
 * `initRun`, and a recording WorkerPort (the only stand-in: workers are the agent; files, locks,
 * transitions and the controller loop are real).
 */
import { writeFileSync } from 'node:fs';
import { parse } from 'yaml';
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

/**
 * A temp repository holding `.agents/workflow/<name>.yaml` and a fresh run of it. `params` the template
 * declares are given to `state init`; others (templates that read a param without declaring it) are
 * written into the run-state's `params:` afterwards, as `state init --param` records them.
 */
export function setupRun(name: string, yaml: string, params?: Record<string, unknown>): { dir: string; path: string; cleanup: () => void; state: () => ReturnType<typeof loadRun>['state'] } {
  const repo = tempRepo('agent-team-parallel-');
  writeFile(repo.dir, `.agents/workflow/${name}.yaml`, yaml);
  const declared = Object.keys((parse(yaml) as { params?: Record<string, unknown> }).params ?? {});
  const given = Object.entries(params ?? {});
  const { path } = initRun({ workflowFile: `.agents/workflow/${name}.yaml`, cwd: repo.dir, runId: 'r1', params: Object.fromEntries(given.filter(([k]) => declared.includes(k))) });
  if (given.some(([k]) => !declared.includes(k))) {
    const text = loadRun(path, repo.dir);
    writeFileSync(path, `${JSON.stringify({ ...text.state, params: { ...text.state.params, ...params } })}\n`);
  }
  return { dir: repo.dir, path, cleanup: repo.cleanup, state: () => loadRun(path, repo.dir).state };
}

