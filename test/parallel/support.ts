/**
 * Shared setup of the parallel-run tests: a real git repository with a template, a run-state made by
 * `initRun`, and a recording WorkerPort (the only stand-in: workers are the agent; files, locks,
 * transitions and the controller loop are real).
 */
import { writeFileSync } from 'node:fs';
import type { WorkerPort } from '../../src/workflow/controller.js';
import { initRun, loadRun } from '../../src/workflow/state-service.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

/** A WorkerPort that records calls; `workers` maps id → running. */
export class FakePort implements WorkerPort {
  calls: string[] = [];
  workers = new Map<string, boolean>();
  private seq = 0;
  exists = (id: string) => this.workers.has(id);
  busy = (_id: string) => false;
  running = (id: string) => this.workers.get(id);
  nextId = (role: string) => {
    let n = this.seq + 1;
    while (this.workers.has(`${role}-${String(n).padStart(3, '0')}`)) n++;
    return `${role}-${String(n).padStart(3, '0')}`;
  };
  async findIdle(_role: string) {
    return undefined;
  }
  async create(role: string) {
    let id = `${role}-${String(++this.seq).padStart(3, '0')}`;
    while (this.workers.has(id)) id = `${role}-${String(++this.seq).padStart(3, '0')}`;
    this.workers.set(id, false);
    this.calls.push(`create ${id}`);
    return id;
  }
  async open(id: string) {
    const was = this.workers.get(id);
    this.workers.set(id, true);
    this.calls.push(`open ${id}`);
    return { opened: was !== true };
  }
  async assign(id: string, description: string) {
    this.calls.push(`assign ${id} ${description}`);
    return { change: `/x/${id}` };
  }
  async merge(id: string) {
    this.calls.push(`merge ${id}`);
    return { summary: `merged ${id}` };
  }
  worktree = () => undefined;
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

