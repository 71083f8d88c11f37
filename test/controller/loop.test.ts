/**
 * The controller loop (`runController`) against a recording fake WorkerPort: the decisions it makes
 * about workers (reuse, create, reopen) without panes or git. Real files: a temp folder with a template
 * and a run-state made by `initRun`.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runController, type WorkerPort } from '../../src/workflow/controller.js';
import { initRun, loadRun } from '../../src/workflow/state-service.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

/** A WorkerPort that records calls; `workers` maps id → running. */
class FakePort implements WorkerPort {
  calls: string[] = [];
  workers = new Map<string, boolean>();
  idle: string | undefined;
  private seq = 0;
  exists = (id: string) => this.workers.has(id);
  running = (id: string) => this.workers.get(id);
  nextId = (role: string) => `${role}-${String(this.seq + 1).padStart(3, '0')}`;
  async findIdle(role: string) {
    this.calls.push(`findIdle ${role}`);
    return this.idle;
  }
  async create(role: string) {
    const id = `${role}-${String(++this.seq).padStart(3, '0')}`;
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

const TEMPLATE = (defaults: string) => `version: 1
name: loop
roles:
    dev:
        role: dev
defaults:
${defaults}
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: Build it
      next: watch
    - id: watch
      type: wait_for_completion
      actor: dev
      task: Wait for the build to settle
      next: done
    - id: done
      type: controller_task
      end: true
`;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setup(defaults = '    reuse_worker: true') {
  const repo = tempRepo();
  cleanup = repo.cleanup;
  writeFile(repo.dir, '.agents/workflow/loop.yaml', TEMPLATE(defaults));
  const { path } = initRun({ workflowFile: '.agents/workflow/loop.yaml', cwd: repo.dir, runId: 'r1' });
  return { dir: repo.dir, path };
}

describe('runController worker decisions', () => {
  it('reuses an idle worker of the role before creating one, and records it for the actor', async () => {
    const { dir, path } = setup();
    const port = new FakePort();
    port.workers.set('dev-007', false);
    port.idle = 'dev-007';
    const report = await runController({ stateFile: path, port, cwd: dir });
    expect(report.stopped).toBe('waiting');
    expect(port.calls).toEqual(['findIdle dev', 'open dev-007', 'assign dev-007 Build it']);
    expect(report.steps.map((s) => s.action)).toEqual(['reuse', 'open', 'assign']);
    expect(loadRun(path, dir).state.role_worker_map).toEqual({ dev: 'dev-007' });
  });

  it('creates a worker when none is idle, and stops when create_worker_if_missing is false', async () => {
    const first = setup();
    const port = new FakePort();
    await runController({ stateFile: first.path, port, cwd: first.dir });
    expect(port.calls).toEqual(['findIdle dev', 'create dev-001', 'open dev-001', 'assign dev-001 Build it']);
    cleanup?.();

    const second = setup('    create_worker_if_missing: false');
    const before = readFileSync(second.path);
    const report = await runController({ stateFile: second.path, port: new FakePort(), cwd: second.dir });
    expect(report.stopped).toBe('decision');
    expect(report.why).toMatch(/create_worker_if_missing is false/);
    expect(readFileSync(second.path).equals(before)).toBe(true);
  });

  it('reopens a stopped worker on wait_for_completion without assigning anything', async () => {
    const { dir, path } = setup();
    const port = new FakePort();
    await runController({ stateFile: path, port, cwd: dir }); // build assigned to dev-001
    const { recordReply } = await import('../../src/workflow/replies.js');
    expect(await recordReply({ worker: 'dev-001', message: 'built', status: 'done' }, dir)).toHaveLength(1);
    port.calls = [];
    let report = await runController({ stateFile: path, port, cwd: dir });
    expect(report.stopped).toBe('waiting');
    expect(report.next.node?.id).toBe('watch');
    expect(port.calls).toEqual([]); // dev-001 runs: nothing to do
    port.workers.set('dev-001', false); // its agent died
    report = await runController({ stateFile: path, port, cwd: dir });
    expect(port.calls).toEqual(['open dev-001']);
    expect(report.steps.map((s) => s.action)).toEqual(['reopen']);
  });
});

describe('next for the same cases', () => {
  it('prints worker open for a stopped worker on a waiting wait_for_completion node', async () => {
    const { dir, path } = setup();
    const port = new FakePort();
    await runController({ stateFile: path, port, cwd: dir });
    const { recordReply } = await import('../../src/workflow/replies.js');
    await recordReply({ worker: 'dev-001', message: 'built', status: 'done' }, dir);
    await runController({ stateFile: path, port, cwd: dir });
    port.workers.set('dev-001', false);
    const { nextStep } = await import('../../src/workflow/next.js');
    const run = loadRun(path, dir);
    const step = nextStep(run.state, run.template!.template, 'run.yaml', port);
    expect(step.kind).toBe('wait');
    expect(step.commands).toEqual(['agent-team worker open dev-001']);
  });
});

describe('next chooses the worker workflow run would choose', () => {
  it('prints the idle worker it would reuse instead of creating one', async () => {
    const { dir, path } = setup();
    const { nextStep } = await import('../../src/workflow/next.js');
    const run = loadRun(path, dir);
    const port = new FakePort();
    port.workers.set('dev-007', true);
    const withIdle = nextStep(run.state, run.template!.template, 'run.yaml', { ...port, exists: port.exists, running: port.running, nextId: port.nextId, idle: () => 'dev-007' });
    expect(withIdle.commands[0]).toBe('agent-team worker open dev-007');
    expect(withIdle.commands.some((c) => c.includes('worker create'))).toBe(false);
    const without = nextStep(run.state, run.template!.template, 'run.yaml', { exists: port.exists, running: port.running, nextId: port.nextId });
    expect(without.commands[0]).toBe('agent-team worker create dev --yes');
  });
});
