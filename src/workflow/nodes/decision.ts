/** `decision`: the controller chooses one of the node's outcomes (a person, when it requires confirmation). */
import { actCommon } from './act-shared.js';
import { planJudgement } from './plan-shared.js';
import type { NodeModule } from './step.js';

/** The decision node type. */
export const decision: NodeModule = {
  plan: planJudgement,
  act: actCommon,
};
