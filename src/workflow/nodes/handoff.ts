/** `handoff`: the work moves to the actor's worker, given like an assign_role_task ("hand X to W"). */
import { actCommon } from './act-shared.js';
import { planWorkerTask } from './plan-shared.js';
import type { NodeModule } from './step.js';

/** The handoff node type. */
export const handoff: NodeModule = {
  plan: planWorkerTask,
  act: actCommon,
};
