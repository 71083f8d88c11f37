/**
 * The controller loop (`runController`) against a recording fake WorkerPort: the decisions it makes
 * about workers (reuse, create, reopen) without panes or git. Real files: a temp folder with a template
 * and a run-state made by `initRun`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runController } from '../../src/workflow/controller.js';
import { FakePort } from '../helpers/fake-port.js';
import { initRun, loadRun } from '../../src/workflow/state-service.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

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
    port.idleWorker = 'dev-007';
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

describe('loop edge cases from review', () => {
  it('a waiting node keeps the worker recorded on it; a waiting node with no worker is never given to a new one', async () => {
    const { dir, path } = setup();
    const port = new FakePort();
    port.workers.set('dev-001', true);
    const { transitionRun } = await import('../../src/workflow/state-service.js');
    // a person (or the Go tool) marked the node waiting without naming a worker: the controller names
    // it (issue 9 item 5: such a run never gets a new worker, and nothing is assigned twice)
    await transitionRun(path, { action: 'wait', node: 'build', reason: 'someone is on it' }, dir);
    const stopped = await runController({ stateFile: path, port, cwd: dir });
    expect(stopped.stopped).toBe('decision');
    expect(port.calls).toEqual([]);
    await transitionRun(path, { action: 'wait', node: 'build', worker: 'dev-001', reason: 'dev-001 is on it' }, dir);
    expect(loadRun(path, dir).state.role_worker_map.dev).toBe('dev-001');
    port.calls = [];
    const again = await runController({ stateFile: path, port, cwd: dir });
    expect(again.stopped).toBe('waiting');
    expect(port.calls).toEqual([]);
  });

  it('starting a node again clears a "blocked" reply, so it is not applied twice', async () => {
    const { dir, path } = setup();
    const port = new FakePort();
    await runController({ stateFile: path, port, cwd: dir });
    const { recordReply } = await import('../../src/workflow/replies.js');
    await recordReply({ worker: 'dev-001', message: 'Blocked: no credentials', status: 'blocked' }, dir);
    expect((await runController({ stateFile: path, port, cwd: dir })).stopped).toBe('blocked');
    const { transitionRun } = await import('../../src/workflow/state-service.js');
    await transitionRun(path, { action: 'start', node: 'build', worker: 'dev-001' }, dir);
    expect(loadRun(path, dir).state.node_states.build?.reply).toBeUndefined();
    const report = await runController({ stateFile: path, port, cwd: dir });
    expect(report.stopped).toBe('waiting');
  });

  it('two controllers on one run at once assign the node once', async () => {
    const { dir, path } = setup();
    const port = new FakePort();
    const [a, b] = await Promise.all([runController({ stateFile: path, port, cwd: dir }), runController({ stateFile: path, port, cwd: dir })]);
    expect([a.stopped, b.stopped]).toEqual(['waiting', 'waiting']);
    expect(port.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
    expect(port.calls.filter((c) => c.startsWith('assign'))).toHaveLength(1);
  });

  it('never gives a task to a worker another run waits on, and replaces a deleted worker', async () => {
    const { dir, path } = setup();
    const port = new FakePort();
    port.workers.set('dev-001', true);
    port.busy = (id: string) => id === 'dev-001';
    const { transitionRun } = await import('../../src/workflow/state-service.js');
    await transitionRun(path, { action: 'start', node: 'build', worker: 'dev-001' }, dir); // map says dev-001
    await runController({ stateFile: path, port, cwd: dir });
    expect(port.calls.filter((c) => c.startsWith('create'))).toHaveLength(1); // not dev-001, which another run waits on
    expect(port.calls).not.toContain('assign dev-001 Build it');
    const worker = loadRun(path, dir).state.node_states.build?.worker;
    port.busy = () => false;
    // the worker doing the node is deleted by hand: the next run gives the task to another one
    port.workers.delete(worker as string);
    port.calls = [];
    await runController({ stateFile: path, port, cwd: dir });
    expect(port.calls.some((c) => c.startsWith('assign'))).toBe(true);
  });

  it('with create_worker_if_missing: false, reuses a created but never opened worker', async () => {
    const { dir, path } = setup('    create_worker_if_missing: false');
    const port = new FakePort();
    expect((await runController({ stateFile: path, port, cwd: dir })).stopped).toBe('decision');
    port.workers.set('dev-001', false);
    port.idleWorker = 'dev-001';
    const report = await runController({ stateFile: path, port, cwd: dir });
    expect(report.stopped).toBe('waiting');
    expect(port.calls).toContain('assign dev-001 Build it');
  });
});

describe('a check that requires confirmation', () => {
  it('runs the command once, then waits for a person with the result', async () => {
    const repo = tempRepo();
    cleanup = repo.cleanup;
    writeFile(
      repo.dir,
      '.agents/workflow/gate.yaml',
      `version: 1
name: gate
roles: {}
entry: check
nodes:
    - id: check
      type: controller_task
      command: echo ran >> ran.txt
      requires_confirmation: true
      branches:
          - { when: passed, next: done }
          - { when: failed, next: done }
    - id: done
      type: controller_task
      end: true
`,
    );
    const { path } = initRun({ workflowFile: '.agents/workflow/gate.yaml', cwd: repo.dir, runId: 'g1' });
    const port = new FakePort();
    const first = await runController({ stateFile: path, port, cwd: repo.dir });
    expect(first.stopped).toBe('confirmation');
    expect(first.why).toMatch(/check passed/);
    expect(first.state.status).toBe('waiting_confirmation');
    const second = await runController({ stateFile: path, port, cwd: repo.dir });
    expect(second.stopped).toBe('confirmation');
    expect(readFileSync(join(repo.dir, 'ran.txt'), 'utf8')).toBe('ran\n'); // ran once
    expect(second.next.choices.map((c) => c.outcome)).toEqual(['passed', 'failed']);
  });
});

describe('a worker that becomes overdue while workflow run looks', () => {
  afterEach(() => vi.useRealTimers());

  it('is reported as the decision it is, never as "waiting" next to an overdue decision', async () => {
    const repo = tempRepo();
    cleanup = repo.cleanup;
    writeFile(repo.dir, '.agents/workflow/late.yaml', TEMPLATE('    reuse_worker: true').replace('      task: Build it\n', '      task: Build it\n      timeout: 10s\n'));
    const { path } = initRun({ workflowFile: '.agents/workflow/late.yaml', cwd: repo.dir, runId: 'r1' });
    const port = new FakePort();
    expect((await runController({ stateFile: path, port, cwd: repo.dir })).stopped).toBe('waiting');
    // the clock passes the timeout between the round's plan and the report's: each plan looks at the
    // worker's activity twice (the step and its node document), so the third look moves the clock on
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    let looks = 0;
    Object.assign(port, {
      activity: () => {
        if (++looks === 3) vi.setSystemTime(Date.now() + 60_000);
        return 'working';
      },
    });
    const report = await runController({ stateFile: path, port, cwd: repo.dir });
    expect(looks).toBe(4);
    expect(report.next).toMatchObject({ kind: 'decide', message: expect.stringMatching(/^build is overdue/) });
    expect(report).toMatchObject({ stopped: 'decision', why: expect.stringMatching(/^build is overdue/) });
  });

  it('a worker reopened and given its task again gets its full time again (the clock restarts)', async () => {
    const repo = tempRepo();
    cleanup = repo.cleanup;
    writeFile(repo.dir, '.agents/workflow/late.yaml', TEMPLATE('    reuse_worker: true').replace('      task: Build it\n', '      task: Build it\n      timeout: 10s\n'));
    const { path } = initRun({ workflowFile: '.agents/workflow/late.yaml', cwd: repo.dir, runId: 'r2' });
    const port = new FakePort();
    expect((await runController({ stateFile: path, port, cwd: repo.dir })).stopped).toBe('waiting');
    // 60 s later the worker's agent has stopped (a crash): workflow run reopens it and gives it the task again
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
    port.workers.set('dev-001', false);
    const report = await runController({ stateFile: path, port, cwd: repo.dir });
    expect(port.calls.slice(-2)).toEqual(['open dev-001', 'assign dev-001 Build it']);
    expect(report.stopped, report.why).toBe('waiting');
    expect(report.next.message).not.toMatch(/overdue/);
    // and the clock runs from the resend: 11 s later the node is overdue again
    vi.setSystemTime(Date.now() + 11_000);
    expect((await runController({ stateFile: path, port, cwd: repo.dir })).why).toMatch(/^build is overdue/);
  });
});
