/** The recording WorkerPort of the in-process controller-loop tests (the agent is the only stand-in). */
import type { WorkerPort } from '../../src/workflow/controller.js';

/** A WorkerPort that records calls (`findIdle`, `create`, `open`, `assign`, `merge`); `workers` maps id → running; `idleWorker` is what findIdle answers. */
export class FakePort implements WorkerPort {
  calls: string[] = [];
  workers = new Map<string, boolean>();
  idleWorker: string | undefined;
  protected seq = 0;
  exists = (id: string) => this.workers.has(id);
  busy = (_id: string) => false;
  running = (id: string) => this.workers.get(id);
  nextId = (role: string) => `${role}-${String(this.seq + 1).padStart(3, '0')}`;
  async findIdle(role: string) {
    this.calls.push(`findIdle ${role}`);
    return this.idleWorker;
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
