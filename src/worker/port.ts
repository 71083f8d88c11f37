/**
 * The workflow controller loop's {@link WorkerPort}, implemented over the worker lifecycle. Lookups are
 * synchronous, so liveness (one backend query) and `team/*` branches are read once when the port is made
 * and kept current as the port opens workers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerPort } from '../workflow/worker-port.js';
import { busyWorkers } from '../workflow/worker-choice.js';
import { isWorktreeCreated, readWorkerConfig } from './config.js';
import { branchWorkerIds, nextWorkerId } from './ids.js';
import { assignWorker, buildOn, startAfresh } from './assign.js';
import { createWorker, listWorkerIds } from './create.js';
import { mergeWorker, mergeWorkersTrain } from './merge.js';
import { openWorker } from './open.js';
import type { LifecycleOptions } from './session.js';
import { paneLiveness, workerActivity } from './status.js';
import type { ActivityInfo } from './activity.js';
import { backendFor } from './session.js';
import { workerPaths } from './paths.js';
import { branchesMergedIntoHead, statusEntries } from '../git/repo.js';
import { containsSync, tryGit } from '../git/git.js';
import { activeChanges, changeAnswers, CHANGES_DIR, setChangeStatus } from './changes.js';
import { undeliveredChange } from './delivery-record.js';

/** Options of {@link createWorkerPort}: `allowGlobal` lets `create` use roles from ~/.agents/roles; `run` is the run-state being driven (its own workers are not "busy"). */
export interface WorkerPortOptions extends LifecycleOptions {
  allowGlobal?: boolean;
  run?: string;
}

/** The current branch and the worker ids whose `team/<id>` it already contains; undefined when git cannot tell (no commit yet). */
async function mergedWorkers(root: string): Promise<{ head: string; merged: Set<string> } | undefined> {
  try {
    const { head, merged } = await branchesMergedIntoHead(root, 'team/');
    return { head, merged: new Set(merged.map((b) => b.slice('team/'.length))) };
  } catch {
    return undefined;
  }
}

