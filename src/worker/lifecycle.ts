/**
 * Worker lifecycle: create (config only), open (worktree, role prompt, pane, launch command), assign (a
 * change folder and a message), status, merge, close and delete. Every function takes the repository
 * root and returns data; errors are typed (UsageError exit 2 for bad names/providers, OperationError
 * exit 1 for refusals, conflicts and missing panes). No fixed sleeps: pane readiness comes from the
 * backend's `spawn`, provider start-up from a bounded {@link waitFor}.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { OperationError, UsageError } from '../errors.js';
import { mergeBranch, updateFrom, type MergeResult } from '../git/merge.js';
import {
  aheadBehind,
  branchExists,
  commitsMatching,
  countCommits,
  currentRef,
  diffPathsMatching,
  listBranches,
  mergeBase,
  pathsTouched,
  statusEntries,
  type StatusEntry,
} from '../git/repo.js';
import { addWorktree, deleteBranch, removeWorktree } from '../git/worktree.js';
import type { SessionBackend } from '../session/backend.js';
import { waitFor } from '../session/wait.js';
import { activeChanges, createChange, initTasksDir, type ChangeSummary, type CreatedChange } from './changes.js';
import { createWorkerConfig, goTimestamp, isWorktreeCreated, readWorkerConfig, updateWorkerConfig, type WorkerConfig } from './config.js';
import { assertName, parseWorkerId, reserveWorkerId } from './ids.js';
import { assertTypable, assignMessage } from './messages.js';
import { BRANCH_PREFIX, workerPaths, workersDir, worktreeBase } from './paths.js';
import { buildRolePrompt, installRolePrompt, PROMPT_START, runtimeExcludes } from './prompt.js';
import { assertModel, assertProvider, DEFAULT_PROVIDER, launchCommand } from './providers.js';
import { readProjectConfig } from './project-config.js';
import { installWorkerSkill, workerSkillDir } from './skill-install.js';
import { resolveRole, roleAt, rolePromptText, type Role } from './roles.js';
import { backendFor, currentControllerPane, paneEnv, type SessionOptions } from './session.js';

/** Options shared by lifecycle calls: env (default process.env), an injected backend, the clock. */
export interface LifecycleOptions extends SessionOptions {
  now?: Date;
}

// ───────────────────────────── create ─────────────────────────────

/** Options of {@link createWorker}. `allowGlobal` must be true to use a role found only in ~/.agents/roles. */
export interface CreateWorkerOptions extends LifecycleOptions {
  provider?: string;
  model?: string;
  allowGlobal?: boolean;
}

/** A created worker: its id, config and role. */
export interface CreatedWorker {
  id: string;
  config: WorkerConfig;
  role: Role;
}

/**
 * `worker create`: validates role, provider and model, reserves `<role>-NNN` and writes worker.yaml
 * (`worktree_created: false`; the worktree is made by {@link openWorker}). Throws UsageError for a bad
 * name, unknown provider, or a global role without `allowGlobal` (code `global_role_needs_confirmation`);
 * OperationError `unknown_role`.
 */
export async function createWorker(root: string, roleName: string, options: CreateWorkerOptions = {}): Promise<CreatedWorker> {
  assertName('role', roleName);
  const provider = assertProvider(root, options.provider ?? readProjectConfig(root).default_provider ?? DEFAULT_PROVIDER);
  if (options.model !== undefined) assertModel(options.model);
  const role = resolveRole(root, roleName, options.env);
  if (role.scope === 'global' && !options.allowGlobal) {
    throw new UsageError(`role ${roleName} is a global role (${role.path}); confirm using it with --yes`, {
      code: 'global_role_needs_confirmation',
      details: { role: roleName, path: role.path },
      hint: `agent-team worker create ${roleName} --yes`,
    });
  }
  const id = await reserveWorkerId(root, roleName);
  const config: WorkerConfig = {
    worker_id: id,
    role: roleName,
    role_scope: role.scope,
    role_path: role.scope === 'global' ? role.path : undefined,
    provider,
    default_model: options.model,
    pane_id: '',
    created_at: goTimestamp(options.now),
    worktree_created: false,
  };
  if (!createWorkerConfig(root, config)) throw new OperationError(`${workerPaths(root, id).config} already exists`, { code: 'exists' });
  return { id, config, role };
}

