/**
 * `workflow state next`: what the controller must do now, as data — the node, its task, its outcomes,
 * the exact `agent-team` command lines to run in order, and the signal that ends the step. It is the
 * `next` half of the node type's plan (`nodes/`), so it is exactly what `workflow run` would do.
 */
import { planStep } from './nodes/index.js';
import type { NextStep } from './nodes/step.js';
import type { RunState, WorkflowTemplate } from './schema.js';
import type { WorkerLookup } from './worker-port.js';

export type { NextStep } from './nodes/step.js';
export type { WorkerLookup } from './worker-port.js';
export { isAssignedNode } from './nodes/lines.js';
export { chooseWorker, workerForActor } from './worker-choice.js';

/**
 * Computes the next step of a run. `stateFile` is the path as the controller typed it (it is echoed in
 * the command lines). Never throws for a valid run and template.
 */
export function nextStep(state: RunState, template: WorkflowTemplate, stateFile: string, workers: WorkerLookup): NextStep {
  return planStep(state, template, stateFile, workers).next;
}
