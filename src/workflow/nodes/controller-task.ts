/** `controller_task`: the controller's own work; with a `command:` a check `workflow run` runs. */
import { actCheck, actCommon } from './act-shared.js';
import { planCheck, planJudgement } from './plan-shared.js';
import type { NodeModule } from './step.js';

/** The controller_task node type. */
export const controllerTask: NodeModule = {
  plan: (ctx) => (ctx.node.command ? planCheck(ctx) : planJudgement(ctx)),
  act: (step, node, io) => (node.command ? actCheck(step, node, io) : actCommon(step, node, io)),
};
