/** `wait_for_completion`: wait for the actor's worker to reply on work it already has; reopen it if its agent stopped. */
import { actCommon } from './act-shared.js';
import { planWaitForWorker } from './plan-shared.js';
import type { NodeModule } from './step.js';

/** The wait_for_completion node type. */
export const waitForCompletion: NodeModule = {
  plan: planWaitForWorker,
  act: actCommon,
};
