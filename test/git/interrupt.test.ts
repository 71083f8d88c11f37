/**
 * Issue 11 item 7 (git and check half). A Ctrl-C (SIGINT to the whole process group) or a SIGKILL during a
 * large `worker merge` leaves the merge completed or fully undone: no stray files, no stale MERGE_HEAD
 * (git runs in its own process group, its output never goes to a pipe that can break). A check command
 * dies with the `workflow run` that started it, even when that run is SIGKILLed, and the next run reports
 * the unfinished check instead of running it again. Real repositories, the built CLI, real signals.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/session/wait.js';
import { runCheckCommand } from '../../src/workflow/check-command.js';
import { BIN, cli } from '../helpers/cli.js';
import { git, tempDir, tempRepo, writeFile } from '../helpers/repo.js';
import { readRun } from '../workflow/support.js';
import { pidRunning } from '../../src/session/proc-info.js';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

/** Pids of the processes whose working folder is `dir` (Linux /proc), e.g. a git that outlived agent-team. */
function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) === dir) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Spawns the built CLI as the leader of a new process group (like a shell job), so a signal can go to the whole group. */
function spawnCli(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/**
 * Resolves as soon as `path` exists, told by inotify (fs.watch) on its folder, so a signal lands while git
 * is still writing files, without a busy poll competing with git for the CPU. Missing folders on the way
 * are waited for the same way.
 */
async function whenExists(path: string, timeoutMs = 30_000): Promise<void> {
  if (existsSync(path)) return;
  const dir = dirname(path);
  if (!existsSync(dir)) await whenExists(dir, timeoutMs);
  await new Promise<void>((resolve, reject) => {
    const watcher = watch(dir, () => existsSync(path) && finish());
    const timer = setTimeout(() => finish(new Error(`${path} did not appear`)), timeoutMs);
    function finish(err?: Error) {
      watcher.close();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    }
    if (existsSync(path)) finish(); // made before the watch began
  });
}

const FILES = 4000;

/**
 * A repository whose branch team/dev-001 adds FILES files under bulk/, made by one `git fast-import` (the
 * files never touch the worktree: only the merge under test writes them there).
 */
function bigBranch(): { dir: string; before: string; tip: string; cleanup: () => void } {
  const repo = tempRepo();
  const { dir } = repo;
  let stream = 'commit refs/heads/team/dev-001\ncommitter Test <test@example.com> 1700000000 +0000\ndata 10\nmany files\nfrom refs/heads/main\n';
  for (let i = 0; i < FILES; i++) {
    const content = `file ${i}\n`;
    stream += `M 100644 inline bulk/${String(i).padStart(4, '0')}.txt\ndata ${content.length}\n${content}`;
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: `${stream}\n` });
  return { dir, before: git(dir, 'rev-parse', 'HEAD'), tip: git(dir, 'rev-parse', 'team/dev-001'), cleanup: repo.cleanup };
}

