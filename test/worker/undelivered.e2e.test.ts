/**
 * Userplay finding 1 (session 4): a `workflow run` stopped while it types a task into a worker's pane.
 * End to end with the built CLI, real git, real tmux on a private server and the stand-in agent (a plain
 * provider: its delivery is confirmed by the text leaving its input box). The CLI is stopped at the exact
 * moment by the test-only pause (`AGENT_TEAM_TEST_PAUSE_DELIVERY`, src/worker/test-pause.ts), never by a
 * sleep: after the text is typed and before Enter (`typed`), or right after Enter (`entered`).
 * - kill -9 at `typed`: `worker status` and `doctor` name the change and the line that delivers it; the
 *   next `workflow run` submits the text still in the input box — the agent receives one prompt of exactly
 *   the assignment's length (the text is not typed a second time);
 * - kill -9 at `typed`, the input box cleared since: typed again, once; the process backend (a pipe):
 *   Enter alone, never the lines again; an agent with prompt events (`like: claude`): the `worker assign
 *   --change` line `worker status` prints, pasted as printed, submits the box and the agent confirms it;
 * - kill -9 at `entered`, the agent took the prompt: the next `workflow run` types nothing (no task twice);
 * - a change delivered and recorded is never given again by a later `workflow run`;
 * - SIGTERM at `typed`: the interrupt waits until the task is delivered and recorded, then exit 130 with
 *   a hint that, pasted as printed, goes on without giving the task again.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/session/wait.js';
import { assignMessage } from '../../src/worker/messages.js';
import { BIN } from '../helpers/cli.js';
import { trustInHome } from '../helpers/trust.js';
import { execPrinted, hasTmux, makeTeam, occurrences, oneTaskTemplate, workerYaml, type PlaybookStep, type Team } from '../controller/support.js';

const SOLO = oneTaskTemplate('solo', 'Write the greeting file', { end: 'finish' });

const GREETING: PlaybookStep = { match: 'Write the greeting file', files: { 'greeting.txt': 'hello\n' }, commit: 'Add greeting', reply: 'Task completed: greeting written' };
// README.md is a file, so README.md/x.txt cannot be written: the agent takes the task, logs "failed" and never replies.
const HANGS: PlaybookStep = { match: 'Write the greeting file', files: { 'README.md/x.txt': 'x\n' }, commit: 'never', reply: 'never' };

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

/** `agent-team <args>` started in the background with the test pause set; `done` settles when it exits. */
function startCli(t: Team, args: string[], pause: string): { pid: number; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: t.root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...t.env, AGENT_TEAM_TEST_PAUSE_DELIVERY: pause },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { pid: child.pid as number, done };
}

/** Starts `workflow run <file> --json` paused at `point`; resolves once the delivery is paused there. */
async function runPausedAt(t: Team, file: string, point: 'typed' | 'entered', extra: string[] = []) {
  const marker = join(t.root, '..', `pause-${point}-${process.pid}-${Date.now()}`);
  const cli = startCli(t, ['workflow', 'run', file, ...extra, '--json'], `${point}:${marker}`);
  await waitFor(() => existsSync(marker), { timeoutMs: 30_000, intervalMs: 25, description: `the delivery to pause at ${point}` }).catch(async (err: Error) => {
    const r = await Promise.race([cli.done, new Promise((res) => setTimeout(res, 10, undefined))]);
    throw new Error(`${err.message}\n${JSON.stringify(r)}`);
  });
  return { ...cli, marker };
}

const agentLog = (t: Team) => (existsSync(t.agentLog) ? readFileSync(t.agentLog, 'utf8') : '');
const worker = (t: Team) => t.ok(['worker', 'status']).workers.find((w: { id: string }) => w.id === 'dev-001');

