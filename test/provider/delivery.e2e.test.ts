/**
 * Issue 8 findings, end to end with the built CLI, real git and real tmux on a private server, the
 * scripted stand-in agent registered `like: claude` (so the claude adapter's hooks, session ids and
 * first-task-on-the-command-line are what is tested): a dialog is never answered, a first task goes on
 * the launch command line, a typed task is confirmed or refused with exit 1, nothing is recorded as
 * assigned when it did not arrive, a slow start is waited for, a conversation is resumed (or --fresh).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { hasTmux, privateTmux } from '../helpers/private-tmux.js';
import { git, writeFile } from '../helpers/repo.js';
import { AGENT, makeProject, waitForText, type Project } from '../worker/support.js';

const server = privateTmux('provider-e2e');
const { socket, tmux } = server;

describe.skipIf(!hasTmux)('checked delivery with the stand-in agent as claude (tmux, private socket)', () => {
  let project: Project;
  let env: Record<string, string | undefined>;
  const log = (id: string) => join(project.home, `${id}.log`);
  const run = (...args: string[]) => cli([...args, '--json'], { cwd: project.root, env });
  const changes = (id: string) => {
    const dir = join(project.root, '.worktrees', id, '.tasks/changes');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  beforeAll(() => {
    project = makeProject();
    const agent = (name: string, flags: string) => `    ${name}: { command: "node ${AGENT} --log ${join(project.home, `${name}.log`)}${flags}", like: claude }\n`;
    writeFile(
      project.root,
      '.agents/config.yaml',
      `providers:\n${agent('standin', '')}${agent('trusting', ' --trust-dialog')}${agent('slow', ' --start-delay 1500')}${agent('deaf', ' --early-enter-ms 5000')}${agent('quick', ' --early-enter-ms 20')}${agent('forgetful', ' --fail-resume')}`,
    );
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'stand-in providers');
    // the launch commands changed: trust them again (agent-team trust), as a user would
    expect(cli(['trust'], { cwd: project.root, env: { AGENT_TEAM_HOME: project.home } }).code).toBe(0);
    env = server.controllerEnv(project.home);
  });

  afterAll(() => {
    server.kill();
    project?.cleanup();
  });

  it('puts the first task on the launch command line and counts it only when the agent confirms it', () => {
    expect(run('worker', 'create', 'dev', '--provider', 'standin').code).toBe(0);
    const assigned = run('worker', 'assign', 'dev-001', 'Add a greeting file');
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(assigned.json).toMatchObject({ delivery: 'confirmed', on_command_line: true });
    expect(assigned.json.opened.launch_command).toMatch(/ --settings \S+claude-settings\.json --session-id [0-9a-f-]{36} "\$\(cat \S+task\.txt'?\)"$/);
    const events = readFileSync(join(project.root, '.agents/workers/dev-001/events.jsonl'), 'utf8');
    expect(events).toMatch(/"event":"launch"/);
    expect(events).toMatch(/"event":"session-start"/);
    expect(events).toMatch(/"event":"prompt-submit"/);
  });

  it('worker status gives activity, activity_since and session_id from the hooks', async () => {
    await waitForText(log('standin'), 'replied:');
    await waitForText(join(project.root, '.agents/workers/dev-001/events.jsonl'), '"event":"turn-end"');
    const status = run('worker', 'status');
    const row = status.json.workers.find((w: { id: string }) => w.id === 'dev-001');
    expect(row).toMatchObject({ state: 'running', activity: 'idle' });
    expect(row.activity_since).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(row.session_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('types a later task only at ready/idle, after the delay, and confirms it', async () => {
    const again = run('worker', 'assign', 'dev-001', 'Add a second file');
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ delivery: 'confirmed', on_command_line: false });
    await waitForText(log('standin'), 'assigned: Add a second file');
  });

  it('never answers a trust dialog: exit 1 naming it, pane lines shown, nothing recorded as assigned', () => {
    expect(run('worker', 'create', 'dev', '--provider', 'trusting').code).toBe(0);
    const r = cli(['worker', 'assign', 'dev-002', 'Touch nothing'], { cwd: project.root, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/claude's trust-this-folder dialog/);
    expect(r.stderr).toMatch(/Yes, I trust this folder/);
    // panes' rule: the hint attaches to the worker's project-scoped session (a live one), not a bare pane id
    const hint = new RegExp(`^try: tmux -L ${socket} attach -t (agent-team-\\S+-dev-002)$`, 'm').exec(r.stderr);
    expect(hint, r.stderr).not.toBeNull();
    expect(() => tmux('has-session', '-t', `=${hint?.[1]}`)).not.toThrow();
    expect(changes('dev-002')).toEqual([]);
    expect(readFileSync(log('trusting'), 'utf8')).not.toContain('dialog answered');
    const status = run('worker', 'status');
    expect(status.json.workers.find((w: { id: string }) => w.id === 'dev-002')).toMatchObject({ activity: 'attention' });
    // typed delivery into the running worker is refused just the same, and nothing reaches the dialog
    const typed = run('worker', 'assign', 'dev-002', 'Still nothing');
    expect(typed.code).toBe(1);
    expect(typed.json.error).toMatchObject({ code: 'not_delivered', details: { activity: 'attention', dialog: { kind: 'trust' } } });
    expect(readFileSync(log('trusting'), 'utf8')).not.toContain('dialog answered');
    expect(changes('dev-002')).toEqual([]);
  });

  it('waits for a slow start instead of typing into it', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'slow').code).toBe(0);
    const opened = run('worker', 'open', 'dev-003');
    expect(opened.code, opened.stderr).toBe(0);
    const assigned = run('worker', 'assign', 'dev-003', 'Start slowly');
    expect(assigned.code, assigned.stderr).toBe(0);
    expect(assigned.json.delivery).toBe('confirmed');
    await waitForText(log('slow'), 'assigned: Start slowly');
    expect(readFileSync(log('slow'), 'utf8')).not.toContain('lost early input');
  });

  it('an Enter the agent ignores means not delivered: exit 1, change removed; with a delay the agent honours it, delivered', () => {
    expect(run('worker', 'create', 'dev', '--provider', 'deaf').code).toBe(0);
    expect(run('worker', 'open', 'dev-004').code).toBe(0);
    const r = run('worker', 'assign', 'dev-004', 'Never submitted');
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('not_delivered');
    expect(r.json.error.message).toMatch(/did not confirm it within 4000 ms/);
    expect(changes('dev-004')).toEqual([]);
    expect(readFileSync(log('deaf'), 'utf8')).toContain('ignored early Enter');

    expect(run('worker', 'create', 'dev', '--provider', 'quick').code).toBe(0);
    expect(run('worker', 'open', 'dev-005').code).toBe(0);
    const ok = run('worker', 'assign', 'dev-005', 'Submitted after the delay');
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(log('quick'), 'utf8')).not.toContain('ignored early Enter');
  });

  it('reopening a stopped worker resumes its conversation; --fresh starts a new one; a killed agent is exited', async () => {
    const before = run('worker', 'status').json.workers.find((w: { id: string }) => w.id === 'dev-001');
    expect(run('worker', 'close', 'dev-001').code).toBe(0);
    expect(run('worker', 'status').json.workers.find((w: { id: string }) => w.id === 'dev-001').activity).toBe('exited');
    const reopened = run('worker', 'open', 'dev-001');
    expect(reopened.code, reopened.stderr).toBe(0);
    expect(reopened.json).toMatchObject({ resumed: true, session_id: before.session_id });
    expect(reopened.json.launch_command).toContain(`--resume ${before.session_id}`);
    await waitForText(log('standin'), `resumed session ${before.session_id}`);
    expect(run('worker', 'close', 'dev-001').code).toBe(0);
    const fresh = run('worker', 'open', 'dev-001', '--fresh');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.json.resumed).toBe(false);
    expect(fresh.json.session_id).not.toBe(before.session_id);
    expect(fresh.json.launch_command).toContain(`--session-id ${fresh.json.session_id}`);
  });

  it('a conversation the agent cannot resume: worker open exits 1 with its words and the --fresh command, which then works', async () => {
    const created = run('worker', 'create', 'dev', '--provider', 'forgetful');
    expect(created.code, created.stderr).toBe(0);
    const id: string = created.json.worker_id;
    const first = run('worker', 'open', id);
    expect(first.code, first.stderr).toBe(0);
    await waitForText(join(project.root, `.agents/workers/${id}/events.jsonl`), '"event":"session-start"');
    expect(run('worker', 'close', id).code).toBe(0);
    const r = run('worker', 'open', id);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.error.code).toBe('agent_exited');
    expect(r.json.error.message).toContain('Error resuming session: No previous sessions found for this project.');
    expect(r.json.error.hint).toMatch(new RegExp(`agent-team worker open ${id} --fresh$`));
    const fresh = run('worker', 'open', id, '--fresh');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.json.resumed).toBe(false);
  });
});
