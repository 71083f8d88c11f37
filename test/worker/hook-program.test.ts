/**
 * The worker's hook script and the hook program behind it (src/worker/hook-program.ts), with real files,
 * real processes and the built CLI: an agent's hook event does not start the agent-team CLI, yet it
 * writes the very line `agent-team worker event` writes, under the same lock (no line lost when both
 * write at once), and it never fails the agent (exit 0, the problem in hook.log, nothing written).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/store/lock.js';
import { createWorker } from '../../src/worker/create.js';
import { hookScriptPath, writeHookScript } from '../../src/worker/events.js';
import { cli, cliAsync } from '../helpers/cli.js';
import { makeProject, type Project } from './support.js';

// One project and worker for the file (made in-process: `worker create` is not what is tested here);
// each test starts from the worker's folder as `worker create` left it.
let project: Project;
let workerYaml: string;
beforeAll(async () => {
  project = makeProject();
  await createWorker(project.root, 'dev', { provider: 'scripted', env: { ...process.env, AGENT_TEAM_HOME: project.home } });
  workerYaml = readFileSync(join(project.root, '.agents/workers/dev-001/worker.yaml'), 'utf8');
});
afterAll(() => project?.cleanup());

/** Worker dev-001 as created (no events, no hook.log, files of earlier tests removed) with its hook script written. */
function setUp(): { hook: string; events: string; log: string } {
  const dir = join(project.root, '.agents/workers/dev-001');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'worker.yaml'), workerYaml);
  for (const name of ['ran.txt', 'preload.cjs', 'started.txt']) rmSync(join(project.home, name), { force: true });
  writeHookScript(project.root, 'dev-001');
  return { hook: hookScriptPath(project.root, 'dev-001'), events: join(dir, 'events.jsonl'), log: join(dir, 'hook.log') };
}

/** Runs the hook script as an agent does: `hook <event> [arg]`, the payload on stdin. */
function runHook(hook: string, args: string[], payload = '', env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string } {
  const r = spawnSync(hook, args, { input: payload, encoding: 'utf8', env });
  return { code: r.status ?? -1, stdout: r.stdout };
}

