/**
 * `agent-team doctor`: finds what crashes, kills and hand edits leave behind, explains each finding, and
 * with `fix` repairs what can be repaired without losing anything:
 * - stale locks (owner gone) → removed the way a waiting writer would remove them;
 * - orphan temp files of killed writers (`<file>.<n>`, `<file>.<pid>.<id>.tmp`, `<lock>.<id>.tmp|.stale`)
 *   → removed once no writer can own them (the file's lock is free, the writer's pid is gone, and the
 *   temp file is older than {@link SETTLE_MS});
 * - reserved worker-id folders (`.agents/workers/<id>/` with no worker.yaml, left by a crash or ENOSPC)
 *   → removed after {@link SETTLE_MS};
 * - workers whose worktree was removed by hand → `git worktree prune` and `worktree_created: false`, so
 *   `worker open` makes it again; a removed branch is only reported (its worktree may hold the commits);
 * - a stale `MERGE_HEAD` (the merge is already committed) → MERGE_HEAD/MERGE_MSG/MERGE_MODE removed; a
 *   merge still in progress is only reported;
 * - a merge agent-team made in the controller's checkout that was killed together with git (its marker,
 *   git/merge-marker.ts): staged changes and no MERGE_HEAD → `git reset --merge` when the index is exactly
 *   the merge's result, else only reported (never "commit them": that would record half a merge);
 * - a merge train's integration branch and worktree that no live train owns (the train was killed) →
 *   removed (git/integration.ts: agent-team's own scratch, never the user's work);
 * - panes tagged as a worker's own that worker.yaml does not record (an interrupted `worker open`) →
 *   closed when no agent runs in them; one whose agent runs is only reported (`worker open` adopts it);
 * - a change typed into a worker's agent but never confirmed delivered (the CLI typing it was killed) →
 *   reported with the `worker assign … --change` line that finishes it (typing into a pane is no repair);
 * - runs whose template is missing, invalid, outside the repository or changed since `state init`, and
 *   unreadable run-states → reported (what to restore), never rewritten.
 */
