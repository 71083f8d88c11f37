/** `worker assign`: bring an idle worker up to date, write the change folder, type the message. */
import { OperationError, UsageError } from '../errors.js';
import { runGit } from '../git/git.js';
import { mergeBranch, updateFrom } from '../git/merge.js';
import { branchExists, currentRef, isAncestor, statusEntries } from '../git/repo.js';
import { changeAnswers, createChange, existingChange, type ChangeAnswer, type CreatedChange } from './changes.js';
import { readWorkerConfig } from './config.js';
import { assertName } from './ids.js';
import { answerLines, assertTypable, assignMessage } from './messages.js';
import { PROMPT_FILES } from './prompt.js';
import { backendFor } from './session.js';
import { workerSkillDir } from './skill-install.js';
import { liveness, openWorker, prepareWorktree, type OpenedWorker, type OpenWorkerOptions } from './open.js';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { workerPaths } from './paths.js';
import { confirmLaunchTask, deliverAgain, deliverTyped, type Delivery, type Redelivery } from './delivery.js';
import { recordDelivery, undeliveredChange, type DeliveryState } from './delivery-record.js';
import { uninterruptible } from '../store/critical-section.js';
import { DEFAULT_PROVIDER, providerFor } from './providers.js';

/** Options of {@link assignWorker}. `proposal`/`design` are the file contents (the CLI reads files/stdin). */
export interface AssignOptions extends OpenWorkerOptions {
  proposal?: string;
  design?: string;
  /** Extra lines for the message (see messages.ts). */
  extra?: string[];
  /** Bound (ms) on the agent confirming the task (default delivery.ts DELIVERY_BOUND_MS). */
  deliveryTimeoutMs?: number;
  /** Called with the change folder (`.tasks/changes/<name>/`) once it exists, before anything is typed (the controller loop records the assignment here). */
  beforeType?: (change: string) => Promise<void>;
  /** An existing change folder (`.tasks/changes/<name>/`) to give again instead of making a new one (a restarted agent). */
  change?: string;
  /** Branches merged into the worker's branch first (`--builds-on`, a node's `builds_on`): fast-forward, else a merge commit. */
  buildsOn?: string[];
  /**
   * `keep`: when bringing the worker up to the controller's branch conflicts, the worktree stays as it was
   * and the task is given with a warning (a `[resolve]` task asks the worker to do that merge itself);
   * default `throw` (OperationError `update_conflict`).
   */
  onUpdateConflict?: 'throw' | 'keep';
  /** For a new change: answers given on the change it takes over (a reassigned node), kept on it and given with it. */
  answers?: ChangeAnswer[];
}

/**
 * Merges `branches` into the branch checked out in `worktree`, in order: skipped when already contained,
 * fast-forward when possible, else a merge commit. Returns the branches that brought commits. A conflict
 * aborts that merge only (the branches merged before it stay, listed in `details.merged`) and is thrown
 * as OperationError `merge_conflict` naming the files; an unknown branch as OperationError `unknown_branch`.
 */
