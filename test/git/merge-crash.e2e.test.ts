/**
 * Merges stopped by a crash (userplay report, session 4, findings 2, 7 and 8), with real repositories, the
 * built CLI and real SIGKILLs at a precise point: a pre-merge-commit hook that, when armed, writes git's
 * pid and blocks on a FIFO, so the test kills exactly while git is between writing the merge and
 * committing it (then lets git finish, or kills it too). No sleeps: every wait is for a file or a pid.
 * - 2: a merge train killed mid-merge leaves `agent-team/integration/<node>` and its worktree; the next
 *   train removes them (owner gone) with a warning; `doctor` lists them and `doctor --fix` removes them.
 * - 7: the CLI killed, git finishing the merge: the merge node completes as found merged, not asked again.
 * - 8: `worker merge` killed with git: staged changes, no MERGE_HEAD; the next merge and `doctor` name the
 *   interrupted merge and `git reset --merge`, never "commit them"; `doctor --fix` undoes it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/session/wait.js';
import { BIN, cli } from '../helpers/cli.js';
import { git, tempDir, tempRepo, writeFile } from '../helpers/repo.js';
import { pidRunning } from '../../src/session/proc-info.js';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

/** A project: a real repository with role `dev`, `.agents/` ignored, and an agent-team home of its own. */
function project() {
  const repo = tempRepo();
  const home = tempDir();
  cleanups.push(repo.cleanup, home.cleanup);
  const root = repo.dir;
  const env = { AGENT_TEAM_HOME: home.dir, AGENT_TEAM_BACKEND: 'process' };
  writeFile(root, '.gitignore', '.agents/\n');
  git(root, 'add', '.gitignore');
  git(root, 'commit', '-q', '-m', 'ignore agent-team files');
  const run = (args: string[]) => cli(args, { cwd: root, env });
  expect(run(['role', 'create', 'dev', '--json']).code).toBe(0);
  return { root, env, run };
}

/** `team/<id>` off main with one commit writing `files`. */
function workerBranch(root: string, id: string, files: Record<string, string>): void {
  git(root, 'branch', `team/${id}`, 'main');
  git(root, 'switch', '-q', `team/${id}`);
  for (const [path, text] of Object.entries(files)) writeFile(root, path, text);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', `${id} work`);
  git(root, 'switch', '-q', 'main');
}

/**
 * The repository's pre-merge-commit hook (shared by every worktree): once armed, the next merge commit
 * writes git's pid and waits on a FIFO. `gitPid()` resolves when git is held there; `release()` lets it go on.
 */
function blockingHook(root: string) {
  const dir = join(root, '.git');
  const fifo = join(dir, 'test-release.fifo');
  const armed = join(dir, 'test-armed');
  const pidFile = join(dir, 'test-git.pid');
  execFileSync('mkfifo', [fifo]);
  writeFileSync(join(dir, 'hooks', 'pre-merge-commit'), `#!/bin/sh\n[ -e '${armed}' ] || exit 0\nrm -f '${armed}'\necho $PPID > '${pidFile}.tmp' && mv '${pidFile}.tmp' '${pidFile}'\nread line < '${fifo}'\n`, { mode: 0o755 });
  return {
    arm: () => writeFileSync(armed, ''),
    gitPid: async () => {
      await waitFor(() => existsSync(pidFile), { timeoutMs: 60_000, intervalMs: 20, description: 'git to reach the pre-merge-commit hook' });
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      // the whole group, also when its leader has exited (a zombie) and the hook still runs
      cleanups.push(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      });
      return pid;
    },
    release: () => writeFileSync(fifo, 'go\n'),
  };
}

/** Spawns the built CLI as a process-group leader (a shell job), to SIGKILL the whole group. */
function spawnCli(args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, detached: true, stdio: 'ignore' });
  const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { pid: child.pid as number, done };
}

