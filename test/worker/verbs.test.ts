import { dirname } from 'node:path';
/** Lifecycle logic with a recording fake SessionBackend (real git): what is spawned, typed and queried. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/errors.js';
import type { PaneForeground, PaneInfo, PaneOwner, SendOptions, SessionBackend, SpawnRequest } from '../../src/session/backend.js';
import { assignWorker } from '../../src/worker/assign.js';
import { createWorker } from '../../src/worker/create.js';
import { openWorker } from '../../src/worker/open.js';
import { closeWorker } from '../../src/worker/remove.js';
import { workerStatus } from '../../src/worker/status.js';
import { replyToWorker } from '../../src/worker/reply.js';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { makeProject, type Project } from './support.js';

/** A PATH holding executables named like the providers, for the provider-installed check (never run here). */
function providerPath(home: string): string {
  const bin = join(home, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of ['claude', 'codex']) {
    writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}
/** The fake agent is up as soon as it was typed: no settle wait needed. */
const startCheck = { settleMs: 0 };

/** Records every call; panes are alive once something was typed into them (the "provider" started). */
class FakeBackend implements SessionBackend {
  readonly name = 'tmux' as const;
  spawns: SpawnRequest[] = [];
  sent: Array<[string, string]> = [];
  aliveQueries: string[][] = [];
  alive = new Set<string>();
  panes = new Set<string>();
  /** pane id → the worker it belongs to, as tmux's pane tags tell. */
  owners = new Map<string, string>();
  private seq = 0;
  async spawn(request: SpawnRequest): Promise<PaneInfo> {
    this.spawns.push(request);
    const paneId = `%${++this.seq}`;
    this.panes.add(paneId);
    this.owners.set(paneId, request.workerId);
    return { paneId, ready: true };
  }
  async owns(paneId: string, owner: PaneOwner): Promise<boolean> {
    return this.panes.has(paneId) && this.owners.get(paneId) === owner.workerId;
  }
  /** Panes whose running "provider" is itself a shell (a user-defined provider such as `bash`). */
  shells = new Set<string>();
  async foreground(paneId: string, owner?: PaneOwner): Promise<PaneForeground> {
    if (!this.panes.has(paneId) || (owner && this.owners.get(paneId) !== owner.workerId)) return { kind: 'gone' };
    return this.alive.has(paneId) && !this.shells.has(paneId) ? { kind: 'program', command: 'agent' } : { kind: 'shell', command: 'bash' };
  }
  /** What each pane shows: submitted lines, then the input line holding text typed without Enter (an echoing agent). */
  screens = new Map<string, { history: string[]; input: string }>();
  async capture(paneId: string): Promise<string[]> {
    const s = this.screens.get(paneId);
    return s ? [...s.history, ...`> ${s.input}`.split('\n')] : [];
  }
  async notify(): Promise<boolean> {
    return false;
  }
  async attachCommand(paneId: string): Promise<string | undefined> {
    return this.panes.has(paneId) ? `tmux attach -t ${this.owners.get(paneId)}` : undefined;
  }
  async sendText(paneId: string, text: string, options: SendOptions = {}): Promise<void> {
    if (!this.panes.has(paneId)) throw new OperationError(`pane ${paneId} is gone`, { code: 'pane_gone' });
    if (text !== '') this.sent.push([paneId, text]); // '' is Enter alone, after text typed with submit: false
    this.alive.add(paneId);
    const screen = this.screens.get(paneId) ?? { history: [], input: '' };
    screen.input += text;
    if (options.submit !== false) {
      screen.history.push(...`> ${screen.input}`.split('\n'));
      screen.input = '';
    }
    this.screens.set(paneId, screen);
  }
  async isAlive(paneId: string, owner?: PaneOwner): Promise<boolean> {
    return (await this.aliveMany([paneId], owner ? new Map([[paneId, owner]]) : undefined)).get(paneId) ?? false;
  }
  async aliveMany(paneIds: string[], owners?: ReadonlyMap<string, PaneOwner>): Promise<Map<string, boolean>> {
    this.aliveQueries.push(paneIds);
    return new Map(paneIds.map((p) => [p, this.alive.has(p) && (owners?.get(p) === undefined || owners.get(p)?.workerId === this.owners.get(p))]));
  }
  async kill(paneId: string): Promise<void> {
    this.panes.delete(paneId);
    this.alive.delete(paneId);
  }
  async setTitle(): Promise<void> {}
}

let project: Project;
afterEach(() => project?.cleanup());

describe('openWorker / assignWorker / workerStatus with a fake backend', () => {
  it('spawns with the worker env, records panes, saves --provider/--model, and reports already running', async () => {
    project = makeProject();
    const backend = new FakeBackend();
    const env = { AGENT_TEAM_TMUX_SOCKET: 'private-sock', TMUX_PANE: '%99', AGENT_TEAM_HOME: project.home, AGENT_TEAM_START_TIMEOUT_MS: '200', PATH: providerPath(project.home) };
    await createWorker(project.root, 'dev');
    const opened = await openWorker(project.root, 'dev-001', { backend, env, startCheck, provider: 'codex', model: 'gpt-5', startTimeoutMs: 300 });
    expect(opened).toMatchObject({ alreadyRunning: false, paneId: '%1', controllerPaneId: '%99', started: true, worktreeCreated: true });
    expect(backend.spawns[0]).toMatchObject({
      workerId: 'dev-001',
      cwd: join(project.root, '.worktrees/dev-001'),
      stateDir: join(project.root, '.agents/workers/dev-001'),
      env: { AGENT_TEAM_WORKER_ID: 'dev-001', AGENT_TEAM_BACKEND: 'tmux', AGENT_TEAM_TMUX_SOCKET: 'private-sock', AGENT_TEAM_HOME: project.home },
    });
    expect(backend.sent).toHaveLength(1);
    expect(backend.sent[0]?.[0]).toBe('%1');
    // the codex adapter: the launch command, then its hook flags (no daemon outliving the pane)
    expect(backend.sent[0]?.[1]).toMatch(/^codex --dangerously-bypass-approvals-and-sandbox --model gpt-5 --no-daemon --dangerously-bypass-hook-trust -c 'hooks\.SessionStart=\[\{hooks=\[\{type="command",command="\S+\/\.agents\/workers\/dev-001\/hook session-start"\}\]\}\]' /);
    const yaml = readFileSync(join(project.root, '.agents/workers/dev-001/worker.yaml'), 'utf8');
    expect(yaml).toMatch(/provider: codex\ndefault_model: gpt-5\npane_id: "%1"\ncontroller_pane_id: "%99"\ncreated_at: .*\nworktree_created: true\nbackend: tmux\n$/);

    const again = await openWorker(project.root, 'dev-001', { backend, env, startCheck });
    expect(again.alreadyRunning).toBe(true);
    expect(backend.spawns).toHaveLength(1);

    // the provider exited but the shell is there: the launch command is typed again, nothing spawned
    backend.alive.delete('%1');
    const relaunched = await openWorker(project.root, 'dev-001', { backend, env, startCheck });
    expect(relaunched).toMatchObject({ alreadyRunning: false, paneId: '%1' });
    expect(backend.spawns).toHaveLength(1);

    // the pane is gone: a new one is spawned
    await backend.kill('%1');
    expect((await openWorker(project.root, 'dev-001', { backend, env, startCheck })).paneId).toBe('%2');
  });

  it('never types into, reports or kills a reused pane id that now belongs to someone else', async () => {
    project = makeProject();
    const backend = new FakeBackend();
    const env = { TMUX_PANE: '%99', AGENT_TEAM_START_TIMEOUT_MS: '200', AGENT_TEAM_HOME: project.home, PATH: providerPath(project.home) };
    await createWorker(project.root, 'dev');
    await openWorker(project.root, 'dev-001', { backend, env, startCheck });
    // the multiplexer restarted and gave %1 to another session (e.g. the controller's), busy with its own program
    backend.owners.set('%1', 'controller');
    backend.sent.length = 0;
    expect((await workerStatus(project.root, { backend, env })).workers[0]?.state).toBe('offline');
    const reopened = await openWorker(project.root, 'dev-001', { backend, env, startCheck });
    expect(reopened).toMatchObject({ alreadyRunning: false, paneId: '%2' });
    expect(backend.sent.map(([pane]) => pane)).toEqual(['%2']);
    backend.owners.set('%2', 'someone-else');
    await closeWorker(project.root, 'dev-001', { backend, env });
    expect(backend.panes.has('%2')).toBe(true);
    expect(backend.panes.has('%1')).toBe(true);
  });

  it('assign types the change message after opening; status asks the backend once for all workers', async () => {
    project = makeProject();
    const backend = new FakeBackend();
    // the scripted provider's binary is node
    const env = { TMUX_PANE: '%99', AGENT_TEAM_HOME: project.home, PATH: `${providerPath(project.home)}:${dirname(process.execPath)}` };
    for (let i = 0; i < 3; i++) await createWorker(project.root, 'dev', { provider: 'scripted' });
    const r = await assignWorker(project.root, 'dev-002', 'Build the thing', { backend, env, startCheck, design: '# Design\n' });
    expect(r.delivery).toBe('submitted'); // a plain provider has no events: the text left its input line
    expect(r.opened?.paneId).toBe('%1');
    expect(r.change.files).toEqual(['change.yaml', 'design.md']);
    const [pane, message] = backend.sent.at(-1) ?? [];
    expect(pane).toBe('%1');
    expect(message).toBe(
      [
        '[New Change Assigned] Build the thing',
        `Change: ${r.change.relativeDir}`,
        'Read change.yaml, design.md in that folder.',
        'Completion protocol: commit your work, then run: agent-team reply-main "Task completed: <summary>" --status done',
        '(add --outcome <label> when the task names outcomes; blocked: agent-team reply-main "Blocked: <why>" --status blocked;',
        ' need a decision: agent-team reply-main "Need decision: <question>" --status needs-input)',
      ].join('\n'),
    );
    await openWorker(project.root, 'dev-003', { backend, env, startCheck });
    backend.aliveQueries = [];
    const status = await workerStatus(project.root, { backend, env });
    expect(backend.aliveQueries).toEqual([['%1', '%2']]);
    expect(status.workers.map((w) => `${w.id}:${w.state}:${w.worktree}`)).toEqual(['dev-001:offline:missing', 'dev-002:running:clean', 'dev-003:running:clean']);

    await replyToWorker(project.root, 'dev-003', 'carry on', { backend });
    expect(backend.sent.at(-1)).toEqual(['%2', '[Main Controller Reply] carry on']);
    await expect(replyToWorker(project.root, 'dev-001', 'hello', { backend })).rejects.toMatchObject({ code: 'not_running', exitCode: 1 });
  });

  it('assign and reply type nothing when a shell holds the pane, even if a program "runs" there', async () => {
    project = makeProject();
    const backend = new FakeBackend();
    // the start bound is what assign waits for a starting agent before it names the shell (not_agent)
    const env = { TMUX_PANE: '%99', AGENT_TEAM_START_TIMEOUT_MS: '200', PATH: providerPath(project.home) };
    await createWorker(project.root, 'dev');
    await openWorker(project.root, 'dev-001', { backend, env, startCheck });
    backend.shells.add('%1');
    backend.sent.length = 0;
    await expect(assignWorker(project.root, 'dev-001', 'Add a line; touch X', { backend, env, startCheck })).rejects.toMatchObject({ code: 'not_agent', exitCode: 1 });
    await expect(replyToWorker(project.root, 'dev-001', 'hi; touch Y', { backend })).rejects.toMatchObject({ code: 'not_agent', exitCode: 1 });
    expect(backend.sent).toEqual([]);
  });
});
