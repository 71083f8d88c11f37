/**
 * `state next` and `workflow run` name a waiting worker's activity (issue 8): idle without a reply →
 * "finished its turn without replying" and the `reply` that asks for one; needs-input/attention → stop
 * for the controller with the pane's lines and the attach command; rate-limited → wait. A recording fake
 * WorkerPort (the worker layer is tested end to end in delivery.e2e.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runController, type WorkerPort } from '../../src/workflow/controller.js';
import { nextStep } from '../../src/workflow/next.js';
import { initRun, loadRun } from '../../src/workflow/state-service.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

class FakePort implements WorkerPort {
  calls: string[] = [];
  workers = new Map<string, boolean>();
  activities = new Map<string, string>();
  details = new Map<string, { reason?: string; screen?: string[]; attach?: string }>();
  exists = (id: string) => this.workers.has(id);
  busy = () => false;
  running = (id: string) => this.workers.get(id);
  nextId = (role: string) => `${role}-001`;
  activity = (id: string) => this.activities.get(id);
  activityDetail = (id: string) => this.details.get(id);
  async findIdle() {
    return undefined;
  }
  async create(role: string) {
    this.workers.set(`${role}-001`, false);
    this.calls.push(`create ${role}-001`);
    return `${role}-001`;
  }
  async open(id: string) {
    this.workers.set(id, true);
    this.calls.push(`open ${id}`);
    return { opened: true };
  }
  async assign(id: string, description: string) {
    this.calls.push(`assign ${id} ${description}`);
    this.activities.set(id, 'working');
    return { change: `/x/${id}` };
  }
  async merge(id: string) {
    return { summary: `merged ${id}` };
  }
  worktree = () => undefined;
}

const TEMPLATE = `version: 1
name: act
roles:
    dev:
        role: dev
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: Build it
      next: done
    - id: done
      type: controller_task
      end: true
`;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

async function waitingOnDev() {
  const repo = tempRepo();
  cleanup = repo.cleanup;
  writeFile(repo.dir, '.agents/workflow/act.yaml', TEMPLATE);
  const { path } = initRun({ workflowFile: '.agents/workflow/act.yaml', cwd: repo.dir, runId: 'r1' });
  const port = new FakePort();
  const report = await runController({ stateFile: path, port, cwd: repo.dir });
  expect(report.stopped).toBe('waiting');
  expect(port.calls).toEqual(['create dev-001', 'open dev-001', 'assign dev-001 Build it']);
  const next = () => {
    const run = loadRun(path, repo.dir);
    return nextStep(run.state, run.template!.template, 'run.yaml', port);
  };
  return { dir: repo.dir, path, port, next };
}

describe('activity on a node that waits for its worker', () => {
  it('names the activity on the node, and plain waiting while it works', async () => {
    const { next } = await waitingOnDev();
    const step = next();
    expect(step.node).toMatchObject({ id: 'build', worker: 'dev-001', activity: 'working' });
    expect(step.kind).toBe('wait');
    expect(step.commands).toEqual([]);
  });

  it('idle without a reply: "finished its turn without replying" and the reply that asks for one; run stops waiting', async () => {
    const { dir, path, port, next } = await waitingOnDev();
    port.activities.set('dev-001', 'idle');
    const step = next();
    expect(step.message).toBe('dev-001 finished its turn without replying on build; ask it for a reply');
    expect(step.node?.activity).toBe('idle');
    expect(step.commands).toHaveLength(1);
    expect(step.commands[0]).toMatch(/^agent-team reply dev-001 'You finished your turn without replying on build: commit your work, then run agent-team reply-main "Task completed: <summary>"/);
    port.calls = [];
    const report = await runController({ stateFile: path, port, cwd: dir });
    expect(report.stopped).toBe('waiting');
    expect(report.why).toMatch(/finished its turn without replying/);
    expect(port.calls).toEqual([]);
  });

  it('attention and needs-input stop for the controller with the screen lines and the attach command', async () => {
    const { dir, path, port, next } = await waitingOnDev();
    port.activities.set('dev-001', 'attention');
    port.details.set('dev-001', { reason: "claude's trust-this-folder dialog is on screen", screen: ['Do you trust the files in this folder?', '❯ 1. Yes, I trust this folder'], attach: 'tmux attach -t %3' });
    const step = next();
    expect(step.kind).toBe('decide');
    expect(step.message).toContain("dev-001 needs you (claude's trust-this-folder dialog is on screen)");
    expect(step.message).toContain('❯ 1. Yes, I trust this folder');
    expect(step.commands).toEqual(['tmux attach -t %3']);
    const report = await runController({ stateFile: path, port, cwd: dir });
    expect(report.stopped).toBe('decision');

    port.activities.set('dev-001', 'needs-input');
    port.details.set('dev-001', { reason: 'permission_prompt', screen: ['Allow edit of src/a.ts?'], attach: 'tmux attach -t %3' });
    expect(next().message).toMatch(/^dev-001 waits for input \(permission_prompt\); its pane shows:\nAllow edit of src\/a\.ts\?$/);
  });

  it('rate-limited waits (with the reset time)', async () => {
    const { port, next } = await waitingOnDev();
    port.activities.set('dev-001', 'rate-limited');
    port.details.set('dev-001', { reason: 'rate_limit until 07:00' });
    const step = next();
    expect(step.kind).toBe('wait');
    expect(step.message).toBe('dev-001 is rate-limited (rate_limit until 07:00); waiting until it can go on');
  });
});
