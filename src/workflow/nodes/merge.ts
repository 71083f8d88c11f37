/**
 * `merge`: merge the actor's worker branch `team/<id>` into the controller's branch — only when
 * approved (`workflow run --yes`, or the controller running the printed commands). A conflict leaves
 * the branch as it was and blocks the node. A branch already in the current branch (a merge that finished
 * after agent-team was stopped) is recorded as merged without asking (merge-found.ts).
 */
import { agentTeam } from '../shell-quote.js';
import { actCommon } from './act-shared.js';
import { finishLine } from '../transitions.js';
import { startLine } from './lines.js';
import type { ActResult, NodeModule } from './step.js';
import { actFoundMerged, foundInto, foundMergedStep } from './merge-found.js';
import { actTrain, APPROVAL, planTrain } from './merge-train-step.js';
import { isMergeTrain } from '../merge-train.js';

/** The merge node type. */
export const merge: NodeModule = {
  plan(ctx) {
    const { node, lookup, assigned, stateFile, started } = ctx;
    if (isMergeTrain(node, ctx.template)) return planTrain(ctx);
    const worker = assigned && lookup.exists(assigned) ? assigned : null;
    if (!worker) {
      const why = `merge node ${node.id}: no worker plays ${node.actor} yet`;
      return ctx.step('decide', why, { done_when: 'a worker is recorded for the actor (complete an earlier node with --worker)' }, { kind: 'stop', stopped: 'decision', why });
    }
    const into = foundInto(ctx, [worker]);
    if (into !== undefined) return foundMergedStep(ctx, [worker], into, worker);
    return ctx.step('confirm', `merge ${worker}'s branch team/${worker} into the current branch (needs approval)`, {
      commands: [...(started ? [] : [startLine(stateFile, node, worker)]), agentTeam('worker', 'merge', worker), finishLine(stateFile, node, { worker, summary: `merged team/${worker}` })],
      done_when: `team/${worker} is merged (a conflict leaves the branch unchanged: then block the node)`,
    }, { kind: 'merge', worker, start: !started });
  },
  async act(step, node, io): Promise<ActResult> {
    const action = step.action;
    if (action.kind === 'train') return actTrain(step, node, io);
    if (action.kind !== 'merge') return actCommon(step, node, io);
    const { worker } = action;
    const found = await actFoundMerged(step, node, io, [worker], worker);
    if (found) return found;
    if (!io.approved(node.id, step.next.node?.visits ?? 0)) {
      if (step.next.node?.status !== 'waiting') await io.move({ action: 'wait', node: node.id, worker, reason: `merge of team/${worker} awaits approval` });
      return { stopped: 'confirmation', why: `merging team/${worker} needs approval: ${APPROVAL}` };
    }
    if (action.start) await io.move({ action: 'start', node: node.id, worker });
    try {
      const { summary } = await io.port.merge(worker);
      await io.move({ action: node.requires_confirmation ? 'confirm' : 'complete', node: node.id, worker, summary, ...(step.next.outcomes.includes('merged') ? { outcome: 'merged' } : {}) });
      io.record(node.id, 'merge', summary);
      return { stopped: null };
    } catch (err) {
      const reason = `merge of team/${worker} failed: ${(err as Error).message}`;
      await io.move({ action: 'block', node: node.id, reason });
      io.record(node.id, 'block', reason);
      return { stopped: 'blocked', why: reason };
    }
  },
};
