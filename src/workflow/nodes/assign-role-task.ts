/** `assign_role_task`: a worker of the actor's role does the task (chosen and reserved, opened, assigned, waited on). */
import { actCommon } from './act-shared.js';
import { planWorkerTask } from './plan-shared.js';
import type { NodeModule } from './step.js';

/** The assign_role_task node type. */
export const assignRoleTask: NodeModule = {
  plan: planWorkerTask,
  act: actCommon,
};
