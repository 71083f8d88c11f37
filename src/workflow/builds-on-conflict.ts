/**
 * A `builds_on` merge that conflicts: merging a worker branch into the node worker's branch (before its
 * task is given, or before its check runs) stopped on conflicting files and blocked the node. The loop
 * records the conflict on the node (`builds_on_conflict`, ours; Go ignores it) next to the block, and
 * `state next` turns it into choices that can resolve it — send the conflict to the developer whose
 * branch conflicts (`worker assign`: merge the other branches in, resolve the files named, commit), then
 * start the node again — instead of only the retry, which would conflict the same way.
 */
import type { Choice } from './nodes/step.js';
import type { NodeState } from './schema.js';
import { agentTeam } from './shell-quote.js';
import { mutateRun } from './state-service.js';
import { timestamp } from './run-state.js';

/** A worker's reply to the `[resolve]` assignment (what `reply-main` sent, with its evidence). */
export interface ResolveReply {
  message: string;
  status: string;
  at: string;
  head?: string;
  clean?: boolean;
}

/**
 * The `[resolve]` assignment tied to the blocked node (`worker assign … --run <state-file> --node <id>`):
 * the worker, its change (`.tasks/changes/<name>/`), when (RFC 3339 UTC), and its reply once it came.
 */
export interface PendingResolve {
  worker: string;
  change: string;
  assigned_at: string;
  reply?: ResolveReply;
}

/**
 * A recorded builds_on conflict: `branch` (team/<id>) conflicted in `files` with `worker`'s branch, which
 * holds (or was to hold) `others`; `reason` is the block it explains; `resolve` the assignment sent to resolve it.
 * `kind: update`: the controller's branch moved and bringing `worker`'s own branch up to it conflicted
 * (`branch` is `team/<worker>`, `others` the controller's branch, e.g. `main`).
 */
export interface BuildsOnConflict {
  kind?: 'update';
  worker: string;
  branch: string;
  files: string[];
  others: string[];
  reason: string;
  resolve?: PendingResolve;
}

/**
 * The conflict behind a builds_on failure, from OperationError `merge_conflict`'s details (`branch`,
 * `conflicts`), or behind bringing the worker up to the controller's branch, from `update_conflict`'s
 * (`branch`, `ref`, `conflicts`; see worker/assign.ts); undefined for any other error (an unknown branch:
 * nothing to resolve by merging).
 */
export function conflictOf(err: unknown, worker: string, branches: string[], reason: string): BuildsOnConflict | undefined {
  const details = (err as { code?: string; details?: { branch?: unknown; conflicts?: unknown; ref?: unknown } }).details;
  if ((err as { code?: string }).code === 'update_conflict' && typeof details?.ref === 'string' && Array.isArray(details.conflicts)) {
    const files = details.conflicts.filter((f): f is string => typeof f === 'string');
    return { kind: 'update', worker, branch: `team/${worker}`, files, others: [details.ref], reason };
  }
  if ((err as { code?: string }).code !== 'merge_conflict' || typeof details?.branch !== 'string' || !Array.isArray(details.conflicts)) return undefined;
  const branch = details.branch;
  const files = details.conflicts.filter((f): f is string => typeof f === 'string');
  const others = branches.filter((b) => b !== branch);
  return { worker, branch, files, others: others.length ? others : [`team/${worker}`], reason };
}

/** Writes `conflict` on node `nodeId`'s current visit under the run lock (after the block was written). */
export async function recordBuildsOnConflict(stateFile: string, cwd: string, nodeId: string, conflict: BuildsOnConflict): Promise<void> {
  await mutateRun(stateFile, cwd, (run) => {
    const ns = run.state.node_states[nodeId];
    if (!ns) return { result: {} };
    return { result: {}, state: { ...run.state, node_states: { ...run.state.node_states, [nodeId]: { ...ns, builds_on_conflict: conflict } } } };
  });
}

/** The conflict recorded on `ns` when it explains the block `reason` (a later block for another cause ignores an old one). */
export function recordedConflict(ns: NodeState, reason: string): BuildsOnConflict | undefined {
  const c = (ns as { builds_on_conflict?: Partial<BuildsOnConflict> }).builds_on_conflict;
  if (!c || c.reason !== reason || typeof c.branch !== 'string' || typeof c.worker !== 'string' || !Array.isArray(c.files) || !Array.isArray(c.others)) return undefined;
  return c as BuildsOnConflict;
}

