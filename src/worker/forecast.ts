/**
 * The conflict forecast for workers (issue 12): for the given workers' branches `team/<id>` that exist,
 * the files that would conflict with the controller's current branch and with each other
 * (`git/forecast.ts`; nothing is checked out). Shown by `worker status` and `workflow state next`.
 */
import { forecastConflicts, type ForecastConflict } from '../git/forecast.js';
import { currentRef, listBranches } from '../git/repo.js';
import { BRANCH_PREFIX } from './paths.js';

/** The forecast for `ids` (all workers with a branch when omitted) against the current branch; [] outside a repository with commits. */
export async function workerForecast(root: string, ids?: string[]): Promise<ForecastConflict[]> {
  if (ids?.length === 0) return []; // no git call when no worker is active (most `state next` calls)
  let target: string;
  let existing: string[];
  try {
    target = (await currentRef(root)).ref;
    existing = await listBranches(root, BRANCH_PREFIX);
  } catch {
    return [];
  }
  const wanted = ids ? ids.map((id) => `${BRANCH_PREFIX}${id}`) : existing;
  const branches = [...new Set(wanted)].filter((b) => existing.includes(b));
  return branches.length ? forecastConflicts(root, target, branches) : [];
}

/** The workers recorded on a run's active nodes and instances (the branches `state next` forecasts). */
export function activeWorkers(state: { current_node: string; active_nodes?: string[]; node_states: Record<string, { worker?: string; status: string }> }): string[] {
  const ids = state.active_nodes?.length ? state.active_nodes : state.current_node ? [state.current_node] : [];
  return [...new Set(ids.map((id) => state.node_states[id]?.worker).filter((w): w is string => typeof w === 'string' && w !== ''))];
}

/** One line per predicted conflict: `team/a × main: x.ts, y.ts`. */
export function forecastLines(forecast: ForecastConflict[]): string[] {
  return forecast.map((f) => `${f.branch} × ${f.with}: ${f.files.join(', ')}`);
}