function readLines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the worker hook script', () => {
  it('records an event without starting the agent-team CLI: the node process it starts runs the hook program', () => {
    const { hook, events } = setUp();
    // every node process the hook starts appends the script it runs (argv[1]) to `ran`
    const ran = join(project.home, 'ran.txt');
    const preload = join(project.home, 'preload.cjs');
    writeFileSync(preload, `require('node:fs').appendFileSync(${JSON.stringify(ran)}, process.argv[1] + '\\n');\n`);
    const r = runHook(hook, ['session-start'], JSON.stringify({ session_id: 'abc' }), { ...process.env, NODE_OPTIONS: `--require ${preload}` });
    expect(r).toEqual({ code: 0, stdout: '' });
    expect(readFileSync(ran, 'utf8').trim().split('\n')).toEqual([expect.stringMatching(/\/dist\/worker\/hook-program\.js$/)]);
    expect(readLines(events)).toEqual([expect.objectContaining({ event: 'session-start', session_id: 'abc' })]);
  });

  it('writes the same line as `agent-team worker event` for the same payload', () => {
    const { hook, events } = setUp();
    const payload = JSON.stringify({ session_id: 's-1', hook_event_name: 'Notification', notification_type: 'permission_prompt', prompt: 'secret plan', transcript_path: '/t', message: 'x'.repeat(600) });
    expect(runHook(hook, ['notification'], payload).code).toBe(0);
    const viaCli = cli(['worker', 'event', 'dev-001', 'notification'], { cwd: project.root, input: payload });
    expect(viaCli.code, viaCli.stderr).toBe(0);
    const [fromHook, fromCli] = readLines(events);
    expect(fromHook).toEqual({ ...fromCli, at: fromHook?.at });
    expect(fromHook).toMatchObject({ session_id: 's-1', data: { notification_type: 'permission_prompt', prompt_chars: 11 } });
    expect(JSON.stringify(fromHook)).not.toContain('secret plan');
  });

  it('takes the payload from its second argument (codex notify) as from stdin', () => {
    const { hook, events } = setUp();
    expect(runHook(hook, ['turn-end', JSON.stringify({ type: 'agent-turn-complete', thread_id: 't-9' })]).code).toBe(0);
    expect(readLines(events)).toEqual([expect.objectContaining({ event: 'turn-end', session_id: 't-9' })]);
  });

  it('shares the events file lock with `agent-team worker event`: 12 hooks and 12 CLI runs at once, no line lost', async () => {
    const { hook, events } = setUp();
    const hookRun = (i: number) =>
      new Promise<number>((resolve) => {
        const child = spawn(hook, ['prompt-submit'], { stdio: ['pipe', 'ignore', 'ignore'] });
        child.on('close', (code) => resolve(code ?? -1));
        child.stdin.end(JSON.stringify({ session_id: `hook-${i}` }));
      });
    const runs = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => hookRun(i)),
      ...Array.from({ length: 12 }, () => cliAsync(['worker', 'event', 'dev-001', 'turn-end', '--root', project.root], { cwd: '/' }).then((r) => r.code)),
    ]);
    expect(runs).toEqual(Array(24).fill(0));
    const lines = readLines(events);
    expect(lines).toHaveLength(24);
    expect(lines.filter((l) => l.event === 'prompt-submit').map((l) => l.session_id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `hook-${i}`).sort());
    expect(lines.filter((l) => l.event === 'turn-end')).toHaveLength(12);
  });

  it("dates its line when the agent ran the hook, not when the lock let it append (a late line of a killed agent is older than the next launch)", async () => {
    const { hook, events } = setUp();
    const started = join(project.home, 'started.txt');
    const preload = join(project.home, 'preload.cjs');
    writeFileSync(preload, `require('node:fs').writeFileSync(${JSON.stringify(started)}, 'x');\n`);
    let releasedAt = 0;
    let child: ReturnType<typeof spawn> | undefined;
    // the promise is wrapped: withFileLock would await a returned promise while holding the lock
    const { done } = await withFileLock(events, async () => {
      child = spawn(hook, ['session-end'], { stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, NODE_OPTIONS: `--require ${preload}` } });
      const closed = new Promise<number>((resolve) => child?.on('close', (code) => resolve(code ?? -1)));
      child.stdin?.end(JSON.stringify({ session_id: 'late' }));
      // the hook program has started (and waits for this lock)
      for (let i = 0; i < 400 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(started)).toBe(true);
      releasedAt = Date.now();
      return { done: closed };
    });
    expect(await done).toBe(0);
    const [line] = readLines(events);
    expect(line).toMatchObject({ event: 'session-end', session_id: 'late' });
    expect(Date.parse(String(line?.at))).toBeLessThanOrEqual(releasedAt);
  });

  it("records the event even when the agent's process group is signalled while the hook runs (gemini killed during its SessionStart hook)", async () => {
    const { hook, events } = setUp();
    const started = join(project.home, 'started.txt');
    const preload = join(project.home, 'preload.cjs');
    writeFileSync(preload, `require('node:fs').writeFileSync(${JSON.stringify(started)}, 'x');\n`);
    // the hook runs in the agent's process group (here: its own group, as the agent's pane gives it one);
    // the agent is killed the way a person or test:providers kills it: SIGTERM, then SIGINT and SIGHUP, to the group
    const { done } = await withFileLock(events, async () => {
      const child = spawn(hook, ['session-start'], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: { ...process.env, NODE_OPTIONS: `--require ${preload}` } });
      const closed = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? String(signal))));
      child.stdin?.end(JSON.stringify({ session_id: 'sess-1', hook_event_name: 'SessionStart' }));
      for (let i = 0; i < 400 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(started)).toBe(true);
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.kill(-(child.pid as number), signal);
      return { done: closed };
    });
    expect(await done).toBe(0);
    // the hook program may still append after its shell is gone: wait for its line, bounded
    for (let i = 0; i < 400 && !existsSync(events); i++) await new Promise((r) => setTimeout(r, 25));
    expect(readLines(events)).toEqual([expect.objectContaining({ event: 'session-start', session_id: 'sess-1' })]);
  });

  it('never fails the agent: an unknown event or a deleted worker exits 0, writes nothing, and says why in hook.log', () => {
    const { hook, events, log } = setUp();
    expect(runHook(hook, ['sneeze'])).toEqual({ code: 0, stdout: '' });
    expect(readFileSync(log, 'utf8')).toMatch(/unknown worker event "sneeze"; known events: launch, session-start/);
    rmSync(join(project.root, '.agents/workers/dev-001/worker.yaml'));
    expect(runHook(hook, ['turn-end'])).toEqual({ code: 0, stdout: '' });
    expect(readFileSync(log, 'utf8')).toMatch(/no worker\.yaml next to .*events\.jsonl .*turn-end not recorded/);
    expect(() => readFileSync(events)).toThrow();
  });
});
