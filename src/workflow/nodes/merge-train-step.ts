/**
 * The merge node as a merge train (`merge-train.ts` says when and which branches): plan prints the
 * branches and the approval it needs; act (approved with `workflow run --yes`) merges them all or nothing
 * through the port, with the node's `command:` (and its `retry:`/`timeout:`) checked on the integration
 * branch, and completes the node, or blocks it naming the branch and files. A train without `command:`
 * whose branches are all in the current branch already is recorded as merged without asking (merge-found.ts).
 */
import { checkSummary } from '../check-command.js';
import { runCheckWithRetry } from '../check-retry.js';
import { keptOutput } from './act-shared.js';
import { trainWorkers } from '../merge-train.js';
import type { WorkflowNode } from '../schema.js';
import { agentTeam } from '../shell-quote.js';
import { startLine } from './lines.js';
import { actFoundMerged, foundInto, foundMergedStep } from './merge-found.js';
import type { ActIO, ActResult, PlanContext, Step } from './step.js';

/** How a merge that is not approved yet gets approval (the end of its `why`). */
export const APPROVAL = 'show it to the person, and once they approve, rerun with --yes (it approves the merges awaiting approval when it starts, never one the run reaches later)';

/** The plan of a merge-train node: the branches to merge, approved by `workflow run --yes`. */
export function planTrain(ctx: PlanContext): Step {
  const { node, state, template, stateFile, started } = ctx;
  const workers = trainWorkers(state, template, node);
  const branches = workers.map((w) => `team/${w}`);
  // found merged only without a check: the node's command must have passed on what it completes with
  const into = node.command ? undefined : foundInto(ctx, workers);
  if (into !== undefined) return foundMergedStep(ctx, workers, into, null);
  const check = node.command ? `, checked with \`${node.command}\`` : '';
  const message = workers.length
    ? `merge ${branches.join(', ')} into the current branch as one train${check} (needs approval)`
    : `nothing to merge for ${node.id}: no worker node of this pass completed with a worker`;
  return ctx.step('confirm', message, {
    commands: [...(started ? [] : [startLine(stateFile, node)]), agentTeam('workflow', 'run', stateFile, '--yes')],
    done_when: `the branches are merged and the current branch fast-forwarded (a conflict or a failed check leaves it unchanged and blocks ${node.id})`,
  }, { kind: 'train', workers, command: node.command ?? null, start: !started });
}

/** Runs the train (only with approval); completes the node with what was merged, or blocks it. */
export async function actTrain(step: Step, node: WorkflowNode, io: ActIO): Promise<ActResult> {
  const action = step.action;
  if (action.kind !== 'train') throw new Error('actTrain needs a train step (this is a bug in agent-team)');
  const branches = action.workers.map((w) => `team/${w}`).join(', ') || 'nothing';
  const found = await actFoundMerged(step, node, io, action.workers, null);
  if (found) return found;
  if (!io.approved(node.id, step.next.node?.visits ?? 0)) {
    if (step.next.node?.status !== 'waiting') await io.move({ action: 'wait', node: node.id, reason: `merge train of ${branches} awaits approval` });
    return { stopped: 'confirmation', why: `the merge train of ${branches} needs approval: ${APPROVAL}` };
  }
  if (action.start) await io.move({ action: 'start', node: node.id });
  if (!io.port.mergeTrain) throw new Error('this worker port cannot run merge trains (this is a bug in agent-team)');
  try {
    const check = action.command
      ? async (dir: string) => {
          const r = await runCheckWithRetry(action.command as string, node, dir, (attempt) => io.record(node.id, 'retry', `${action.command} failed on the integration (run ${attempt}): running it again`));
          const kept = keptOutput(io, node.id, r.output);
          return { passed: r.passed, summary: checkSummary(action.command as string, r.timedOut ? `was killed after ${node.timeout}` : `exited ${r.exitCode ?? 'killed'}`, r, kept) };
        }
      : undefined;
    const { summary, warnings } = await io.port.mergeTrain(action.workers, { name: node.id, ...(check ? { check } : {}) });
    for (const w of warnings ?? []) io.record(node.id, 'recover', w);
    const outcome = step.next.outcomes.includes('merged') ? { outcome: 'merged' } : {};
    await io.move({ action: node.requires_confirmation ? 'confirm' : 'complete', node: node.id, summary, ...outcome });
    io.record(node.id, 'merge', summary);
    return { stopped: null };
  } catch (err) {
    for (const w of ((err as { details?: { warnings?: unknown } }).details?.warnings as string[] | undefined) ?? []) io.record(node.id, 'recover', w);
    const reason = (err as Error).message;
    await io.move({ action: 'block', node: node.id, reason });
    io.record(node.id, 'block', reason);
    return { stopped: 'blocked', why: reason };
  }
}