const integrationBranches = (root: string) => git(root, 'branch', '--list', 'agent-team/integration/*', '--format=%(refname:short)');
const worktrees = (root: string) => git(root, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '));

const FORK_TRAIN = `version: 1
name: fork
roles:
  dev: { role: dev }
entry: split
nodes:
  - id: split
    type: controller_task
    task: Split the work
    next: [api, ui]
  - id: api
    type: assign_role_task
    actor: dev
    task: Build the API
    next: integrate
  - id: ui
    type: assign_role_task
    actor: dev
    task: Build the UI
    next: integrate
  - id: integrate
    type: merge
    actor: dev
    after: [api, ui]
    end: true
`;

/** A fork run whose join is a merge train of team/dev-001 and team/dev-002, killed (with git) while the train merges. */
async function crashedTrain() {
  const p = project();
  const { root, run } = p;
  writeFile(root, '.agents/workflow/fork.yaml', FORK_TRAIN);
  workerBranch(root, 'dev-001', { 'api.txt': 'api\n' });
  workerBranch(root, 'dev-002', { 'ui.txt': 'ui\n' });
  const file = run(['workflow', 'state', 'init', '.agents/workflow/fork.yaml', '--run-id', 'r1', '--json']).json.path as string;
  for (const args of [
    ['complete', file, '--node', 'split'],
    ['start', file, '--node', 'api', '--worker', 'dev-001'],
    ['complete', file, '--node', 'api', '--worker', 'dev-001', '--summary', 'api'],
    ['start', file, '--node', 'ui', '--worker', 'dev-002'],
    ['complete', file, '--node', 'ui', '--worker', 'dev-002', '--summary', 'ui'],
  ]) {
    const r = run(['workflow', 'state', ...args]);
    expect(r.code, r.stderr).toBe(0);
  }
  const main = git(root, 'rev-parse', 'main');
  // the train is shown for approval first (--yes approves only a merge a run stopped at)
  expect(run(['workflow', 'run', file, '--json']).json.stopped).toBe('confirmation');
  const hook = blockingHook(root);
  hook.arm();
  const train = spawnCli(['workflow', 'run', file, '--yes', '--json'], root, p.env);
  const gitPid = await hook.gitPid();
  process.kill(-train.pid, 'SIGKILL');
  process.kill(-gitPid, 'SIGKILL'); // git and the hook: nothing finishes the integration
  await train.done;
  await waitFor(() => !pidRunning(gitPid), { timeoutMs: 10_000, intervalMs: 20, description: 'git to die' });
  // the crash left the train's scratch behind, main untouched
  expect(integrationBranches(root)).toBe('agent-team/integration/integrate');
  expect(worktrees(root)).toHaveLength(2);
  expect(git(root, 'rev-parse', 'main')).toBe(main);
  return { ...p, file, main };
}

function expectTrainMerged(root: string, main: string) {
  expect(git(root, 'rev-parse', 'main')).not.toBe(main);
  expect(git(root, 'ls-files')).toMatch(/api\.txt[\s\S]*ui\.txt/);
  expect(integrationBranches(root)).toBe('');
  expect(worktrees(root)).toHaveLength(1);
}

describe('finding 2: a merge train killed mid-merge', () => {
  it('the next train removes the leftover integration branch and worktree (owner gone), says so, and merges', { timeout: 120_000 }, async () => {
    const { root, run, file, main } = await crashedTrain();
    const again = run(['workflow', 'run', file, '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.run_status).toBe('completed');
    const warning = again.json.steps.find((s: { action: string }) => s.action === 'recover');
    expect(warning?.detail).toMatch(/removed the leftover integration branch agent-team\/integration\/integrate and its worktree .*(crash|killed)/);
    expect(again.stderr).toContain('agent-team/integration/integrate');
    expectTrainMerged(root, main);
  });

  it('doctor lists the leftover, doctor --fix removes it, and the run then merges', { timeout: 120_000 }, async () => {
    const { root, run, file, main } = await crashedTrain();
    const found = run(['doctor', '--json']);
    expect(found.code).toBe(1);
    const finding = found.json.findings.find((f: { kind: string }) => f.kind === 'leftover_integration');
    expect(finding).toMatchObject({ path: 'agent-team/integration/integrate', fixable: true });
    expect(finding.message).toMatch(/left by a merge train that was killed/);
    const fixed = run(['doctor', '--fix', '--json']);
    expect(fixed.json.findings.find((f: { kind: string }) => f.kind === 'leftover_integration')).toMatchObject({ fixed: true });
    expect(integrationBranches(root)).toBe('');
    expect(worktrees(root)).toHaveLength(1);
    expect(run(['doctor', '--json']).json.findings.filter((f: { kind: string }) => f.kind === 'leftover_integration')).toEqual([]);
    const again = run(['workflow', 'run', file, '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.steps.some((s: { action: string }) => s.action === 'recover')).toBe(false);
    expectTrainMerged(root, main);
  });
});

const SINGLE_MERGE = `version: 1
name: ship
roles:
  dev: { role: dev }
entry: impl
nodes:
  - id: impl
    type: assign_role_task
    actor: dev
    task: Build it
    next: merge_code
  - id: merge_code
    type: merge
    actor: dev
    end: true
`;

describe('finding 7: the CLI killed while git merges; git finishes the merge', () => {
  it('the merge node completes as found merged instead of asking to approve it again', { timeout: 120_000 }, async () => {
    const p = project();
    const { root, run } = p;
    writeFile(root, '.agents/workflow/ship.yaml', SINGLE_MERGE);
    expect(run(['worker', 'create', 'dev', '--json']).json.worker_id).toBe('dev-001');
    workerBranch(root, 'dev-001', { 'feature.txt': 'feature\n' });
    const file = run(['workflow', 'state', 'init', '.agents/workflow/ship.yaml', '--run-id', 'r1', '--json']).json.path as string;
    expect(run(['workflow', 'state', 'start', file, '--node', 'impl', '--worker', 'dev-001']).code).toBe(0);
    expect(run(['workflow', 'state', 'complete', file, '--node', 'impl', '--worker', 'dev-001', '--summary', 'built']).code).toBe(0);
    // the merge is shown for approval first (--yes approves only a merge a run stopped at)
    expect(run(['workflow', 'run', file, '--json']).json.stopped).toBe('confirmation');
    const hook = blockingHook(root);
    hook.arm();
    const merging = spawnCli(['workflow', 'run', file, '--yes', '--json'], root, p.env);
    const gitPid = await hook.gitPid();
    process.kill(-merging.pid, 'SIGKILL'); // agent-team only: git runs on in its own group
    await merging.done;
    hook.release();
    await waitFor(() => !pidRunning(gitPid), { timeoutMs: 30_000, intervalMs: 20, description: 'git to finish the merge' });
    expect(git(root, 'merge-base', '--is-ancestor', 'team/dev-001', 'main')).toBe(''); // merged
    expect(git(root, 'status', '--porcelain')).toBe('');

    const next = run(['workflow', 'state', 'next', file, '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.json.kind).not.toBe('confirm');
    expect(next.json.message).toMatch(/team\/dev-001 is already merged into main/);
    expect(next.json.commands.at(-1)).toMatch(/^agent-team workflow state complete \S+ --node merge_code --worker dev-001 --summary '.*found merged/);

    const head = git(root, 'rev-parse', 'main');
    const done = run(['workflow', 'run', file, '--json']); // no --yes: nothing is merged, only recorded
    expect(done.code, done.stderr).toBe(0);
    expect(done.json.run_status).toBe('completed');
    expect(git(root, 'rev-parse', 'main')).toBe(head);
    const state = run(['workflow', 'state', 'show', file, '--json']).json;
    expect(state.node_states.merge_code).toMatchObject({ status: 'completed', worker: 'dev-001' });
    expect(state.node_states.merge_code.summary).toMatch(/found merged/);
    expect(state.decision_log.at(-1)).toMatchObject({ node: 'merge_code', action: 'complete' });
  });
});

describe('finding 8: worker merge killed together with git', () => {
  const markers = (root: string) => readdirSync(join(root, '.git')).filter((n) => n.startsWith('agent-team-merge'));

  it('the next merge and doctor name the interrupted merge and git reset --merge; doctor --fix undoes it', { timeout: 120_000 }, async () => {
    const p = project();
    const { root, run } = p;
    workerBranch(root, 'dev-001', { 'README.md': '# changed by dev-001\n', 'one.txt': 'one\n' });
    workerBranch(root, 'dev-002', { 'two.txt': 'two\n' });
    const before = git(root, 'rev-parse', 'HEAD');
    const hook = blockingHook(root);
    hook.arm();
    const merging = spawnCli(['worker', 'merge', 'dev-001', '--json'], root, p.env);
    const gitPid = await hook.gitPid();
    process.kill(-merging.pid, 'SIGKILL');
    process.kill(-gitPid, 'SIGKILL');
    await merging.done;
    await waitFor(() => !pidRunning(gitPid), { timeoutMs: 10_000, intervalMs: 20, description: 'git to die' });
    // the half merge: staged changes, HEAD unchanged, no MERGE_HEAD
    expect(git(root, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(root, 'status', '--porcelain')).toMatch(/^M {2}README\.md$/m);
    expect(existsSync(join(root, '.git', 'MERGE_HEAD'))).toBe(false);
    const index = git(root, 'write-tree');

    const next = run(['worker', 'merge', 'dev-002', '--json']);
    expect(next.code).toBe(1);
    expect(next.json.error.code).toBe('interrupted_merge');
    expect(next.json.error.message).toMatch(/an interrupted merge of team\/dev-001 left staged changes \(README\.md, one\.txt\)/);
    expect(next.json.error.message).not.toMatch(/commit or stash/);
    expect(next.json.error.hint).toMatch(/git reset --merge/);
    expect(next.stderr).toMatch(/try: git reset --merge|hint: .*git reset --merge/);
    expect(git(root, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(root, 'write-tree')).toBe(index); // refused: nothing changed

    const found = run(['doctor', '--json']);
    expect(found.code).toBe(1);
    const finding = found.json.findings.find((f: { kind: string }) => f.kind === 'interrupted_merge');
    expect(finding).toMatchObject({ fixable: true });
    expect(finding.message).toMatch(/interrupted merge of team\/dev-001 left staged changes/);
    expect(finding.fix).toMatch(/git reset --merge/);

    const fixed = run(['doctor', '--fix', '--json']);
    expect(fixed.json.findings.find((f: { kind: string }) => f.kind === 'interrupted_merge')).toMatchObject({ fixed: true });
    expect(git(root, 'status', '--porcelain')).toBe('');
    expect(git(root, 'rev-parse', 'HEAD')).toBe(before);
    expect(markers(root)).toEqual([]);

    for (const id of ['dev-002', 'dev-001']) {
      const r = run(['worker', 'merge', id, '--json']);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(git(root, 'ls-files')).toMatch(/one\.txt[\s\S]*two\.txt/);
    expect(markers(root), 'the marker goes when a merge ends').toEqual([]);
  });

  it('while a merge runs, another merge says so (not "commit them") and doctor reports no interrupted merge', { timeout: 120_000 }, async () => {
    const p = project();
    const { root, run } = p;
    workerBranch(root, 'dev-001', { 'one.txt': 'one\n' });
    workerBranch(root, 'dev-002', { 'two.txt': 'two\n' });
    const hook = blockingHook(root);
    hook.arm();
    const merging = spawnCli(['worker', 'merge', 'dev-001', '--json'], root, p.env);
    const gitPid = await hook.gitPid(); // held before its commit, agent-team and git alive
    const other = run(['worker', 'merge', 'dev-002', '--json']);
    expect(other.code).toBe(1);
    expect(other.json.error.code).toBe('merge_running');
    expect(other.json.error.message).toMatch(/a merge of team\/dev-001 is running/);
    expect(other.json.error.message).not.toMatch(/commit or stash/);
    expect(run(['doctor', '--json']).json.findings.filter((f: { kind: string }) => f.kind === 'interrupted_merge')).toEqual([]);
    hook.release();
    await merging.done;
    await waitFor(() => !pidRunning(gitPid), { timeoutMs: 30_000, intervalMs: 20, description: 'git to finish' });
    expect(git(root, 'merge-base', '--is-ancestor', 'team/dev-001', 'main')).toBe('');
    expect(markers(root)).toEqual([]);
    expect(run(['worker', 'merge', 'dev-002', '--json']).code).toBe(0);
  });

  it('a merge that ends, merged or refused for a conflict, leaves no marker behind', () => {
    const { root, run } = project();
    workerBranch(root, 'dev-001', { 'README.md': '# one\n' });
    workerBranch(root, 'dev-002', { 'README.md': '# two\n' });
    expect(run(['worker', 'merge', 'dev-001', '--json']).code).toBe(0);
    const conflict = run(['worker', 'merge', 'dev-002', '--json']);
    expect(conflict.json.error.code).toBe('merge_conflict');
    expect(markers(root)).toEqual([]);
    expect(run(['doctor', '--json']).json.findings).toEqual([]);
  });
});
