/** `worker status`: liveness from one query per backend, plus cheap git queries per worker. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { aheadBehind, currentRef, listBranches, statusEntries } from '../git/repo.js';
import { activeChanges, type ChangeSummary } from './changes.js';
import { readWorkerConfig, type WorkerConfig } from './config.js';
import { parseWorkerId } from './ids.js';
import { BRANCH_PREFIX, workerPaths } from './paths.js';
import { workerForecast } from './forecast.js';
import type { ForecastConflict } from '../git/forecast.js';
import type { PaneOwner } from '../session/backend.js';
import { backendFor, paneOwner, type LifecycleOptions } from './session.js';
import { listWorkerIds } from './create.js';
import { decideActivity, type Activity, type ActivityInfo } from './activity.js';
import { readEvents } from './events.js';
import { readLastReply, type LastReply } from './last-reply.js';
import { undeliveredChange, type UndeliveredChange } from './delivery-record.js';
import { DEFAULT_PROVIDER, providerFor } from './providers.js';

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
  /** What the agent is doing (activity.ts), when it began (ISO time), and its conversation id. */
  activity: Activity;
  activitySince?: string;
  sessionId?: string;
  /** For attention/needs-input/rate-limited: why, the dialog, the reset time. */
  activityReason?: string;
  resetsAt?: string;
  /** The worker's last `reply-main` (last-reply.ts), whether or not a run took it. */
  lastReply?: LastReply;
  /** A change typed into its agent but never confirmed delivered (the CLI typing it was killed), with the command that delivers it (delivery-record.ts). */
  undelivered?: UndeliveredChange;
  error?: string;
}

/**
 * Whether each worker's provider (in the project at `root`) runs: one `aliveMany` query per session backend in use (not one per
 * worker). Keys of `alive` are `<backend>\0<pane_id>`; `backendErrors` maps a backend to why it could not
 * be asked.
 */
export async function paneLiveness(root: string, configs: WorkerConfig[], options: LifecycleOptions = {}): Promise<{ alive: Map<string, boolean>; backendErrors: Map<string, string> }> {
  const byBackend = new Map<string, string[]>();
  const owners = new Map<string, PaneOwner>();
  for (const config of configs) {
    if (!config.pane_id) continue;
    const key = config.backend ?? '';
    byBackend.set(key, [...(byBackend.get(key) ?? []), config.pane_id]);
    owners.set(config.pane_id, paneOwner(root, config.worker_id));
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

/**
 * Worker `config`'s activity (activity.ts) from its events and liveness; the pane's screen is read only
 * when the events cannot tell (still starting) or to show what waits for input — one capture, no more.
 */
export async function workerActivity(root: string, config: WorkerConfig, alive: boolean, options: LifecycleOptions = {}): Promise<ActivityInfo> {
  const adapter = providerFor(root, config.provider || DEFAULT_PROVIDER).adapter;
  const events = readEvents(root, config.worker_id);
  const info = decideActivity({ events, alive, adapter });
  if (!alive || (info.activity !== 'starting' && info.activity !== 'needs-input')) return info;
  const backend = await backendFor(options, config.backend);
  return decideActivity({ events, alive: true, adapter, screen: await backend.capture(config.pane_id, 40) });
}

/**
 * `worker status`: every worker with one liveness query per backend in use (normally exactly one
 * `aliveMany`), plus cheap git queries per worker, and the conflict forecast (`forecast`) of the branches
 * ahead of the controller's. Unreadable configs become rows with `error`.
 */
export async function workerStatus(root: string, options: LifecycleOptions = {}): Promise<{ controllerRef: string; workers: WorkerStatus[]; forecast: ForecastConflict[] }> {
  const ids = listWorkerIds(root);
  const configs = ids.map((id): { id: string; config?: WorkerConfig; error?: string } => {
    try {
      return { id, config: readWorkerConfig(root, id) };
    } catch (err) {
      return { id, error: (err as Error).message };
    }
  });
  const { alive, backendErrors } = await paneLiveness(root, configs.flatMap((c) => (c.config ? [c.config] : [])), options);
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
        activity: 'exited',
        error: error ?? (config?.pane_id ? backendErrors.get(config.backend ?? '') : undefined),
      };
      if (config) {
        try {
          const info = await workerActivity(root, config, row.state === 'running', options);
          row.activity = info.activity;
          row.activitySince = info.since;
          row.sessionId = info.sessionId;
          row.activityReason = info.reason;
          row.resetsAt = info.resetsAt;
        } catch (err) {
          row.error = (err as Error).message;
        }
      }
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
        row.lastReply = readLastReply(root, id);
        const undelivered = undeliveredChange(root, id);
        if (undelivered && !undelivered.inProgress) row.undelivered = undelivered; // one being typed now is no leftover
      } catch (err) {
        row.error = (err as Error).message;
      }
      return row;
    }),
  );
  // conflict forecast for every worker branch with work not yet on the controller's branch
  const forecast = await workerForecast(root, workers.filter((w) => w.ahead > 0).map((w) => w.id)).catch(() => []);
  return { controllerRef: ref, workers, forecast };
}