/** Ids of every worker with a config folder, sorted. */
export function listWorkerIds(root: string): string[] {
  const dir = workersDir(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'worker.yaml')))
    .sort();
}

// ───────────────────────────── open ─────────────────────────────

/** Result of {@link prepareWorktree}. */
export interface PreparedWorktree {
  worktree: string;
  branch: string;
  worktreeCreated: boolean;
  branchCreated: boolean;
  promptFiles: string[];
  warnings: string[];
}

function roleOf(root: string, config: WorkerConfig, env?: NodeJS.ProcessEnv): Role | undefined {
  if (config.role_path) {
    const r = roleAt(config.role, config.role_scope === 'project' ? 'project' : 'global', config.role_path);
    if (r) return r;
  }
  try {
    return resolveRole(root, config.role, env);
  } catch {
    return undefined;
  }
}

/**
 * Makes sure worker `id` has its worktree `.worktrees/<id>` on `team/<id>` (created from the controller's
 * current commit, or reusing an existing branch), `.tasks/config.yaml`, and its role prompt (see
 * prompt.ts); records `worktree_created: true`. Idempotent. Throws OperationError on git failure.
 */
export async function prepareWorktree(root: string, id: string, options: LifecycleOptions = {}): Promise<PreparedWorktree> {
  assertName('worker id', id);
  const config = readWorkerConfig(root, id);
  const paths = workerPaths(root, id);
  const warnings: string[] = [];
  let worktreeCreated = false;
  let branchCreated = false;
  if (!existsSync(join(paths.worktree, '.git'))) {
    const { sha } = await currentRef(root);
    ({ branchCreated } = await addWorktree(root, paths.worktree, paths.branch, sha));
    worktreeCreated = true;
  }
  initTasksDir(paths.worktree);
  const role = roleOf(root, config, options.env);
  if (!role) warnings.push(`role ${config.role} was not found; the worker gets the agent-team instructions without a role text`);
  const prompt = buildRolePrompt({
    workerId: id,
    role: config.role,
    roleText: role ? rolePromptText(role) : '',
    roleDescription: role?.description,
    worktree: paths.worktree,
    branch: paths.branch,
    root,
  });
  const base = relative(root, worktreeBase(root)).split(sep).join('/');
  const provider = config.provider || DEFAULT_PROVIDER;
  // The worker skill (how to report back) goes where the provider looks for skills, excluded with the prompt.
  const installed = await installRolePrompt(paths.worktree, prompt, provider, runtimeExcludes(base), [`/${workerSkillDir(provider)}/`]);
  warnings.push(...installed.warnings);
  installWorkerSkill(paths.worktree, provider);
  if (!isWorktreeCreated(config) || config.worktree_created === undefined) {
    await updateWorkerConfig(root, id, (c) => {
      c.worktree_created = true;
    });
  }
  return { worktree: paths.worktree, branch: paths.branch, worktreeCreated, branchCreated, promptFiles: installed.written, warnings };
}

/** Options of {@link openWorker}: provider/model overrides are saved to worker.yaml. */
export interface OpenWorkerOptions extends LifecycleOptions {
  provider?: string;
  model?: string;
  newWindow?: boolean;
  /** Bound (ms) on waiting for the provider process to start after the launch command (default 15000). */
  startTimeoutMs?: number;
}

/** Result of {@link openWorker}. `alreadyRunning`: the pane was alive, nothing was spawned or typed. */
export interface OpenedWorker {
  id: string;
  alreadyRunning: boolean;
  paneId: string;
  controllerPaneId?: string;
  backend: string;
  worktree: string;
  branch: string;
  worktreeCreated: boolean;
  launchCommand?: string;
  /** Whether the provider process was seen running after the launch command (false: still starting). */
  started?: boolean;
  warnings: string[];
}

