/**
 * A merge node whose workers' branches are already in the current branch (userplay finding 7): a
 * `workflow run --yes` killed while git merged leaves the merge done (git runs in its own process group)
 * and the node unrecorded. Asking to approve it again would ask about something already done, so the
 * plan records it as merged instead ("found merged", nothing merged now), and `act` checks git again first.
 */
import type { WorkflowNode } from '../schema.js';
import { finishLine } from '../transitions.js';
import { startLine } from './lines.js';
import type { ActIO, ActResult, Move, PlanContext, Step } from './step.js';

/** The summary recorded on a node found merged: the branches, the target, and that nothing was merged now. */
function foundSummary(workers: string[], into: string): string {
  const branches = workers.map((w) => `team/${w}`).join(', ');
  return `found merged: ${branches} ${workers.length === 1 ? 'was' : 'were'} already in ${into} (a merge that finished after agent-team was stopped, or nothing new); nothing merged now`;
}

/** The current branch when every worker's branch is already in it (from the plan's lookup), else undefined. */
export function foundInto(ctx: PlanContext, workers: string[]): string | undefined {
  const into = workers.length ? ctx.lookup.mergedInto?.(workers[0] as string) : undefined;
  return into !== undefined && workers.every((w) => ctx.lookup.mergedInto?.(w) === into) ? into : undefined;
}

function moves(node: WorkflowNode, worker: string | null, start: boolean, outcomes: string[], summary: string): Move[] {
  const outcome = outcomes.includes('merged') ? { outcome: 'merged' } : {};
  const who = worker ? { worker } : {};
  return [...(start ? [{ action: 'start' as const, node: node.id, ...who }] : []), { action: node.requires_confirmation ? 'confirm' : 'complete', node: node.id, ...who, summary, ...outcome }];
}

/**
 * The step of a merge node found merged into `into`: `act` with the lines that record it (no approval:
 * nothing is merged); `workflow run` does the same. `worker` is the single merge's worker, null for a train.
 */
export function foundMergedStep(ctx: PlanContext, workers: string[], into: string, worker: string | null): Step {
  const { node, stateFile, started } = ctx;
  const summary = foundSummary(workers, into);
  const branches = workers.map((w) => `team/${w}`).join(', ');
  const outcome = ctx.outcomes.includes('merged') ? 'merged' : undefined;
  const found = { into, summary };
  return ctx.step('act', `${branches} ${workers.length === 1 ? 'is' : 'are'} already merged into ${into}: record ${node.id} as merged (nothing to merge or approve)`, {
    commands: [...(started ? [] : [startLine(stateFile, node, worker)]), finishLine(stateFile, node, { worker, summary, ...(outcome ? { outcome } : {}) })],
    done_when: `${node.id} is completed`,
  }, worker ? { kind: 'merge', worker, start: !started, found } : { kind: 'train', workers, command: null, start: !started, found });
}

/**
 * Records a node planned as found merged, after checking git again (the branches may have moved since
 * the plan): completes it with the summary and returns go on; returns undefined when a branch is no
 * longer all in the current branch (the caller then merges as usual, with approval).
 */
export async function actFoundMerged(step: Step, node: WorkflowNode, io: ActIO, workers: string[], worker: string | null): Promise<ActResult | undefined> {
  const action = step.action;
  if ((action.kind !== 'merge' && action.kind !== 'train') || !action.found) return undefined;
  const into = io.port.checkMergedInto ? await io.port.checkMergedInto(workers) : undefined;
  if (into !== action.found.into) return undefined;
  for (const m of moves(node, worker, action.start, step.next.outcomes, action.found.summary)) await io.move(m);
  io.record(node.id, 'merge', action.found.summary);
  return { stopped: null };
}
