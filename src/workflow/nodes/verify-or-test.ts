/**
 * `verify_or_test`: with a `command:`, `workflow run` runs it (exit 0 → `passed`, else `failed`);
 * without one, the actor's worker verifies and replies with the outcome.
 */
import { actCheck, actCommon } from './act-shared.js';
import { planCheck, planWorkerTask } from './plan-shared.js';
import type { NodeModule } from './step.js';

/** The verify_or_test node type. */
export const verifyOrTest: NodeModule = {
  plan: (ctx) => (ctx.node.command ? planCheck(ctx) : planWorkerTask(ctx)),
  act: (step, node, io) => (node.command ? actCheck(step, node, io) : actCommon(step, node, io)),
};
