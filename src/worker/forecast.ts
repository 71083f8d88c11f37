/**
 * The conflict forecast for workers (issue 12): for the given workers' branches `team/<id>` that exist
 * and are not merged into the controller's current branch yet, the files that would conflict with that
 * branch and with each other (`git/forecast.ts`; nothing is checked out). Shown by `worker status`,
 * `workflow state next` and `workflow run`.
 */
import { forecastConflicts, type ForecastConflict } from '../git/forecast.js';
import { runGit } from '../git/git.js';
import { currentRef } from '../git/repo.js';
import { BRANCH_PREFIX } from './paths.js';

/**
 * The forecast for `ids` (all workers with a branch when omitted) against the current branch, leaving out
 * branches already merged into it (they can conflict with nothing the target does not hold); [] outside a
 * repository with commits.
 */
export async function workerForecast(root: string, ids?: string[]): Promise<ForecastConflict[]> {
  if (ids?.length === 0) return []; // no git call when the run has no worker yet
  let target: string;
  let existing: string[];
  try {
    target = (await currentRef(root)).ref;
    // one call lists the worker branches that hold commits the target does not
    const out = await runGit(root, ['for-each-ref', '--no-merged', target, '--format=%(refname:short)', `refs/heads/${BRANCH_PREFIX}`], { traced: true });
    existing = out.split('\n').map((l) => l.trim()).filter((b) => b.startsWith(BRANCH_PREFIX));
  } catch {
    return [];
  }
  const wanted = ids ? ids.map((id) => `${BRANCH_PREFIX}${id}`) : existing;
  const branches = [...new Set(wanted)].filter((b) => existing.includes(b));
  return branches.length ? forecastConflicts(root, target, branches) : [];
}

/**
 * The workers a run has given work to (the branches `state next` and `workflow run` forecast): the worker
 * recorded on every node and instance, on its current visit (unless it is pending again) and on its
 * earlier visits — not only the active nodes, so the forecast stays at a join or a review node after the
 * instances completed. {@link workerForecast} leaves out the branches merged already.
 */
export function runWorkers(state: { node_states: Record<string, { worker?: string; status: string; history?: Array<{ worker?: string }> }> }): string[] {
  const ids: string[] = [];
  for (const ns of Object.values(state.node_states)) {
    if (ns.status !== 'pending' && ns.worker) ids.push(ns.worker);
    for (const visit of ns.history ?? []) if (visit.worker) ids.push(visit.worker);
  }
  return [...new Set(ids)];
}

/** One line per predicted conflict: `team/a × main: x.ts, y.ts`. */
export function forecastLines(forecast: ForecastConflict[]): string[] {
  return forecast.map((f) => `${f.branch} × ${f.with}: ${f.files.join(', ')}`);
}