/** Whether worker `config`'s pane runs its provider, and the backend that knows. */
async function liveness(config: WorkerConfig, options: SessionOptions): Promise<{ alive: boolean; backend?: SessionBackend }> {
  if (!config.pane_id) return { alive: false };
  const backend = await backendFor(options, config.backend);
  return { alive: await backend.isAlive(config.pane_id, config.worker_id), backend };
}

/**
 * `worker open`: prepares the worktree, spawns the pane (env: AGENT_TEAM_WORKER_ID and the backend's
 * variables), records `pane_id`, `controller_pane_id` and `backend`, and types the launch command. When
 * the recorded pane still has a shell but no provider, the launch command is typed there instead of
 * spawning. Already running: returns `alreadyRunning` (provider/model changes are still saved).
 */
export async function openWorker(root: string, id: string, options: OpenWorkerOptions = {}): Promise<OpenedWorker> {
  assertName('worker id', id);
  let config = readWorkerConfig(root, id);
  if (options.provider !== undefined) assertProvider(root, options.provider);
  if (options.model !== undefined) assertModel(options.model);
  if (options.provider !== undefined || options.model !== undefined) {
    config = await updateWorkerConfig(root, id, (c) => {
      if (options.provider !== undefined) c.provider = options.provider;
      if (options.model !== undefined) c.default_model = options.model;
    });
  }
  const provider = config.provider || DEFAULT_PROVIDER;
  const command = launchCommand(root, provider, config.default_model || undefined);
  const paths = workerPaths(root, id);
  const env = options.env ?? process.env;

  const live = await liveness(config, options);
  if (live.alive && live.backend) {
    return {
      id,
      alreadyRunning: true,
      paneId: config.pane_id,
      controllerPaneId: config.controller_pane_id,
      backend: live.backend.name,
      worktree: paths.worktree,
      branch: paths.branch,
      worktreeCreated: false,
      warnings: [],
    };
  }

  const prepared = await prepareWorktree(root, id, options);
  const backend = await backendFor(options, config.backend, true);
  const controllerPane = currentControllerPane(backend, env);
  const warnings = [...prepared.warnings];
  if (!controllerPane) warnings.push(`no controller pane found (TMUX_PANE/WEZTERM_PANE not set); ${id} cannot reach you with reply-main until you open it from your pane`);

  // A pane whose provider exited keeps its shell: type the launch command there rather than spawn a twin.
  let paneId: string | undefined;
  if (config.pane_id && live.backend && live.backend.name === backend.name && (await backend.owns(config.pane_id, id))) {
    try {
      await saveSession(root, id, config.pane_id, controllerPane, backend.name);
      await backend.sendText(config.pane_id, command);
      paneId = config.pane_id;
    } catch (err) {
      if ((err as { code?: string }).code !== 'pane_gone') throw err;
    }
  }
  if (paneId === undefined) {
    const pane = await backend.spawn({ workerId: id, cwd: prepared.worktree, stateDir: paths.dir, env: paneEnv(id, backend, env), newWindow: options.newWindow });
    paneId = pane.paneId;
    await saveSession(root, id, paneId, controllerPane, backend.name);
    await backend.setTitle(paneId, id).catch(() => undefined);
    await backend.sendText(paneId, command);
  }
  const started = await waitForProvider(backend, paneId, id, options.startTimeoutMs ?? 15_000);
  if (!started) warnings.push(`${provider} has not started in pane ${paneId} yet (typed: ${command})`);
  return {
    id,
    alreadyRunning: false,
    paneId,
    controllerPaneId: controllerPane,
    backend: backend.name,
    worktree: prepared.worktree,
    branch: prepared.branch,
    worktreeCreated: prepared.worktreeCreated,
    launchCommand: command,
    started,
    warnings,
  };
}

async function saveSession(root: string, id: string, paneId: string, controllerPane: string | undefined, backend: string): Promise<void> {
  await updateWorkerConfig(root, id, (c) => {
    c.pane_id = paneId;
    if (controllerPane) c.controller_pane_id = controllerPane;
    c.backend = backend;
    c.worktree_created = true;
  });
}

