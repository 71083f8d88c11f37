/**
 * The node-type table and the one planner both `workflow state next` and `workflow run` use: the run's
 * own states (completed, blocked, a worker's reply) first, then the current node type's `plan`. A new
 * node type is one module registered here; the `Record<NodeType, …>` type makes the compiler name a
 * missing entry.
 */
import { activeIds, baseNodeId, isInstanceId, nodeOfId } from '../active.js';
import { conflictChoices, recordedConflict, unmergedOf } from '../builds-on-conflict.js';
import { instanceHasSlot, instanceNode } from '../for-each.js';
import type { NodeState, RunState, WorkflowNode, WorkflowTemplate } from '../schema.js';
import type { NodeType } from '../schema.js';
import { interpolate } from '../interpolate.js';
import { outcomesOf } from '../transitions.js';
import type { WorkerLookup } from '../worker-port.js';
import { chooseWorker, workerForActor, workersHeldByActive } from '../worker-choice.js';
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
 * The steps of a run now, one per active node or for_each instance (`current_node` first): what `next`
 * prints (`step.next`) and what `run` does (`step.action`). Pure; worker facts come from `lookup`.
 * Workers recorded on the run's other active nodes, and workers chosen for earlier steps of this plan,
 * are not offered again (distinct workers for parallel steps). Never throws for a valid run and template.
 */
export function planSteps(state: RunState, template: WorkflowTemplate, stateFile: string, lookup: WorkerLookup): Step[] {
  const ids = activeIds(state);
  if (state.status === 'completed' || ids.length === 0) return [planOne(state, template, stateFile, lookup, state.current_node)];
  const taken = new Set<string>();
  const steps: Step[] = [];
  for (const id of ids) {
    const scoped = parallelLookup(lookup, state, template, ids, id, taken);
    const step = planOne(state, template, stateFile, scoped, id);
    if (ids.length > 1 && step.node && step.action.kind === 'assign') {
      // the worker this step would get (the same choice its plan made) is not offered to the next step
      const role = step.node.actor ? template.roles[step.node.actor]?.role : undefined;
      const choice = chooseWorker(state, template, step.node, scoped, role ? scoped.idle?.(role) : undefined);
      if (choice.kind !== 'none') taken.add(choice.id);
    }
    steps.push(step);
  }
  return steps;
}

/**
 * The step of a run now: the first of {@link planSteps}, whose `next` document also lists every step
 * (`steps`; the first step's fields stay at the top level for readers that know one node).
 */
export function planStep(state: RunState, template: WorkflowTemplate, stateFile: string, lookup: WorkerLookup): Step {
  const steps = planSteps(state, template, stateFile, lookup);
  const first = steps[0] as Step;
  return { ...first, next: { ...first.next, steps: steps.map((s) => s.next) } };
}

/** `lookup` for step `id` of a run at several nodes: workers held by the other active nodes ({@link workersHeldByActive}) or taken by earlier steps are busy. */
function parallelLookup(lookup: WorkerLookup, state: RunState, template: WorkflowTemplate, ids: string[], id: string, taken: Set<string>): WorkerLookup {
  if (ids.length < 2) return lookup;
  const held = new Set([...taken, ...workersHeldByActive(state, template, id)]);
  return {
    ...lookup,
    busy: (w) => held.has(w) || lookup.busy?.(w) === true,
    idle: lookup.idle ? (role) => {
      const w = lookup.idle?.(role);
      return w && !held.has(w) ? w : undefined;
    } : undefined,
    nextId: (role) => {
      let next = lookup.nextId(role);
      while (held.has(next)) next = bumpId(next);
      return next;
    },
  };
}

/** `dev-002` → `dev-003` (the id `worker create` hands out after one more worker of the role). */
function bumpId(id: string): string {
  const m = /^(.*-)(\d+)$/.exec(id);
  return m ? `${m[1]}${String(Number(m[2]) + 1).padStart((m[2] as string).length, '0')}` : `${id}-2`;
}

/** The node `id` (a node or a for_each instance) as its plan sees it: an instance has its own id and task. */
export function nodeForId(state: RunState, template: WorkflowTemplate, id: string): WorkflowNode | undefined {
  const node = nodeOfId(template, id);
  if (!node || !isInstanceId(id)) return node;
  return instanceNode(node, id, state.node_states[id]);
}