/** A WorkerPort for the repository at `root`. Throws OperationError when the backend cannot be queried. */
export async function createWorkerPort(root: string, options: WorkerPortOptions = {}): Promise<WorkerPort> {
  const configs = listWorkerIds(root).flatMap((id) => {
    try {
      return [readWorkerConfig(root, id)];
    } catch {
      return []; // an unreadable config shows in `worker status`; here it only counts as not running
    }
  });
  // One backend query for liveness, one git call for branch-held ids and one for those already merged; nothing per worker.
  const [{ alive }, branches, inHead] = await Promise.all([paneLiveness(root, configs, options), branchWorkerIds(root), mergedWorkers(root)]);
  const running = new Map(configs.map((c) => [c.worker_id, c.pane_id !== '' && alive.get(`${c.backend ?? ''}\0${c.pane_id}`) === true]));
  const busy = busyWorkers(root, options.run);
  // Activities (issue 8) from each worker's events; a pane's screen only where the events cannot tell.
  const activities = new Map<string, ActivityInfo & { attach?: string }>();
  await Promise.all(
    configs.map(async (c) => {
      try {
        const info = await workerActivity(root, c, running.get(c.worker_id) === true, options);
        const attach = c.pane_id && info.activity !== 'exited' ? await (await backendFor(options, c.backend)).attachCommand(c.pane_id).catch(() => undefined) : undefined;
        activities.set(c.worker_id, { ...info, attach });
      } catch {
        // an unknown provider or unreadable events: no activity, as for a provider without hooks
      }
    }),
  );
  return {
    activity: (id) => activities.get(id)?.activity,
    activityDetail: (id) => {
      const a = activities.get(id);
      return a ? { reason: [a.reason, a.resetsAt && `resets at ${a.resetsAt}`].filter(Boolean).join(', ') || undefined, screen: a.screen, attach: a.attach } : undefined;
    },
    mergedInto: (id) => (inHead?.merged.has(id) ? inHead.head : undefined),
    async checkMergedInto(ids) {
      const now = await mergedWorkers(root);
      return now && ids.length > 0 && ids.every((id) => now.merged.has(id)) ? now.head : undefined;
    },
    exists: (id) => existsSync(workerPaths(root, id).config),
    running: (id) => running.get(id),
    nextId: (role) => nextWorkerId(root, role, branches),
    busy: (id) => busy.has(id),
    contains: (branch, other) => containsSync(root, branch, other),
    changeAnswers(id, change) {
      try {
        return changeAnswers(workerPaths(root, id).worktree, change);
      } catch {
        return []; // a change folder removed by hand, or an unreadable change.yaml: nothing to carry
      }
    },
    async findIdle(role, exclude) {
      // An idle worker of the role: no active run is waiting on it, and its worktree is clean (or not made yet).
      const candidates = configs.filter((c) => c.role === role && !busy.has(c.worker_id) && !exclude.includes(c.worker_id));
      candidates.sort((a, b) => Number(running.get(b.worker_id) === true) - Number(running.get(a.worker_id) === true) || a.worker_id.localeCompare(b.worker_id));
      for (const c of candidates) {
        const tree = workerPaths(root, c.worker_id).worktree;
        if (!existsSync(join(tree, '.git'))) return c.worker_id;
        if ((await statusEntries(tree)).length === 0) return c.worker_id;
      }
      return undefined;
    },
    async create(role) {
      const created = await createWorker(root, role, { ...options, allowGlobal: options.allowGlobal });
      running.set(created.id, false);
      return created.id;
    },
    async open(id) {
      const opened = await openWorker(root, id, options);
      running.set(id, true);
      if (opened.activity) activities.set(id, { ...opened.activity });
      return { opened: !opened.alreadyRunning };
    },
    async assign(id, description, hooks) {
      const result = await assignWorker(root, id, description, { ...options, beforeType: hooks?.beforeType, buildsOn: hooks?.buildsOn, ...(hooks?.answers?.length ? { answers: hooks.answers } : {}) });
      running.set(id, true);
      activities.set(id, { activity: 'working' });
      return { change: join(workerPaths(root, id).worktree, result.change.relativeDir) };
    },
    async merge(id) {
      const r = await mergeWorker(root, id);
      return { summary: r.merged ? `merged ${r.branch} into ${r.into} (${r.commits} commit(s), now ${r.head.slice(0, 12)})` : `${r.branch} had nothing to merge into ${r.into}` };
    },
    async mergeTrain(ids, train) {
      const r = await mergeWorkersTrain(root, ids, train);
      const parts = [r.merged.length ? `merged ${r.merged.join(', ')} into ${r.target} (now ${r.head.slice(0, 12)})` : `nothing new to merge into ${r.target}`];
      if (r.upToDate.length) parts.push(`already in ${r.target}: ${r.upToDate.join(', ')}`);
      return { summary: parts.join('; '), warnings: r.warnings };
    },
    async head(id) {
      return tryGit(root, ['rev-parse', '--verify', '--quiet', `refs/heads/team/${id}`]).then((out) => out?.trim() || undefined);
    },
    async buildOn(id, branches) {
      return { merged: await buildOn(workerPaths(root, id).worktree, branches) };
    },
    startAfresh: (id) => startAfresh(root, id),
    async resend(id, change, description) {
      const r = await assignWorker(root, id, description, { ...options, change });
      running.set(id, true);
      return r.redelivery ? { redelivery: r.redelivery } : undefined;
    },
    undelivered: (id, change) => {
      const u = undeliveredChange(root, id, change);
      return u !== undefined && !u.inProgress; // another live process is typing it: wait for that one
    },
    setChangeStatus(id, change, status) {
      setChangeStatus(workerPaths(root, id).worktree, change, status);
    },
    workersOf: (role) => configs.filter((c) => c.role === role).map((c) => c.worker_id),
    openChanges(id) {
      return activeChanges(workerPaths(root, id).worktree).map((c) => ({ change: `${CHANGES_DIR}/${c.name}/`, description: c.description }));
    },
    worktree(id) {
      try {
        return isWorktreeCreated(readWorkerConfig(root, id)) && existsSync(workerPaths(root, id).worktree) ? workerPaths(root, id).worktree : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