async function waitForProvider(backend: SessionBackend, paneId: string, owner: string, timeoutMs: number): Promise<boolean> {
  try {
    return await waitFor(() => backend.isAlive(paneId, owner), { timeoutMs, intervalMs: 15, description: `the provider in pane ${paneId}` });
  } catch {
    return false;
  }
}

// ───────────────────────────── assign ─────────────────────────────

/** Options of {@link assignWorker}. `proposal`/`design` are the file contents (the CLI reads files/stdin). */
export interface AssignOptions extends OpenWorkerOptions {
  proposal?: string;
  design?: string;
  /** Extra lines for the message (see messages.ts). */
  extra?: string[];
}

/** Result of {@link assignWorker}. */
export interface AssignResult {
  id: string;
  change: CreatedChange;
  /** Set when the worker was not running and had to be opened. */
  opened?: OpenedWorker;
  /** How an idle worker was brought up to the controller's branch (`none` when it was busy or current). */
  update: { method: 'none' | 'fast-forward' | 'rebase' | 'skipped-busy'; upstream: string };
  message: string;
  warnings: string[];
}

/**
 * `worker assign`: prepares the worktree; if the worktree is clean (idle worker) brings `team/<id>` up to
 * the controller's branch (fast-forward or rebase; a conflict is aborted and thrown as OperationError
 * `update_conflict` before anything is created or typed); creates the change folder; opens the worker
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
  const upstream = await currentRef(root);
  let update: AssignResult['update'] = { method: 'skipped-busy', upstream: upstream.ref };
  const dirty = await statusEntries(prepared.worktree);
  if (dirty.length === 0) {
    const r = await updateFrom(prepared.worktree, upstream.sha);
    update = { method: r.method, upstream: upstream.ref };
    // git may replace ignored files (our prompt files) when the update brings tracked ones: reinstall
    if (r.method !== 'none') await prepareWorktree(root, id, options);
  } else {
    warnings.push(`${id} has uncommitted work, so it was not brought up to ${upstream.ref}`);
  }
  const change = createChange(prepared.worktree, { description, assignedTo: id, proposal: options.proposal, design: options.design, now: options.now });
  const message = assignMessage({ description, changeDir: change.relativeDir, files: change.files, extra: options.extra });

  let opened: OpenedWorker | undefined;
  const live = await liveness(config, options);
  let backend = live.backend;
  let paneId = config.pane_id;
  if (!live.alive) {
    opened = await openWorker(root, id, options);
    warnings.push(...opened.warnings);
    backend = await backendFor(options, opened.backend);
    paneId = opened.paneId;
  }
  if (!backend) throw new OperationError(`worker ${id} has no pane`);
  await backend.sendText(paneId, message);
  return { id, change, opened, update, message, warnings };
}

// ───────────────────────────── status ─────────────────────────────

/** One row of {@link workerStatus}. */
export interface WorkerStatus {
  id: string;
  role: string;
  provider: string;
  model?: string;
  backend?: string;
  paneId?: string;
  state: 'running' | 'offline';
  branch: string;
  branchExists: boolean;
  /** Commits on `team/<id>` not on the controller's branch. */
  ahead: number;
  /** Commits on the controller's branch not on `team/<id>`. */
  behind: number;
  worktree: 'clean' | 'dirty' | 'missing';
  dirtyFiles: string[];
  activeChanges: ChangeSummary[];
  error?: string;
}

/**
 * `worker status`: every worker with one liveness query per backend in use (normally exactly one
 * `aliveMany`), plus cheap git queries per worker. Unreadable configs become rows with `error`.
 */
/**
 * Whether each worker's provider runs: one `aliveMany` query per session backend in use (not one per
 * worker). Keys of `alive` are `<backend>\0<pane_id>`; `backendErrors` maps a backend to why it could not
 * be asked.
 */