/** The step of one active node or instance `id`. */
function planOne(state: RunState, template: WorkflowTemplate, stateFile: string, lookup: WorkerLookup, id: string): Step {
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
  const node = id ? nodeForId(state, template, id) : undefined;
  if (state.status === 'completed' || state.status === 'cancelled' || !node) {
    const cancelled = [...state.decision_log].reverse().find((e) => e.action === 'cancel');
    const why =
      state.status === 'completed'
        ? `run ${state.run_id} is completed`
        : state.status === 'cancelled'
          ? `run ${state.run_id} is cancelled${cancelled?.summary ? `: ${cancelled.summary}` : ''}`
          : `the template has no node ${id}`;
    return {
      next: { ...base, kind: 'completed', message: why, node: null, task: null, requires_confirmation: false, outcomes: [], check_command: null, done_when: 'nothing: the run accepts no more transitions', reply: null, warnings: [] },
      action: { kind: 'stop', stopped: 'completed', why },
    };
  }
  const ns: NodeState = state.node_states[node.id] ?? { status: 'pending' };
  const role = node.actor ? (template.roles[node.actor]?.role ?? null) : null;
  // an instance has its own worker: it never takes the actor's
  const assigned = (ns.status !== 'pending' ? ns.worker : undefined) ?? (isInstanceId(id) ? null : workerForActor(state, template, node.actor));
  const manual = (template.defaults?.execution_mode ?? 'semi_auto') === 'manual';
  const single = activeIds(state).length < 2;
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
      return { next, action: run, node };
    },
  };
  if ((single && state.status === 'blocked') || ns.status === 'blocked') {
    const reason = (single ? state.blocking_reason : '') || ns.summary || '';
    const why = `node ${node.id} is blocked: ${reason || 'no reason recorded'}`;
    // a builds_on conflict: the retry alone would conflict the same way, so first send it to a developer
    const conflict = recordedConflict(ns, reason);
    if (conflict) {
      const pending = conflict.resolve;
      // the [resolve] assignment is tied to this node: wait for that worker's reply, as for a task
      if (pending && !pending.reply) {
        const waiting = `${why}; waiting for ${pending.worker} to resolve it (change ${pending.change}, assigned ${pending.assigned_at})`;
        return ctx.step('wait', waiting, { done_when: `${pending.worker} runs reply-main (then retry)` }, { kind: 'stop', stopped: 'waiting', why: waiting });
      }
      // a `done` reply counts only when the merge is there: else [resolve] stays first, with the reason
      const unmerged = pending?.reply?.status === 'done' ? unmergedOf(conflict, lookup.contains) : [];
      const missing = unmerged.length ? `; but ${unmerged.join(' and ')} ${unmerged.length > 1 ? 'are' : 'is'} not merged into ${conflict.branch} (git merge-base --is-ancestor): send the resolve again` : '';
      const replied = pending?.reply ? `${why}; ${pending.worker} replied: ${pending.reply.message}${pending.reply.status === 'done' ? '' : ` (status ${pending.reply.status})`}${missing}` : why;
      return ctx.step('blocked', replied, {
        choices: conflictChoices(conflict, node.id, state.run_id, startLine(stateFile, node, assigned), stateFile, unmerged),
        done_when: `${conflict.branch} holds ${conflict.others.join(' and ')} with ${conflict.files.join(', ')} resolved; then retry (starting the node again clears the block)`,
      }, { kind: 'stop', stopped: 'blocked', why: replied });
    }
    return ctx.step('blocked', why, {
      commands: [startLine(stateFile, node, assigned)],
      done_when: 'the cause in blocking_reason is fixed; starting the node again clears the block',
    }, { kind: 'stop', stopped: 'blocked', why });
  }
  const queued = isInstanceId(id) && ns.status === 'pending' && !instanceHasSlot(state, nodeOfId(template, id) as WorkflowNode, id);
  if (queued) {
    const max = nodeOfId(template, id)?.for_each?.max_parallel;
    const why = `${id} waits for a free slot (max_parallel ${max})`;
    return ctx.step('wait', why, { done_when: `an earlier instance of ${baseNodeId(id)} completes` }, { kind: 'stop', stopped: 'waiting', why });
  }
  return planReply(ctx) ?? NODE_MODULES[node.type].plan(ctx);
}