export async function buildOn(worktree: string, branches: string[]): Promise<string[]> {
  const merged: string[] = [];
  for (const branch of branches) {
    if (!(await branchExists(worktree, branch.replace(/^refs\/heads\//, '')))) {
      throw new OperationError(`--builds-on ${branch}: no such branch`, { code: 'unknown_branch', hint: 'name a worker branch, e.g. team/dev-001' });
    }
    if (await isAncestor(worktree, branch, 'HEAD')) continue;
    if (await isAncestor(worktree, 'HEAD', branch)) await runGit(worktree, ['merge', '--ff-only', branch]);
    else {
      try {
        await mergeBranch(worktree, branch, { message: `Build on ${branch} (agent-team builds_on)` });
      } catch (err) {
        // only this merge was aborted: the branches merged before it stay, and the message says so
        if (!(err instanceof OperationError) || err.code !== 'merge_conflict' || merged.length === 0) throw err;
        const files = ((err.details?.conflicts as string[] | undefined) ?? []).join(', ');
        throw new OperationError(`merging ${branch} conflicts in ${files}; that merge was aborted (${worktree} keeps ${merged.join(', ')}, merged before it)`, {
          code: 'merge_conflict',
          details: { ...err.details, merged },
          ...(err.hint ? { hint: err.hint } : {}),
          cause: err,
        });
      }
    }
    merged.push(branch);
  }
  return merged;
}

/** What {@link startAfresh} did: the commits (`<short sha> <subject>`) the branch held beyond your branch, and the branch keeping them. */
export interface FreshStart {
  /** Your branch (or commit) the worker's branch now starts from. */
  upstream: string;
  commits: string[];
  /** The backup branch holding the commits (`agent-team-backup/<id>-<YYYYMMDD-HHMMSS>`). */
  backup: string;
  /** False when the branch was left as it was (uncommitted work in the worktree, or git refused): `reason` says why. */
  reset: boolean;
  reason?: string;
}

/**
 * The commits (`<short sha> <subject>`, newest first) `team/<id>` holds that the controller's current
 * branch does not, with that branch; undefined when there are none or the branch does not exist.
 */
export async function carriedCommits(root: string, id: string): Promise<{ upstream: { ref: string; sha: string }; commits: string[] } | undefined> {
  const branch = workerPaths(root, id).branch;
  if (!(await branchExists(root, branch))) return undefined;
  const upstream = await currentRef(root);
  const log = await runGit(root, ['log', '--format=%h %s', `${upstream.sha}..${branch}`], { traced: true });
  const commits = log.split('\n').filter((l) => l.trim() !== '');
  return commits.length ? { upstream, commits } : undefined;
}

/**
 * Starts `team/<id>` afresh from the controller's current branch when it holds commits that branch does
 * not (work of an earlier run, finished or cancelled): those commits are first kept on a new branch
 * `agent-team-backup/<id>-<stamp>` (never a `team/` name, which would read as a worker), then the branch
 * is moved to your branch — in its worktree with `git reset --keep` (refuses rather than lose a change),
 * or with `git branch -f` when it has no worktree. Undefined when the branch holds nothing of its own or
 * does not exist. A worktree with uncommitted work is left as it was (`reset: false`).
 */
export async function startAfresh(root: string, id: string, now = new Date()): Promise<FreshStart | undefined> {
  assertName('worker id', id);
  const paths = workerPaths(root, id);
  const carried = await carriedCommits(root, id);
  if (!carried) return undefined;
  const { upstream, commits } = carried;
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  let backup = `agent-team-backup/${id}-${stamp}`;
  for (let n = 2; await branchExists(root, backup); n++) backup = `agent-team-backup/${id}-${stamp}-${n}`;
  await runGit(root, ['branch', backup, paths.branch]);
  const checkedOut = existsSync(join(paths.worktree, '.git'));
  if (checkedOut && (await statusEntries(paths.worktree)).length > 0) {
    return { upstream: upstream.ref, commits, backup, reset: false, reason: `${id} has uncommitted work` };
  }
  try {
    if (checkedOut) await runGit(paths.worktree, ['reset', '-q', '--keep', upstream.sha]);
    else await runGit(root, ['branch', '-f', paths.branch, upstream.sha]);
  } catch (err) {
    return { upstream: upstream.ref, commits, backup, reset: false, reason: `git refused: ${(err as Error).message.split('\n')[0]}` };
  }
  return { upstream: upstream.ref, commits, backup, reset: true };
}

/** Result of {@link assignWorker}. */
export interface AssignResult {
  id: string;
  change: CreatedChange;
  /** Set when the worker was not running and had to be opened. */
  opened?: OpenedWorker;
  /** How an idle worker was brought up to the controller's branch (`none` when it was busy or current). */
  update: { method: 'none' | 'fast-forward' | 'rebase' | 'skipped-busy'; upstream: string };
  /** The `buildsOn` branches that brought commits. */
  builtOn: string[];
  message: string;
  /** `confirmed` by the agent's events, or only `typed` (a provider without events); see delivery.ts. */
  delivery: Delivery;
  /** Whether the task went on the launch command line (the worker was opened for it). */
  onCommandLine: boolean;
  /** Set when an earlier delivery of this change was cut short (its CLI killed): how it was finished (delivery.ts). */
  redelivery?: Redelivery;
  warnings: string[];
}

/**
 * An `update_conflict` from bringing worker `id` up to `ref` (the controller's branch): undefined when
 * `keep` (the caller goes on without the update), else the error again with `details.branch`
 * (`team/<id>`) and `details.ref`, and a hint naming the way out. Any other error is thrown as it is.
 */
function updateConflict(err: unknown, id: string, ref: string, keep: boolean): undefined {
  if (!(err instanceof OperationError) || err.code !== 'update_conflict') throw err;
  if (keep) return undefined;
  throw new OperationError(err.message, {
    code: 'update_conflict',
    details: { ...err.details, branch: `team/${id}`, ref },
    hint: `${ref} moved and conflicts with team/${id}: have ${ref} merged into team/${id} (git merge ${ref} in its worktree), the files resolved and the merge committed, then assign again; in a workflow run, \`workflow run\` blocks the node and offers [resolve]`,
    cause: err,
  });
}

/**
 * `worker assign`: prepares the worktree; if the worktree is clean (idle worker) brings `team/<id>` up to
 * the controller's branch (fast-forward or rebase; a conflict is aborted and thrown as OperationError
 * `update_conflict`, or `would_overwrite_untracked` when it would replace a file the worktree holds untracked
 * or ignored, before anything is created or typed); creates the change folder; opens the worker
 * when its provider is not running; types the `[New Change Assigned]` message.
 */
export async function assignWorker(root: string, id: string, description: string, options: AssignOptions = {}): Promise<AssignResult> {
  assertName('worker id', id);
  if (description.trim() === '') throw new UsageError('the change description is empty');
  assertTypable('the change description', description);
  const config = readWorkerConfig(root, id);
  const warnings: string[] = [];
  const prepared = await prepareWorktree(root, id, options);
  warnings.push(...prepared.warnings);
  // the code this task builds on comes first: a conflict stops here, before anything is created or typed
  const builtOn = options.buildsOn?.length && !options.change ? await buildOn(prepared.worktree, options.buildsOn) : [];
  const upstream = await currentRef(root);
  let update: AssignResult['update'] = { method: 'skipped-busy', upstream: upstream.ref };
  const dirty = await statusEntries(prepared.worktree);
  if (options.change) {
    update = { method: 'none', upstream: upstream.ref }; // the same change again: the worktree stays as the agent left it
  } else if (dirty.length === 0) {
    // agent-team's own files may be replaced (they are reinstalled below); any other untracked or
    // ignored file the update would overwrite refuses the assignment before anything is created or typed.
    const exempt = [...PROMPT_FILES, '.tasks/', `${workerSkillDir(config.provider || DEFAULT_PROVIDER)}/`];
    const r = await updateFrom(prepared.worktree, upstream.sha, { exempt }).catch((err: unknown) => updateConflict(err, id, upstream.ref, options.onUpdateConflict === 'keep'));
    if (r) {
      update = { method: r.method, upstream: upstream.ref };
      // git may replace ignored files (our prompt files) when the update brings tracked ones: reinstall
      if (r.method !== 'none') await prepareWorktree(root, id, options);
    } else {
      update = { method: 'none', upstream: upstream.ref };
      warnings.push(`${id} was not brought up to ${upstream.ref}: it conflicts with team/${id}; the worktree is as it was`);
    }
  } else {
    warnings.push(`${id} has uncommitted work, so it was not brought up to ${upstream.ref}`);
  }
  const change = options.change ? existingChange(prepared.worktree, options.change) : createChange(prepared.worktree, { description, assignedTo: id, proposal: options.proposal, design: options.design, now: options.now, answers: options.answers });
  // a change given again (or taken over) carries the answers the controller gave on it (change.yaml `answers:`)
  const answers = answerLines(options.change ? changeAnswers(prepared.worktree, change.relativeDir) : (options.answers ?? []));
  const message = assignMessage({ description, changeDir: change.relativeDir, files: change.files, extra: [...(options.extra ?? []), ...answers] });
  await options.beforeType?.(change.relativeDir);

  // Nothing is recorded as assigned unless the agent got the task: the change folder goes on failure.
  try {
    const adapter = providerFor(root, config.provider || DEFAULT_PROVIDER).adapter;
    let opened: OpenedWorker | undefined;
    const live = await liveness(root, config, options);
    let backend = live.backend;
    let paneId = config.pane_id;
    let delivery: Delivery;
    let onCommandLine = false;
    let redelivery: Redelivery | undefined;
    // Recorded before anything is typed, and at each step after (delivery-record.ts): a CLI killed while
    // typing leaves `pending`/`entered`, which the next assign of this change (workflow run) finishes.
    const earlier = options.change && live.alive ? undeliveredChange(root, id, change.relativeDir) : undefined;
    if (earlier?.inProgress) {
      throw new OperationError(`another agent-team command is typing ${change.relativeDir} into ${id} right now; nothing was typed (typing it too would give the task twice)`, {
        code: 'delivery_in_progress',
        hint: `wait for that command to finish, then check: agent-team worker status`,
      });
    }
    const record = (state: DeliveryState | 'typed-in') => recordDelivery(root, id, change.relativeDir, state);
    if (!earlier) record('pending');
    const bounds = { env: options.env, startTimeoutMs: options.startTimeoutMs, deliveryTimeoutMs: options.deliveryTimeoutMs, onTyped: () => record('typed-in'), onEnter: () => record('entered') };
    // An interrupt (Ctrl-C, SIGTERM) while the task is typed waits until it is delivered and recorded
    // (bounded by the start and delivery bounds): a text left in the input box without Enter is lost work.
    const delivered = (deliver: () => Promise<Delivery>) =>
      uninterruptible(async () => {
        const d = await deliver();
        record(d);
        return d;
      });
    if (!live.alive) {
      const launchedAt = Date.now();
      // the worktree was prepared above (its warnings already taken): open does not prepare it again
      opened = await openWorker(root, id, { ...options, task: message, prepared: { ...prepared, warnings: [] } });
      warnings.push(...opened.warnings.filter((w) => !w.includes('needs you')));
      backend = await backendFor(options, opened.backend);
      paneId = opened.paneId;
      onCommandLine = opened.taskOnCommandLine === true;
      if (onCommandLine) record('entered'); // the launch command carried it, Enter included
      const ctx = { root, id, adapter, backend, paneId, ...bounds };
      delivery = await delivered(() => (onCommandLine ? confirmLaunchTask(ctx, launchedAt) : deliverTyped(ctx, message)));
    } else {
      if (!backend) throw new OperationError(`worker ${id} has no pane`);
      const ctx = { root, id, adapter, backend, paneId, ...bounds };
      delivery = await delivered(async () => {
        if (!earlier) return deliverTyped(ctx, message);
        const again = await deliverAgain(ctx, message, { state: earlier.state, startedAtMs: Date.parse(earlier.startedAt), typed: earlier.typed });
        redelivery = again.how;
        return again.delivery;
      });
    }
    if (delivery === 'typed') warnings.push(`${id} runs a provider without events (${config.provider}): the task was typed, but agent-team cannot confirm the agent took it (give the provider \`like: <built-in>\` in .agents/config.yaml if it is one)`);
    return { id, change, opened, update, builtOn, message, delivery, ...(redelivery ? { redelivery } : {}), onCommandLine, warnings };
  } catch (err) {
    // a change folder made for this call goes; one given again (options.change) stays as it was
    if (!options.change) rmSync(change.dir, { recursive: true, force: true });
    throw err;
  }
}