export async function paneLiveness(configs: WorkerConfig[], options: LifecycleOptions = {}): Promise<{ alive: Map<string, boolean>; backendErrors: Map<string, string> }> {
  const byBackend = new Map<string, string[]>();
  const owners = new Map<string, string>();
  for (const config of configs) {
    if (!config.pane_id) continue;
    const key = config.backend ?? '';
    byBackend.set(key, [...(byBackend.get(key) ?? []), config.pane_id]);
    owners.set(config.pane_id, config.worker_id);
  }
  const alive = new Map<string, boolean>();
  const backendErrors = new Map<string, string>();
  for (const [name, panes] of byBackend) {
    try {
      const backend = await backendFor(options, name || undefined);
      for (const [pane, ok] of await backend.aliveMany(panes, owners)) alive.set(`${name}\0${pane}`, ok);
    } catch (err) {
      backendErrors.set(name, `cannot ask the ${name || 'default'} session backend whether the pane runs: ${(err as Error).message}`);
    }
  }
  return { alive, backendErrors };
}

export async function workerStatus(root: string, options: LifecycleOptions = {}): Promise<{ controllerRef: string; workers: WorkerStatus[] }> {
  const ids = listWorkerIds(root);
  const configs = ids.map((id): { id: string; config?: WorkerConfig; error?: string } => {
    try {
      return { id, config: readWorkerConfig(root, id) };
    } catch (err) {
      return { id, error: (err as Error).message };
    }
  });
  const { alive, backendErrors } = await paneLiveness(configs.flatMap((c) => (c.config ? [c.config] : [])), options);
  let ref = 'HEAD';
  try {
    ref = (await currentRef(root)).ref;
  } catch {
    // no commit yet: ahead/behind stay 0
  }
  // One git call for every team/* branch; then git runs only for branches and worktrees that exist.
  let branches = new Set<string>();
  try {
    branches = new Set(await listBranches(root, BRANCH_PREFIX));
  } catch {
    // not a repository with commits: no branches
  }
  const workers = await Promise.all(
    configs.map(async ({ id, config, error }): Promise<WorkerStatus> => {
      const paths = workerPaths(root, id);
      const row: WorkerStatus = {
        id,
        role: config?.role ?? parseWorkerId(id)?.role ?? '',
        provider: config?.provider ?? '',
        model: config?.default_model || undefined,
        backend: config?.backend,
        paneId: config?.pane_id || undefined,
        state: config?.pane_id && alive.get(`${config.backend ?? ''}\0${config.pane_id}`) ? 'running' : 'offline',
        branch: paths.branch,
        branchExists: false,
        ahead: 0,
        behind: 0,
        worktree: 'missing',
        dirtyFiles: [],
        activeChanges: [],
        error: error ?? (config?.pane_id ? backendErrors.get(config.backend ?? '') : undefined),
      };
      try {
        row.branchExists = branches.has(paths.branch);
        if (row.branchExists && ref !== 'HEAD') {
          const counts = await aheadBehind(root, paths.branch, ref);
          row.ahead = counts.leftOnly;
          row.behind = counts.rightOnly;
        }
        if (existsSync(join(paths.worktree, '.git'))) {
          row.dirtyFiles = (await statusEntries(paths.worktree)).map((e) => e.path);
          row.worktree = row.dirtyFiles.length ? 'dirty' : 'clean';
          row.activeChanges = activeChanges(paths.worktree);
        }
      } catch (err) {
        row.error = (err as Error).message;
      }
      return row;
    }),
  );
  return { controllerRef: ref, workers };
}

// ───────────────────────────── merge ─────────────────────────────

/** Untracked paths under these folders do not make the controller's tree dirty for `worker merge`. */
export const MERGE_IGNORED_UNTRACKED = ['.agents/', '.worktrees/', 'worktrees/'];

/** The controller-tree changes that block a merge: tracked changes, and untracked files outside agent-team's folders. */
export function blockingChanges(entries: StatusEntry[]): StatusEntry[] {
  return entries.filter((e) => e.code !== '??' || !MERGE_IGNORED_UNTRACKED.some((p) => e.path.startsWith(p)));
}

