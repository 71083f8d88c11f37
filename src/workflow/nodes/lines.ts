/**
 * The `agent-team …` command lines steps print, and the assignment text a worker receives. Every line
 * is built with {@link agentTeam}, so it is safe to paste into bash as printed.
 */
import { interpolate } from '../interpolate.js';
import type { RunState, WorkflowNode, WorkflowTemplate } from '../schema.js';
import { agentTeam } from '../shell-quote.js';
import { outcomesOf } from '../transitions.js';

/** `workflow state start <file> --node <id> [--worker W]`. */
export function startLine(stateFile: string, node: WorkflowNode, worker?: string | null): string {
  return agentTeam('workflow', 'state', 'start', stateFile, '--node', node.id, ...(worker ? ['--worker', worker] : []));
}

/** `workflow state wait <file> --node <id> [--worker W] --reason R`. */
export function waitLine(stateFile: string, node: WorkflowNode, reason: string, worker?: string | null): string {
  return agentTeam('workflow', 'state', 'wait', stateFile, '--node', node.id, ...(worker ? ['--worker', worker] : []), '--reason', reason);
}

/** `workflow state block <file> --node <id> --reason R`. */
export function blockLine(stateFile: string, node: WorkflowNode, reason: string): string {
  return agentTeam('workflow', 'state', 'block', stateFile, '--node', node.id, '--reason', reason);
}

/** `workflow state reassign <file> --node <id> --reason R`: takes the node from its worker (the overdue step's choice). */
export function reassignLine(stateFile: string, node: string, reason: string): string {
  return agentTeam('workflow', 'state', 'reassign', stateFile, '--node', node, '--reason', reason);
}

/** Node types whose work is given to a worker with `worker assign` (verify_or_test only without `command:`). */
export function isAssignedNode(node: WorkflowNode): boolean {
  return node.type === 'assign_role_task' || node.type === 'handoff' || (node.type === 'verify_or_test' && !node.command);
}

/** The assignment text typed to a worker for `node` (its task with the run's values filled in when `state` is given, or a generic line). */
export function assignmentText(template: WorkflowTemplate, node: WorkflowNode, state?: RunState): string {
  const raw = node.task?.trim() || `${node.type} ${node.id} of workflow ${template.name}`;
  const task = state ? interpolate(raw, state).text : raw;
  const outcomes = outcomesOf(node);
  return outcomes.length ? `${task} (reply with --outcome ${outcomes.join(' or ')})` : task;
}