/**
 * The line that sends `conflict` to the worker whose branch conflicts (`team/<id>`): a `worker assign`
 * asking it to merge the other branches into its own, resolve the files and commit — after which
 * merging its branch brings both sides without a conflict. Null when the branch is no worker's.
 */
export function resolveLine(conflict: BuildsOnConflict, nodeId: string, runId: string, stateFile: string): string | null {
  const owner = /^team\/(.+)$/.exec(conflict.branch)?.[1];
  if (!owner) return null;
  const others = conflict.others.join(' and ');
  const files = conflict.files.join(', ') || 'the conflicting files';
  const text = conflict.kind === 'update' ?
    `Resolve a merge conflict for ${nodeId} (run ${runId}): ${others} moved, and bringing your branch ${conflict.branch} up to it conflicts in ${files}. ` +
    `Merge ${others} into your branch ${conflict.branch} (git merge ${conflict.others.join(' ')}), resolve ${files} keeping both sides' intent, and commit the merge.` :
    `Resolve a merge conflict for ${nodeId} (run ${runId}): it builds on ${conflict.branch} together with ${others}, and merging them conflicts in ${files}. ` +
    `Merge ${others} into your branch ${conflict.branch} (git merge ${conflict.others.join(' ')}), resolve ${files} keeping both sides' intent, and commit the merge.`;
  return agentTeam('worker', 'assign', owner, text, '--run', stateFile, '--node', nodeId);
}

/**
 * The choices at a node blocked by `conflict`: `resolve` (send it to the branch's worker, tied to the node)
 * and `retry` (`retryLine`, once it is resolved) — `retry` first once the worker replied `done` to the resolve
 * and none of `conflict.others` is `unmerged` (still missing from `conflict.branch`, see {@link unmergedOf}).
 */
export function conflictChoices(conflict: BuildsOnConflict, nodeId: string, runId: string, retryLine: string, stateFile: string, unmerged: string[] = []): Choice[] {
  const resolve = resolveLine(conflict, nodeId, runId, stateFile);
  const choices = [...(resolve ? [{ outcome: 'resolve', command: resolve }] : []), { outcome: 'retry', command: retryLine }];
  return conflict.resolve?.reply?.status === 'done' && unmerged.length === 0 ? choices.reverse() : choices;
}

/**
 * The branches of `conflict.others` that `conflict.branch` does not hold yet (`git merge-base --is-ancestor`
 * through `contains`), so a `done` reply to the resolve without the merge is not taken at its word;
 * a branch `contains` cannot judge (undefined: no git, unknown ref) counts as merged.
 */
export function unmergedOf(conflict: BuildsOnConflict, contains: ((branch: string, other: string) => boolean | undefined) | undefined): string[] {
  if (!contains) return [];
  return conflict.others.filter((other) => contains(conflict.branch, other) === false);
}

/**
 * Ties a `[resolve]` assignment to node `nodeId` of the run in `stateFile` (under the run lock): records
 * `worker` and its `change` on the node's builds_on conflict, so `run --wait`/`next --wait` wait for its
 * reply. Returns false (nothing written) when the node is not blocked by a recorded builds_on conflict.
 */
export async function recordResolveAssignment(stateFile: string, cwd: string, nodeId: string, worker: string, change: string, now = new Date()): Promise<boolean> {
  const r = await mutateRun<{ ok: boolean }>(stateFile, cwd, (run) => {
    const ns = run.state.node_states[nodeId];
    const reason = (ns?.status === 'blocked' ? ns.summary : undefined) || (run.state.status === 'blocked' ? run.state.blocking_reason : '') || '';
    const conflict = ns && (ns.status === 'blocked' || run.state.status === 'blocked') ? recordedConflict(ns, reason) ?? recordedConflict(ns, ns.summary ?? '') : undefined;
    if (!ns || !conflict) return { result: { ok: false } };
    const resolve: PendingResolve = { worker, change, assigned_at: timestamp(now) };
    return { result: { ok: true }, state: { ...run.state, node_states: { ...run.state.node_states, [nodeId]: { ...ns, builds_on_conflict: { ...conflict, resolve } } } } };
  });
  return r.ok;
}