/** Result of {@link mergeWorker}. */
export interface MergeWorkerResult extends MergeResult {
  id: string;
  branch: string;
  into: string;
  commits: number;
  squash: boolean;
}

/**
 * Refuses (OperationError `role_prompt_in_branch`) when `team/<id>` would bring agent-team files into
 * `ref`: any commit (or, for squash, the final diff) adding or removing a role-prompt marker line, or any
 * path under `.tasks/`.
 */
export async function assertNoAgentFiles(root: string, ref: string, branch: string, squash: boolean): Promise<void> {
  const range = `${ref}..${branch}`;
  const tasks = (await pathsTouched(root, range)).filter((p) => p.startsWith('.tasks/'));
  let offending: string[] = [];
  if (squash) offending = await diffPathsMatching(root, await mergeBase(root, ref, branch), branch, PROMPT_START);
  else offending = await commitsMatching(root, range, PROMPT_START);
  if (tasks.length || offending.length) {
    throw new OperationError(
      `${branch} carries agent-team files that must not be merged: ${[...offending.map((c) => (squash ? c : `commit ${c.slice(0, 12)} (role prompt)`)), ...tasks].join(', ')}; nothing was merged`,
      {
        code: 'role_prompt_in_branch',
        details: { branch, commits: squash ? [] : offending, files: squash ? [...offending, ...tasks] : tasks },
        hint: `remove them from ${branch} (git rm --cached <file> and rewrite the commits, e.g. git rebase -i ${ref}) and merge again`,
      },
    );
  }
}

/**
 * `worker merge`: merges `team/<id>` into the controller's current branch (`--no-ff`, or one squashed
 * commit). Refuses (OperationError, nothing changed) when the controller's tree has tracked changes or
 * untracked files outside `.agents/`/`.worktrees/` (`dirty_tree`), when the branch carries agent-team
 * files, and on conflicts (`merge_conflict`: merge aborted, same HEAD, clean tree, details.conflicts).
 */
export async function mergeWorker(root: string, id: string, options: { squash?: boolean } = {}): Promise<MergeWorkerResult> {
  assertName('worker id', id);
  const { branch } = workerPaths(root, id);
  if (!(await branchExists(root, branch))) throw new OperationError(`branch ${branch} does not exist`, { code: 'no_branch' });
  const blocking = blockingChanges(await statusEntries(root));
  if (blocking.length) {
    throw new OperationError(`your working tree has uncommitted changes (${blocking.map((e) => e.path).join(', ')}); commit or stash them before merging ${branch}`, {
      code: 'dirty_tree',
      details: { files: blocking.map((e) => e.path) },
    });
  }
  const into = await currentRef(root);
  const commits = await countCommits(root, `HEAD..${branch}`);
  await assertNoAgentFiles(root, 'HEAD', branch, options.squash === true);
  const result = await mergeBranch(root, branch, { squash: options.squash, message: `Merge ${branch} (agent-team worker ${id})` });
  return { ...result, id, branch, into: into.ref, commits, squash: options.squash === true };
}

// ───────────────────────────── close / delete ─────────────────────────────

/** `worker close`: kills the pane (no error when gone) and clears `pane_id`; worktree, branch and config stay. */
export async function closeWorker(root: string, id: string, options: SessionOptions = {}): Promise<{ id: string; paneId?: string; wasRunning: boolean }> {
  assertName('worker id', id);
  const config = readWorkerConfig(root, id);
  if (!config.pane_id) return { id, wasRunning: false };
  const backend = await backendFor(options, config.backend);
  const wasRunning = await backend.isAlive(config.pane_id, id);
  // A stale pane id may name another pane now (ids are reused): only kill the worker's own.
  if (await backend.owns(config.pane_id, id)) await backend.kill(config.pane_id);
  await updateWorkerConfig(root, id, (c) => {
    c.pane_id = '';
  });
  return { id, paneId: config.pane_id, wasRunning };
}

/** Result of {@link deleteWorker}: what was removed. */
export interface DeleteResult {
  id: string;
  killedPane?: string;
  removedWorktree: boolean;
  deletedBranch: boolean;
  forced: boolean;
}

