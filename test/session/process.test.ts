/** The headless process backend: real detached shells, FIFOs and log files in a temp folder. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OperationError, UsageError } from '../../src/errors.js';
import { ProcessBackend, parseProcessPaneId } from '../../src/session/process.js';
import { pidRunning } from '../../src/session/proc-info.js';
import { waitFor } from '../../src/session/wait.js';
import { tempDir } from '../helpers/repo.js';

const tmp = tempDir('agent-team-proc-');
const backend = new ProcessBackend({ timeoutMs: 3000 });
const spawned: string[] = [];
let workerSeq = 0;

async function spawnWorker(env?: Record<string, string>) {
  const workerId = `dev-${String(++workerSeq).padStart(3, '0')}`;
  const stateDir = join(tmp.dir, '.agents', 'workers', workerId);
  const pane = await backend.spawn({ workerId, cwd: tmp.dir, stateDir, env });
  spawned.push(pane.paneId);
  return { workerId, stateDir, ...pane };
}

const TRICKY = [
  `first "double" and 'single' quotes`,
  'home $HOME and `touch backtick-ran` and $(touch dollar-ran)',
  'semi; touch semicolon-ran; echo done',
  '  indented \\ backslash * glob ~ tilde',
].join('\n');

afterAll(async () => {
  for (const paneId of spawned) await backend.kill(paneId);
  tmp.cleanup();
});

describe('process backend', () => {
  it('spawns a detached shell on a FIFO with a log and pid file; the pane knows its own id', async () => {
    const pane = await spawnWorker({ AGENT_TEAM_TEST_VAR: 'a b $c' });
    const parsed = parseProcessPaneId(pane.paneId);
    expect(parsed).toEqual({ pid: expect.any(Number), stateDir: pane.stateDir });
    expect(pane.ready).toBe(true);
    expect(readFileSync(join(pane.stateDir, 'pane.pid'), 'utf8').trim()).toBe(String(parsed?.pid));
    expect(statSync(join(pane.stateDir, 'input.fifo')).isFIFO()).toBe(true);
    await backend.sendText(pane.paneId, 'printf "%s|%s|%s\\n" "$AGENT_TEAM_PANE" "$AGENT_TEAM_TEST_VAR" "$(pwd)"');
    const log = join(pane.stateDir, 'output.log');
    const expected = `${pane.paneId}|a b $c|${tmp.dir}\n`;
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8') === expected, { timeoutMs: 5000 }).catch(() => undefined);
    expect(readFileSync(log, 'utf8')).toBe(expected);
  });

  it('delivers multi-line text literally to the running program, across many writes', async () => {
    const pane = await spawnWorker();
    const out = join(tmp.dir, 'cat-out');
    await backend.sendText(pane.paneId, `cat > ${out}`);
    await waitFor(() => backend.isAlive(pane.paneId), { timeoutMs: 5000, description: 'cat to run' });
    await backend.sendText(pane.paneId, TRICKY);
    await backend.sendText(pane.paneId, 'second write');
    const expected = `${TRICKY}\nsecond write\n`;
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8') === expected, { timeoutMs: 5000 }).catch(() => undefined);
    expect(readFileSync(out, 'utf8')).toBe(expected);
    for (const marker of ['backtick-ran', 'dollar-ran', 'semicolon-ran']) expect(existsSync(join(tmp.dir, marker))).toBe(false);
    await backend.kill(pane.paneId);
  });

  it('kill ends the whole process group, is quiet when gone, and frees the worker for a new spawn', async () => {
    const pane = await spawnWorker();
    const pidFile = join(tmp.dir, 'sleep.pid');
    await backend.sendText(pane.paneId, `sleep 30 & echo $! > ${pidFile}; wait`);
    const sleepPid = await waitFor(() => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim()), { timeoutMs: 5000 });
    await expect(backend.spawn({ workerId: pane.workerId, cwd: tmp.dir, stateDir: pane.stateDir })).rejects.toMatchObject({ code: 'pane_exists' });
    await backend.kill(pane.paneId);
    const shellPid = parseProcessPaneId(pane.paneId)!.pid;
    await waitFor(() => !pidRunning(shellPid) && !pidRunning(sleepPid), { timeoutMs: 5000, description: 'group to exit' }).catch(() => undefined);
    expect(pidRunning(shellPid)).toBe(false);
    expect(pidRunning(sleepPid)).toBe(false);
    await expect(backend.kill(pane.paneId)).resolves.toBeUndefined();
    const error = await backend.sendText(pane.paneId, 'hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error).toMatchObject({ code: 'pane_gone' });
    await expect(backend.sendText('%1', 'hello')).rejects.toBeInstanceOf(UsageError);
    const again = await backend.spawn({ workerId: pane.workerId, cwd: tmp.dir, stateDir: pane.stateDir });
    spawned.push(again.paneId);
    expect(await backend.aliveMany([again.paneId])).toEqual(new Map([[again.paneId, false]]));
  });

  it('the shell outlives the CLI process that spawned it', () => {
    const dist = fileURLToPath(new URL('../../dist/session/process.js', import.meta.url));
    const stateDir = join(tmp.dir, 'outlive');
    const script = `const { ProcessBackend } = await import(${JSON.stringify(dist)});
const pane = await new ProcessBackend().spawn({ workerId: 'x-001', cwd: ${JSON.stringify(tmp.dir)}, stateDir: ${JSON.stringify(stateDir)} });
process.stdout.write(pane.paneId);`;
    const paneId = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    spawned.push(paneId);
    const pid = parseProcessPaneId(paneId)!.pid;
    expect(pidRunning(pid)).toBe(true);
  });

  it('foreground: shell while idle, the program while one runs; ownership by project and worker; capture, notify, attachCommand', async () => {
    const pane = await spawnWorker();
    const owner = { root: tmp.dir, workerId: pane.workerId };
    expect(await backend.foreground(pane.paneId)).toMatchObject({ kind: 'shell' });
    expect(await backend.owns(pane.paneId, owner)).toBe(true);
    expect(await backend.owns(pane.paneId, { root: `${tmp.dir}-other`, workerId: pane.workerId })).toBe(false);
    expect(await backend.foreground(pane.paneId, { root: tmp.dir, workerId: 'qa-001' })).toEqual({ kind: 'gone' });
    await backend.sendText(pane.paneId, 'echo first line; sleep 30');
    await waitFor(async () => (await backend.foreground(pane.paneId)).kind === 'program', { timeoutMs: 5000, description: 'sleep in front' });
    expect(await backend.foreground(pane.paneId, owner)).toEqual({ kind: 'program', command: 'sleep' });
    expect(await backend.notify(pane.paneId, 'shown #1')).toBe(true);
    expect(await backend.capture(pane.paneId, 2)).toEqual(['first line', '[agent-team] shown #1']);
    expect(await backend.attachCommand(pane.paneId)).toBe(`tail -f ${join(pane.stateDir, 'output.log')}`);
    await backend.kill(pane.paneId);
    expect(await backend.foreground(pane.paneId)).toEqual({ kind: 'gone' });
    expect(await backend.notify(pane.paneId, 'late')).toBe(false);
  });
});
