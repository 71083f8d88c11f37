/**
 * The node-type table and the one planner both `workflow state next` and `workflow run` use: the run's
 * own states (completed, blocked, a worker's reply) first, then the current node type's `plan`. A new
 * node type is one module registered here; the `Record<NodeType, …>` type makes the compiler name a
 * missing entry.
 */
import type { NodeState, RunState, WorkflowTemplate } from '../schema.js';
import type { NodeType } from '../schema.js';
import { interpolate } from '../interpolate.js';
import { outcomesOf } from '../transitions.js';
import type { WorkerLookup } from '../worker-port.js';
import { workerForActor } from '../worker-choice.js';
import { assignRoleTask } from './assign-role-task.js';
import { controllerTask } from './controller-task.js';
import { decision } from './decision.js';
import { handoff } from './handoff.js';
import { startLine } from './lines.js';
import { merge } from './merge.js';
import { planReply } from './plan-shared.js';
import type { NextStep, NodeModule, PlanContext, RunAction, Step } from './step.js';
import { verifyOrTest } from './verify-or-test.js';
import { waitForCompletion } from './wait-for-completion.js';

/** One module per node type. */
export const NODE_MODULES: Record<NodeType, NodeModule> = {
  controller_task: controllerTask,
  assign_role_task: assignRoleTask,
  wait_for_completion: waitForCompletion,
  decision,
  handoff,
  verify_or_test: verifyOrTest,
  merge,
};

/**
 * The step of a run now: what `next` prints (`step.next`) and what `run` does (`step.action`). Pure;
 * worker facts come from `lookup`. `stateFile` is echoed in the command lines. Never throws for a
 * valid run and template.
 */
export function planStep(state: RunState, template: WorkflowTemplate, stateFile: string, lookup: WorkerLookup): Step {
  const base = {
    run_id: state.run_id,
    state_file: stateFile,
    run_status: state.status,
    ...(state.params ? { params: state.params } : {}),
    commands: [] as string[],
    choices: [],
    then: [] as string[],
    reply_template: null as string | null,
  };
  const node = template.nodes.find((n) => n.id === state.current_node);
  if (state.status === 'completed' || state.status === 'cancelled' || !node) {
    const cancelled = [...state.decision_log].reverse().find((e) => e.action === 'cancel');
    const why =
      state.status === 'completed'
        ? `run ${state.run_id} is completed`
        : state.status === 'cancelled'
          ? `run ${state.run_id} is cancelled${cancelled?.summary ? `: ${cancelled.summary}` : ''}`
          : `the template has no node ${state.current_node}`;
    return {
      next: { ...base, kind: 'completed', message: why, node: null, task: null, requires_confirmation: false, outcomes: [], check_command: null, done_when: 'nothing: the run accepts no more transitions', reply: null, warnings: [] },
      action: { kind: 'stop', stopped: 'completed', why },
    };
  }
  const ns: NodeState = state.node_states[node.id] ?? { status: 'pending' };
  const role = node.actor ? (template.roles[node.actor]?.role ?? null) : null;
  const assigned = (ns.status !== 'pending' ? ns.worker : undefined) ?? workerForActor(state, template, node.actor);
  const manual = (template.defaults?.execution_mode ?? 'semi_auto') === 'manual';
  const task = node.task !== undefined ? interpolate(node.task, state) : undefined;
  const command = node.command !== undefined ? interpolate(node.command, state, { shell: true }) : undefined;
  const unresolved = [...new Set([...(task?.unresolved ?? []), ...(command?.unresolved ?? [])])];
  const warnings = unresolved.map((ref) => `{{${ref}}} in node ${node.id} is left as written: ${ref.startsWith('nodes.') ? `node ${ref.split('.')[1]} is not done yet in this run` : 'the run has no value for it'}`);
  const ctx: PlanContext = {
    state,
    template,
    stateFile,
    lookup,
    node,
    ns,
    role,
    assigned,
    outcomes: outcomesOf(node),
    started: ns.status !== 'pending',
    task: task?.text ?? null,
    command: command?.text ?? null,
    step(kind, message, fields, action): Step {
      const next: NextStep = {
        ...base,
        kind,
        message,
        node: { id: node.id, type: node.type, actor: node.actor ?? null, role, worker: assigned, activity: (assigned && lookup.activity?.(assigned)) || null, status: ns.status, visits: ns.visits ?? 1 },
        task: ctx.task,
        requires_confirmation: node.requires_confirmation === true,
        outcomes: ctx.outcomes,
        check_command: ctx.command,
        done_when: '',
        reply: ns.reply ?? null,
        warnings,
        ...fields,
      };
      // manual mode: `workflow run` only prints what to do next
      const run: RunAction = manual ? { kind: 'stop', stopped: 'manual', why: 'execution_mode is manual: workflow run only prints the next step' } : action;
      return { next, action: run };
    },
  };
  if (state.status === 'blocked' || ns.status === 'blocked') {
    const why = `node ${node.id} is blocked: ${state.blocking_reason || ns.summary || 'no reason recorded'}`;
    return ctx.step('blocked', why, {
      commands: [startLine(stateFile, node, assigned)],
      done_when: 'the cause in blocking_reason is fixed; starting the node again clears the block',
    }, { kind: 'stop', stopped: 'blocked', why });
  }
  return planReply(ctx) ?? NODE_MODULES[node.type].plan(ctx);
}