/**
 * `worker delete`: refuses (OperationError `uncommitted_work` / `unmerged_commits`) when the worktree has
 * uncommitted changes or `team/<id>` has commits not in the current branch, unless `force`; otherwise
 * kills the pane and removes the worktree, the branch and `.agents/workers/<id>/`.
 */
export async function deleteWorker(root: string, id: string, options: SessionOptions & { force?: boolean } = {}): Promise<DeleteResult> {
  assertName('worker id', id);
  const paths = workerPaths(root, id);
  const hasConfig = existsSync(paths.config);
  const hasWorktree = existsSync(join(paths.worktree, '.git'));
  const hasBranch = await branchExists(root, paths.branch);
  if (!hasConfig && !hasWorktree && !hasBranch) throw new OperationError(`no worker ${id}`, { code: 'unknown_worker' });
  if (!options.force) {
    if (hasWorktree) {
      const dirty = await statusEntries(paths.worktree);
      if (dirty.length) {
        throw new OperationError(`${id} has uncommitted work in ${paths.worktree}: ${dirty.map((e) => e.path).join(', ')}`, {
          code: 'uncommitted_work',
          details: { files: dirty.map((e) => e.path) },
          hint: `ask the worker to commit, then merge it (agent-team worker merge ${id}); or discard it: agent-team worker delete ${id} --force`,
        });
      }
    }
    if (hasBranch) {
      const unmerged = await countCommits(root, `HEAD..${paths.branch}`);
      if (unmerged > 0) {
        throw new OperationError(`${paths.branch} has ${unmerged} commit(s) not merged into your current branch`, {
          code: 'unmerged_commits',
          details: { commits: unmerged },
          hint: `agent-team worker merge ${id}, or discard them: agent-team worker delete ${id} --force`,
        });
      }
    }
  }
  let killedPane: string | undefined;
  if (hasConfig) {
    const config = readWorkerConfig(root, id);
    if (config.pane_id) {
      const backend = await backendFor(options, config.backend);
      if (await backend.owns(config.pane_id, id)) {
        await backend.kill(config.pane_id);
        killedPane = config.pane_id;
      }
    }
  }
  if (hasWorktree || existsSync(paths.worktree)) await removeWorktree(root, paths.worktree, { force: true });
  if (existsSync(paths.worktree)) rmSync(paths.worktree, { recursive: true, force: true });
  if (hasBranch) await deleteBranch(root, paths.branch);
  rmSync(paths.dir, { recursive: true, force: true });
  return { id, killedPane, removedWorktree: hasWorktree, deletedBranch: hasBranch, forced: options.force === true };
}

// ───────────────────────────── for the controller loop ─────────────────────────────

/** Options of {@link findOrCreateWorker}. */
export interface FindOrCreateOptions extends CreateWorkerOptions {
  /** A worker id to use when it exists and plays `role` (workflow `roles.<alias>.worker`). */
  preferred?: string;
  /** Reuse an existing worker of the role (default true; workflow `reuse_worker`). */
  reuse?: boolean;
}

/**
 * The worker that should play `role`: `preferred` when it exists, else (with `reuse`) an existing worker
 * of the role, running ones first, lowest id first; else a new one ({@link createWorker}).
 * Returns the id and whether it was created.
 */
export async function findOrCreateWorker(root: string, role: string, options: FindOrCreateOptions = {}): Promise<{ id: string; created: boolean }> {
  assertName('role', role);
  if (options.preferred) {
    assertName('worker id', options.preferred);
    if (existsSync(workerPaths(root, options.preferred).config)) return { id: options.preferred, created: false };
  }
  if (options.reuse !== false) {
    const { workers } = await workerStatus(root, options);
    const mine = workers.filter((w) => w.role === role && !w.error);
    const pick = mine.find((w) => w.state === 'running') ?? mine[0];
    if (pick) return { id: pick.id, created: false };
  }
  const created = await createWorker(root, role, options);
  return { id: created.id, created: true };
}