describe.skipIf(!hasTmux)('a task whose typing was cut short is delivered exactly once (tmux, private socket)', () => {
  it('kill -9 after typing, before Enter: status and doctor name it; the next workflow run submits the text in the input box', async () => {
    team = await makeTeam({ backend: 'tmux', workflows: { solo: SOLO }, playbook: [GREETING] });
    const t = team;
    const file = t.init('solo', 'solo');
    const paused = await runPausedAt(t, file, 'typed');
    process.kill(paused.pid, 'SIGKILL');
    expect((await paused.done).signal).toBe('SIGKILL');
    expect(agentLog(t), 'Enter was never sent').not.toContain('prompt received');

    const change: string = t.show(file).node_states.build.assignment.change;
    const fix = `agent-team worker assign dev-001 'Write the greeting file' --change ${change}`;
    expect(worker(t).undelivered).toMatchObject({ change, state: 'pending', fix });
    expect(t.at(['worker', 'status']).stdout).toContain(`deliver it: ${fix}`);
    const doctor = t.at(['doctor', '--json']);
    expect(doctor.code).toBe(1);
    expect(doctor.json.findings).toContainEqual(expect.objectContaining({ kind: 'undelivered_change', fix }));

    const next = t.next(file);
    expect(next).toMatchObject({ kind: 'act', node: { id: 'build', worker: 'dev-001' } });
    expect(next.commands[0]).toBe(fix);
    const report = t.run(file);
    expect(report.steps).toContainEqual({ node: 'build', action: 'redeliver', detail: expect.stringContaining('the text still in its input box was submitted (not typed again)') });
    expect(report.stopped).toBe('waiting');
    await t.waitForReply(file, 'build');

    const log = agentLog(t);
    const expected = assignMessage({ description: 'Write the greeting file', changeDir: change, files: ['change.yaml'] });
    expect(occurrences(log, 'prompt received'), log).toBe(1);
    expect(log).toContain(`prompt received (${expected.length} chars)`);
    expect(occurrences(log, 'assigned: Write the greeting file')).toBe(1);
    expect(worker(t).undelivered).toBeUndefined();
    expect(t.run(file).steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['build:complete']);
  });

  it('kill -9 after typing, and the input box was cleared since: the next workflow run types the task again, once', async () => {
    team = await makeTeam({ backend: 'tmux', workflows: { solo: SOLO }, playbook: [GREETING] });
    const t = team;
    const file = t.init('solo', 'solo');
    const paused = await runPausedAt(t, file, 'typed');
    process.kill(paused.pid, 'SIGKILL');
    await paused.done;
    const change: string = t.show(file).node_states.build.assignment.change;
    const expected = assignMessage({ description: 'Write the greeting file', changeDir: change, files: ['change.yaml'] });
    // someone clears the half-sent text from the agent's input line (Ctrl-U)
    const pane = /pane_id:\s*"?([^"\n]+)"?/.exec(workerYaml(t, 'dev-001'))?.[1] as string;
    execFileSync('tmux', ['-L', t.socket, 'send-keys', '-t', pane, 'C-u']);
    const screen = () => execFileSync('tmux', ['-L', t.socket, 'capture-pane', '-p', '-t', pane], { encoding: 'utf8' });
    await waitFor(() => !screen().includes('New Change Assigned'), { timeoutMs: 5000, description: 'the input line to be cleared' });

    const report = t.run(file);
    expect(report.steps).toContainEqual({ node: 'build', action: 'redeliver', detail: expect.stringContaining('its input box was empty: typed again') });
    await t.waitForReply(file, 'build');
    const log = agentLog(t);
    expect(occurrences(log, 'prompt received'), log).toBe(1);
    expect(log).toContain(`prompt received (${expected.length} chars)`);
  });

  it('process backend (a pipe, no screen): kill -9 after typing; the next workflow run sends Enter alone, never the task again', async () => {
    team = await makeTeam({ backend: 'process', workflows: { solo: SOLO }, playbook: [HANGS] });
    const t = team;
    const file = t.init('solo', 'solo');
    const paused = await runPausedAt(t, file, 'typed');
    process.kill(paused.pid, 'SIGKILL');
    await paused.done;
    // the stand-in reads the pipe line by line: it already took the task's lines (and never replies)
    await t.waitForAgent('failed:');
    expect(worker(t).undelivered).toMatchObject({ state: 'pending', typed: true });
    const report = t.run(file);
    expect(report.steps).toContainEqual({ node: 'build', action: 'redeliver', detail: expect.stringContaining('not typed again') });
    expect(worker(t).undelivered).toBeUndefined();
    expect(t.run(file).steps).toEqual([]);
    expect(occurrences(agentLog(t), 'assigned: Write the greeting file'), agentLog(t)).toBe(1);
  });

  it('an agent with prompt events (like: claude): kill -9 after typing; the fix line worker status prints submits the box, the agent confirms it, the run goes on', async () => {
    team = await makeTeam({ backend: 'tmux', workflows: { solo: SOLO }, playbook: [GREETING] });
    const t = team;
    // the same stand-in, registered like claude: its hooks report prompt-submit (trusted again, as a user would)
    const config = readFileSync(join(t.root, '.agents/config.yaml'), 'utf8').replace(/scripted: (".*")$/m, 'scripted: { command: $1, like: claude }');
    writeFileSync(join(t.root, '.agents/config.yaml'), config);
    trustInHome(t.root, t.env.AGENT_TEAM_HOME as string);
    const file = t.init('solo', 'solo');
    const paused = await runPausedAt(t, file, 'typed');
    process.kill(paused.pid, 'SIGKILL');
    await paused.done;
    const { fix } = worker(t).undelivered;
    expect(worker(t).undelivered).toMatchObject({ state: 'pending', typed: true });
    // the line worker status prints, pasted as printed
    const pasted = execPrinted(t, `${fix} --json`).json;
    expect(pasted).toMatchObject({ delivery: 'confirmed', redelivery: 'entered' });
    expect(readFileSync(join(t.root, '.agents/workers/dev-001/delivery.yaml'), 'utf8')).toMatch(/^state: confirmed$/m);
    await t.waitForReply(file, 'build');
    // delivered: workflow run gives it nothing again
    expect(t.run(file).steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['build:complete']);
    expect(occurrences(agentLog(t), 'prompt received'), agentLog(t)).toBe(1);
  });

  it('kill -9 right after Enter: the agent took the task, so the next workflow run types nothing', async () => {
    team = await makeTeam({ backend: 'tmux', workflows: { solo: SOLO }, playbook: [HANGS] });
    const t = team;
    const file = t.init('solo', 'solo');
    const paused = await runPausedAt(t, file, 'entered');
    process.kill(paused.pid, 'SIGKILL');
    await paused.done;
    await t.waitForAgent('failed:');
    // not confirmed by the killed CLI, and no reply: reported, with the line that finishes it
    expect(worker(t).undelivered).toMatchObject({ state: 'entered' });

    const report = t.run(file);
    expect(report.steps).toContainEqual({ node: 'build', action: 'redeliver', detail: expect.stringContaining('the agent had taken it; nothing typed') });
    expect(worker(t).undelivered).toBeUndefined();
    // a later run leaves a delivered change alone
    expect(t.run(file).steps).toEqual([]);
    expect(occurrences(agentLog(t), 'prompt received'), agentLog(t)).toBe(1);
  });

  it('a change delivered and recorded is never given again by a later workflow run', async () => {
    team = await makeTeam({ backend: 'tmux', workflows: { solo: SOLO }, playbook: [HANGS] });
    const t = team;
    const file = t.init('solo', 'solo');
    expect(t.run(file)).toMatchObject({ stopped: 'waiting' });
    await t.waitForAgent('failed:');
    expect(worker(t).undelivered).toBeUndefined();
    expect(t.at(['doctor', '--json']).json.findings.filter((f: any) => f.kind === 'undelivered_change')).toEqual([]);
    expect(t.run(file).steps).toEqual([]);
    expect(t.next(file)).toMatchObject({ kind: 'wait', commands: [] });
    expect(occurrences(agentLog(t), 'prompt received')).toBe(1);
  });

  it('SIGTERM while the task is typed: the delivery finishes first, then exit 130 with a hint that goes on', async () => {
    team = await makeTeam({ backend: 'tmux', workflows: { solo: SOLO }, playbook: [GREETING] });
    const t = team;
    const file = t.init('solo', 'solo');
    const paused = await runPausedAt(t, file, 'typed', ['--wait']);
    process.kill(paused.pid, 'SIGTERM');
    // the interrupt is held while the task is typed; let the delivery go on
    writeFileSync(`${paused.marker}.go`, '');
    const r = await paused.done;
    expect(r.code, r.stderr).toBe(130);
    // it exited after the agent took the task, not with the text left unsent in its input box
    await t.waitForAgent('prompt received', 1, 5000);
    const doc = JSON.parse(r.stdout);
    const hint = `agent-team workflow run ${file} --wait --json`;
    expect(doc.error).toMatchObject({ code: 'interrupted', hint, try: hint });
    await t.waitForAgent('replied:');
    expect(occurrences(agentLog(t), 'prompt received'), 'delivered before the exit').toBe(1);
    expect(worker(t).undelivered).toBeUndefined();

    // the hint, pasted as printed: the run goes on from the reply, nothing is given again
    const again = execPrinted(t, doc.error.try);
    expect(again.json.steps.map((s: any) => `${s.node}:${s.action}`)).toEqual(['build:complete']);
    expect(again.json.stopped).toBe('decision');
    expect(occurrences(agentLog(t), 'prompt received')).toBe(1);
  });
});
