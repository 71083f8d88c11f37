/**
 * `workflow state reassign`: the run-state side ({@link reassignRun}: the visit goes to the node's
 * history, the node is pending again and never given back to that worker) and the worker side: the
 * change the old worker was given is marked `superseded` in its worktree, so its `.tasks/changes/` no
 * longer shows it as open work. `workflow run` then gives the node to another worker.
 */
import { dirname, resolve } from 'node:path';
import { projectRoot } from '../store/paths.js';
import { reassignRun } from '../workflow/reassign.js';
import { agentTeam } from '../workflow/shell-quote.js';
import type { DecisionEntry, RunState } from '../workflow/schema.js';
import { activeChanges, normalizeChange, setChangeStatus } from './changes.js';
import { workerPaths } from './paths.js';

/** What {@link reassignWorkerNode} did: the new run-state, the log entry, the worker the node was taken from and the change it superseded (null when none was open). */
export interface ReassignOutcome {
  path: string;
  state: RunState;
  entry: DecisionEntry;
  from: string;
  superseded: string | null;
  warnings: string[];
}

/**
 * Takes node (or instance) `node` of the run at `stateFile` from its worker and supersedes that
 * worker's change. Throws what `reassignRun` throws (TransitionError exit 1 with the file unchanged,
 * UnreadableFileError exit 2); a change folder that cannot be updated is a warning, not an error (the
 * run-state has moved on).
 */
export async function reassignWorkerNode(stateFile: string, options: { node: string; reason?: string }, cwd = process.cwd()): Promise<ReassignOutcome> {
  const result = await reassignRun(stateFile, options, cwd);
  const warnings = [...result.warnings];
  const { worker, change } = result.from;
  const superseded = change ? supersedeOpenChange(projectRoot(dirname(resolve(cwd, stateFile))), worker, change, warnings)?.change ?? null : null;
  return { path: result.path, state: result.state, entry: result.entry, from: worker, superseded, warnings };
}

/**
 * Marks `worker`'s change `change` superseded when it is still open (not done, archived or superseded);
 * returns it (as `.tasks/changes/<name>/`) with the status it had, or undefined when it was not open. A
 * change folder that cannot be read or updated adds a warning to `warnings` instead of throwing.
 */
function supersedeOpenChange(root: string, worker: string, change: string, warnings: string[]): { change: string; was: string } | undefined {
  const worktree = workerPaths(root, worker).worktree;
  try {
    const wanted = normalizeChange(change);
    const open = activeChanges(worktree).find((c) => normalizeChange(c.name) === wanted);
    if (!open) return undefined;
    setChangeStatus(worktree, change, 'superseded');
    return { change: wanted, was: open.status };
  } catch (err) {
    warnings.push(`${worker}'s change ${change} could not be marked superseded: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * After `state complete`/`confirm` of node (or instance) `node`: when the visit was assigned to a worker
 * whose change is still open (the controller closed the node without the worker's done reply), marks
 * that change superseded so the worker's `.tasks/changes/` no longer shows it as open work, and says so
 * in `warnings`. Returns the worker and change, or null when nothing was open.
 */
export function supersedeCompletedChange(stateFile: string, state: RunState, node: string, warnings: string[], cwd = process.cwd()): { worker: string; change: string } | null {
  const ns = state.node_states[node];
  const assignment = ns?.status === 'completed' ? ns.assignment : undefined;
  if (!assignment?.change) return null;
  const done = supersedeOpenChange(projectRoot(dirname(resolve(cwd, stateFile))), assignment.worker, assignment.change, warnings);
  if (!done) return null;
  warnings.push(`${assignment.worker} still held ${done.change} for ${node} (status ${done.was}): marked superseded, as the node was completed without its done reply; tell it to stop: ${agentTeam('reply', assignment.worker, `${node} is closed: stop working on it`)}`);
  return { worker: assignment.worker, change: done.change };
}