import { existsSync, lstatSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { branchExists, gitDir, isAncestor } from '../git/repo.js';
import { tryGit } from '../git/git.js';
import { leftoverIntegrations, removeLeftover } from '../git/integration.js';
import { interruptedMerge, undoInterruptedMerge, UNDO_HALF_MERGE } from '../git/merge-marker.js';
import { inspectLock, removeStaleLock } from '../store/lock.js';
import { relativeToRoot } from '../store/paths.js';
import { shellQuote } from '../shell-quote.js';
import { listRuns, loadRun } from '../workflow/state-service.js';
import { isWorktreeCreated, readWorkerConfig, updateWorkerConfig } from './config.js';
import { workerPaths, workersDir } from './paths.js';
import { backendFor, paneOwner } from './session.js';
import { strayPanesOrNone } from './stray-panes.js';
import { undeliveredChange } from './delivery-record.js';

/** Leftovers younger than this (ms) may belong to a command still running: left alone. */
export const SETTLE_MS = 60_000;

/** Kinds of finding, each with its own repair (or none). */
export type FindingKind = 'stale_lock' | 'orphan_temp_file' | 'reserved_id_folder' | 'worktree_missing' | 'branch_missing' | 'stale_merge_head' | 'merge_in_progress' | 'interrupted_merge' | 'leftover_integration' | 'stale_pane' | 'template_missing' | 'template_changed' | 'unreadable_run' | 'undelivered_change';

/** One finding: what, where (repository-relative when inside), why it matters, and what fixes it. */
export interface Finding {
  kind: FindingKind;
  path: string;
  message: string;
  /** What `--fix` does about it, or the command the user runs (when --fix cannot do it safely). */
  fix: string;
  /** Whether `doctor --fix` repairs it. */
  fixable: boolean;
  /** Set by a `--fix` run: true when repaired. */
  fixed?: boolean;
  /** Why a repair was not done (it became unsafe, or failed). */
  error?: string;
}

/** Result of {@link runDoctor}. */
export interface DoctorReport {
  root: string;
  findings: Finding[];
}

/** Options of {@link runDoctor}: `fix` repairs what is fixable; `now` (ms) for age checks. */
export interface DoctorOptions {
  fix?: boolean;
  now?: number;
}

/** Examines the project at `root` (and repairs with `fix`). Never throws for one bad file or worker. */
export async function runDoctor(root: string, options: DoctorOptions = {}): Promise<DoctorReport> {
  const now = options.now ?? Date.now();
  const rel = (p: string) => relativeToRoot(root, p);
  const findings: Finding[] = [];
  const repairs = new Map<Finding, () => Promise<void> | void>();
  const add = (f: Omit<Finding, 'fixable'>, repair?: () => Promise<void> | void) => {
    const finding: Finding = { ...f, fixable: repair !== undefined };
    findings.push(finding);
    if (repair) repairs.set(finding, repair);
  };

  // Locks and temp files, in every folder agent-team writes.
  for (const dir of walkFolders(join(root, '.agents'))) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (name.endsWith('.lock') || name.endsWith('.lock.takeover')) {
        let status;
        try {
          status = inspectLock(path);
        } catch {
          continue;
        }
        if (status.kind === 'stale' || (status.kind === 'legacy' && status.stale)) {
          const why = status.kind === 'stale' ? status.why : `an earlier version's lock folder not refreshed for ${Math.round(status.ageMs / 1000)} s`;
          add({ kind: 'stale_lock', path: rel(path), message: `stale lock: ${why}`, fix: 'remove it (no process holds it)' }, () => {
            if (!removeStaleLock(path, status.kind === 'stale' ? status.owner?.token : undefined)) throw new Error('it was taken by a live process meanwhile');
          });
        }
        continue;
      }
      const temp = orphanTemp(dir, name, names, now);
      if (temp) add({ kind: 'orphan_temp_file', path: rel(path), message: `temp file of a killed writer of ${temp}`, fix: 'remove it (the file itself is intact)' }, () => unlinkSync(path));
    }
  }

  // Worker folders, worktrees, branches.
  const workers = workersDir(root);
  for (const id of safeReaddir(workers)) {
    const paths = workerPaths(root, id);
    if (!isFolder(paths.dir)) continue;
    if (!existsSync(paths.config)) {
      if (now - statSync(paths.dir).mtimeMs >= SETTLE_MS) {
        add({ kind: 'reserved_id_folder', path: rel(paths.dir), message: `worker id ${id} was reserved but never got a worker.yaml (a crash, or a full disk)`, fix: 'remove the folder (agent-team worker delete ' + id + ' does the same)' }, () =>
          rmSync(paths.dir, { recursive: true, force: true }),
        );
      }
      continue;
    }
    let config;
    try {
      config = readWorkerConfig(root, id);
    } catch {
      continue; // `worker status` reports unreadable configs
    }
    // Panes tagged as this worker's that worker.yaml does not record (an interrupted `worker open`):
    // they hold the worker's session name, so the next open would stumble on them.
    const backend = await backendFor({}, config.backend).catch(() => undefined);
    const owner = paneOwner(root, id);
    for (const stray of backend ? await strayPanesOrNone(backend, root, id, config.pane_id || undefined) : []) {
      if (!backend) break;
      const running = await backend.isAlive(stray, owner).catch(() => false);
      const what = `worker ${id}: pane ${stray} is tagged as its own but worker.yaml records ${config.pane_id ? `pane ${config.pane_id}` : 'no pane'} (a worker open was interrupted)`;
      if (running) {
        add({ kind: 'stale_pane', path: rel(paths.config), message: `${what}; its agent runs there`, fix: `agent-team worker open ${id} records it, or agent-team worker close ${id} closes it` });
      } else {
        add({ kind: 'stale_pane', path: rel(paths.config), message: `${what}; no agent runs there`, fix: `close it (agent-team worker close ${id} does the same)` }, async () => {
          if (await backend.isAlive(stray, owner)) throw new Error('an agent started in it meanwhile');
          await backend.kill(stray);
        });
      }
    }
    const undelivered = undeliveredChange(root, id);
    if (undelivered && !undelivered.inProgress) {
      const how = undelivered.state === 'entered' ? 'Enter was sent, but the agent never confirmed it' : 'its text may still sit in the agent\'s input box, unsent';
      add({ kind: 'undelivered_change', path: rel(join(paths.worktree, undelivered.change)), message: `worker ${id}: change ${undelivered.change} was never confirmed delivered (the command typing it stopped at ${undelivered.startedAt}; ${how})`, fix: undelivered.fix });
    }
    const hasBranch = await branchExists(root, paths.branch).catch(() => true);
    const hasWorktree = existsSync(join(paths.worktree, '.git'));
    if (isWorktreeCreated(config) && !hasWorktree) {
      add(
        { kind: 'worktree_missing', path: rel(paths.worktree), message: `worker ${id}: its worktree was removed by hand${hasBranch ? ` (branch ${paths.branch} still holds its commits)` : ''}`, fix: `git worktree prune, and mark it to be made again by: agent-team worker open ${id}` },
        async () => {
          await tryGit(root, ['worktree', 'prune']);
          await updateWorkerConfig(root, id, (c) => {
            c.worktree_created = false;
          });
        },
      );
    }
    if (!hasBranch && (hasWorktree || isWorktreeCreated(config))) {
      add({
        kind: 'branch_missing',
        path: paths.branch,
        message: `worker ${id}: branch ${paths.branch} was deleted by hand`,
        fix: hasWorktree ? `recreate it from the worktree: git -C ${rel(paths.worktree)} switch -c ${paths.branch}` : `agent-team worker open ${id} makes a new one`,
      });
    }
  }

  // MERGE_HEAD in the main worktree and every worker worktree.
  const trees = [root, ...safeReaddir(workers).map((id) => workerPaths(root, id).worktree).filter((w) => existsSync(join(w, '.git')))];
  for (const tree of trees) {
    let dir: string;
    try {
      dir = await gitDir(tree);
    } catch {
      continue;
    }
    const mergeHead = join(dir, 'MERGE_HEAD');
    if (!existsSync(mergeHead)) continue;
    const sha = (await tryGit(tree, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])) ?? '';
    const committed = sha !== '' && (await isAncestor(tree, sha, 'HEAD').catch(() => false));
    const unmerged = ((await tryGit(tree, ['ls-files', '-u'])) ?? '').trim() !== '';
    if (committed && !unmerged) {
      add({ kind: 'stale_merge_head', path: rel(mergeHead), message: `${rel(tree) || '.'}: MERGE_HEAD names ${sha.slice(0, 12)}, which HEAD already contains (the merge was committed, then the process was killed)`, fix: 'remove MERGE_HEAD, MERGE_MSG and MERGE_MODE' }, () => {
        for (const f of ['MERGE_HEAD', 'MERGE_MSG', 'MERGE_MODE']) rmSync(join(dir, f), { force: true });
      });
    } else {
      add({ kind: 'merge_in_progress', path: rel(mergeHead), message: `${rel(tree) || '.'}: a merge is in progress${unmerged ? ' with conflicts' : ''} (MERGE_HEAD ${sha.slice(0, 12)})`, fix: `finish it (git -C ${tree} commit) or undo it (git -C ${tree} merge --abort)` });
    }
  }

  // A merge of agent-team's killed half-way with git (staged changes, no MERGE_HEAD; MERGE_HEAD is above).
  const half = await interruptedMerge(root).catch(() => undefined);
  if (half && !half.inProgress) {
    const where = `git -C ${shellQuote(root)} reset --merge`;
    add(
      {
        kind: 'interrupted_merge',
        path: '.',
        message: `an interrupted merge of ${half.what} left staged changes (${half.staged.join(', ')}); HEAD is still ${half.before.slice(0, 12)} and nothing was committed: committing them would record half a merge`,
        fix: half.exact ? `${UNDO_HALF_MERGE} (undoes the half merge; its changes stay on ${half.what}: merge again afterwards)` : `the index holds more than the merge: look with git diff --cached, keep what is yours, then undo the merge: ${where}`,
      },
      half.exact ? () => undoInterruptedMerge(root, half) : undefined,
    );
  }

  // Integration branches and worktrees of merge trains that were killed.
  for (const leftover of await leftoverIntegrations(root)) {
    add({ kind: 'leftover_integration', path: leftover.branch, message: leftover.message, fix: 'remove the worktree (git worktree remove --force) and the branch (git branch -D)' }, () => removeLeftover(root, leftover));
  }

  // Runs: unreadable, template missing or changed.
  for (const run of listRuns(root)) {
    if (run.error) {
      add({ kind: 'unreadable_run', path: run.path, message: run.error, fix: `restore ${run.path} from a backup or version control, or remove it if the run is over` });
      continue;
    }
    if (run.status === 'completed' || run.status === 'cancelled') continue;
    try {
      const loaded = loadRun(join(root, run.path), root);
      if (loaded.templateProblem) {
        add({ kind: 'template_missing', path: run.path, message: `run ${run.run_id}: ${loaded.templateProblem}`, fix: `restore ${loaded.state.workflow_file} (git checkout -- ${loaded.state.workflow_file}), or fix workflow_file in ${run.path}` });
      } else if (loaded.warnings.some((w) => w.includes('changed since'))) {
        add({ kind: 'template_changed', path: run.path, message: `run ${run.run_id}: ${loaded.state.workflow_file} changed since the run was initialised`, fix: `check the change (git log -p -- ${loaded.state.workflow_file}); transitions follow the template as it is now` });
      }
    } catch (err) {
      add({ kind: 'unreadable_run', path: run.path, message: (err as Error).message, fix: `restore ${run.path}` });
    }
  }

  if (options.fix) {
    for (const [finding, repair] of repairs) {
      try {
        await repair();
        finding.fixed = true;
      } catch (err) {
        finding.fixed = false;
        finding.error = (err as Error).message;
      }
    }
  }
  return { root, findings };
}

