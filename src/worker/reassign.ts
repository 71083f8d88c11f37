/**
 * `workflow state reassign`: the run-state side ({@link reassignRun}: the visit goes to the node's
 * history, the node is pending again and never given back to that worker) and the worker side: the
 * change the old worker was given is marked `superseded` in its worktree, so its `.tasks/changes/` no
 * longer shows it as open work. `workflow run` then gives the node to another worker.
 */
import { dirname, resolve } from 'node:path';
import { projectRoot } from '../store/paths.js';
import { reassignRun } from '../workflow/reassign.js';
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
  let superseded: string | null = null;
  const { worker, change } = result.from;
  if (change) {
    const worktree = workerPaths(projectRoot(dirname(resolve(cwd, stateFile))), worker).worktree;
    try {
      const wanted = normalizeChange(change);
      if (activeChanges(worktree).some((c) => normalizeChange(c.name) === wanted)) {
        setChangeStatus(worktree, change, 'superseded');
        superseded = wanted;
      }
    } catch (err) {
      warnings.push(`${worker}'s change ${change} could not be marked superseded: ${(err as Error).message}`);
    }
  }
  return { path: result.path, state: result.state, entry: result.entry, from: worker, superseded, warnings };
}