/** The merge either happened completely or not at all: no stray files, no merge state left behind. */
function expectWholeOrNothing(dir: string, before: string, tip: string): 'merged' | 'undone' {
  expect(git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  expect(existsSync(join(dir, '.git', 'MERGE_HEAD'))).toBe(false);
  expect(existsSync(join(dir, '.git', 'index.lock'))).toBe(false);
  const head = git(dir, 'rev-parse', 'HEAD');
  if (head === before) return 'undone';
  expect(git(dir, 'rev-list', '--parents', '-n', '1', 'HEAD').split(' ').slice(1)).toEqual([before, tip]);
  return 'merged';
}

describe('an interrupted worker merge is completed or fully undone', () => {
  // One repository for both tests: every round ends by resetting it to `before`, and the next round (the
  // other test's too) shows the repository is reusable after an interrupted merge.
  let big: ReturnType<typeof bigBranch>;
  beforeAll(() => {
    big = bigBranch();
  });
  afterAll(() => big?.cleanup());
  // each test starts from `before`, even when the other one failed halfway
  beforeEach(() => {
    git(big.dir, 'reset', '-q', '--hard', big.before);
    git(big.dir, 'clean', '-q', '-fdx');
  });

  it('Ctrl-C to the process group while git writes the files, twice', { timeout: 300_000 }, async () => {
    const { dir, before, tip } = big;
    // Twice, not more: each round merges and resets 4,000 files; a second round shows the repository is
    // reusable after an interrupted merge (the property itself is checked every round).
    for (let i = 0; i < 2; i++) {
      const { child, done } = spawnCli(['worker', 'merge', 'dev-001', '--json'], dir);
      await whenExists(join(dir, 'bulk', '0000.txt'));
      process.kill(-(child.pid as number), 'SIGINT');
      const r = await done;
      const result = expectWholeOrNothing(dir, before, tip);
      expect([0, 130], r.stderr).toContain(r.code);
      git(dir, 'reset', '-q', '--hard', before);
      expect(result === 'merged' || result === 'undone').toBe(true);
    }
  });

  it('SIGKILL to the process group while git writes the files: git finishes, no stale MERGE_HEAD, twice', { timeout: 300_000 }, async () => {
    const { dir, before, tip } = big;
    for (let i = 0; i < 2; i++) {
      const { child, done } = spawnCli(['worker', 'merge', 'dev-001', '--json'], dir);
      await whenExists(join(dir, 'bulk', '0000.txt'));
      process.kill(-(child.pid as number), 'SIGKILL');
      await done;
      // git runs on in its own group: wait (bounded) until no process works in the repository any more
      await waitFor(() => processesIn(dir).length === 0, { timeoutMs: 60_000, intervalMs: 50, description: 'git to finish the merge' });
      expectWholeOrNothing(dir, before, tip);
      git(dir, 'reset', '-q', '--hard', before);
    }
  });
});

describe('check commands die with the workflow run that started them', () => {
  const TEMPLATE = `version: 1
name: checks
roles:
  qa: { role: qa }
entry: check
nodes:
  - id: check
    type: controller_task
    task: Run the slow check
    command: "echo run >> count.txt; if [ ! -f release ]; then sleep 300 & echo $! > bg.pid; echo $$ > sh.pid; wait; fi"
    end: true
`;

  it('SIGKILL of workflow run kills the check and what it started; the next run reports it instead of rerunning; --rerun-check reruns', { timeout: 180_000 }, async () => {
    const repo = tempRepo();
    const home = tempDir();
    cleanups.push(repo.cleanup, home.cleanup);
    const root = repo.dir;
    writeFile(root, '.agents/workflow/checks.yaml', TEMPLATE);
    writeFile(root, '.gitignore', '.agents/workflow/runs/\ncount.txt\n*.pid\nrelease\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'template');
    const env = { AGENT_TEAM_HOME: home.dir, AGENT_TEAM_BACKEND: 'process' };
    expect(cli(['trust'], { cwd: root, env }).code).toBe(0);
    const state = cli(['workflow', 'state', 'init', '.agents/workflow/checks.yaml', '--run-id', 'r1', '--json'], { cwd: root, env }).json.path as string;

    const { child, done } = spawnCli(['workflow', 'run', state, '--json'], root, env);
    await waitFor(() => existsSync(join(root, 'bg.pid')) && existsSync(join(root, 'sh.pid')), { timeoutMs: 30_000, intervalMs: 20, description: 'the check to start' });
    const pids = ['bg.pid', 'sh.pid'].map((f) => Number(readFileSync(join(root, f), 'utf8').trim()));
    cleanups.push(() => pids.forEach((p) => pidRunning(p) && process.kill(p, 'SIGKILL')));
    process.kill(child.pid as number, 'SIGKILL'); // the runner only, as an OOM killer or `kill -9 <pid>` would
    await done;
    await waitFor(() => pids.every((p) => !pidRunning(p)), { timeoutMs: 15_000, intervalMs: 50, description: 'the check processes to die' });

    // the run-state recorded the check as running (the runner died before it finished)
    expect(readRun(state).node_states.check.check).toMatchObject({ command: expect.stringContaining('echo run') });
    const again = cli(['workflow', 'run', state, '--json'], { cwd: root, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.stopped).toBe('decision');
    expect(again.json.why).toContain('did not finish');
    expect(again.json.why).toContain('--rerun-check');
    expect(readFileSync(join(root, 'count.txt'), 'utf8')).toBe('run\n');

    writeFileSync(join(root, 'release'), '');
    const rerun = cli(['workflow', 'run', state, '--rerun-check', '--json'], { cwd: root, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.json.run_status).toBe('completed');
    expect(readFileSync(join(root, 'count.txt'), 'utf8')).toBe('run\nrun\n');
    expect(readRun(state).node_states.check.check).toBeUndefined();
  });

  it('a timeout kills the whole process group of the check', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const result = await runCheckCommand('sleep 300 & echo $! > bg.pid; sleep 300', dir.dir, 1500);
    expect(result.timedOut).toBe(true);
    expect(result.passed).toBe(false);
    const bg = Number(readFileSync(join(dir.dir, 'bg.pid'), 'utf8').trim());
    cleanups.push(() => pidRunning(bg) && process.kill(bg, 'SIGKILL'));
    await waitFor(() => !pidRunning(bg), { timeoutMs: 10_000, intervalMs: 50, description: 'the background sleep to die' });
  });
});