/** `dir` and every folder below it, not following symlinks, skipping worktrees' own trees. */
function walkFolders(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string, depth: number) => {
    if (depth > 6) return;
    out.push(d);
    for (const e of safeReaddirEntries(d)) if (e.isDirectory() && !e.name.endsWith('.lock')) visit(join(d, e.name), depth + 1);
  };
  if (isFolder(dir)) visit(dir, 0);
  return out;
}

/**
 * The file `name` (in `dir`, whose entries are `names`) is a temp file of, when it is an orphan: a
 * write-file-atomic temp `<file>.<digits>`, ours `<file>.<pid>.<id>.tmp` (pid gone), a lock's
 * `<lock>.<id>.tmp|.stale` — only when older than {@link SETTLE_MS} and no live process holds the lock
 * of the file it belongs to.
 */
function orphanTemp(dir: string, name: string, names: string[], now: number): string | undefined {
  let target: string | undefined;
  let pid: number | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(.+)\.(\d+)\.[A-Za-z0-9_-]{6,}\.tmp$/.exec(name))) {
    target = m[1];
    pid = Number(m[2]);
  } else if ((m = /^(.+\.lock(?:\.takeover)?)\.[A-Za-z0-9_-]{6,}\.(?:tmp|stale)$/.exec(name))) target = m[1];
  else if ((m = /^(.+\.(?:ya?ml|jsonl?|lock))\.(\d{1,10})$/.exec(name)) && names.includes(m[1] as string)) target = m[1];
  if (!target) return undefined;
  const path = join(dir, name);
  try {
    const st = lstatSync(path);
    if (!st.isFile() || now - st.mtimeMs < SETTLE_MS) return undefined;
  } catch {
    return undefined;
  }
  if (pid !== undefined && pidAlive(pid)) return undefined;
  const base = target.replace(/\.lock(?:\.takeover)?$/, '');
  try {
    if (inspectLock(join(dir, `${base}.lock`)).kind === 'held') return undefined;
  } catch {
    return undefined;
  }
  return target;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeReaddirEntries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
