/**
 * `workflow state next`: what the controller must do now, for each of the seven node types, as data —
 * the node, its task, its outcomes, the exact `agent-team` command lines to run in order, and the
 * signal that ends the node. Pure: worker facts come from a {@link WorkerLookup} the caller provides.
 */
import type { NodeReply, NodeState, RunState, WorkflowNode, WorkflowTemplate } from './schema.js';
import { agentTeam } from './shell-quote.js';
import { outcomesOf } from './transitions.js';

/** What the caller knows about workers (from `.agents/workers/` and the session backend). */
export interface WorkerLookup {
  /** Whether `.agents/workers/<id>/worker.yaml` exists. */
  exists(id: string): boolean;
  /** Whether the worker's provider is running (undefined when unknown). */
  running?(id: string): boolean | undefined;
  /** The id `worker create <role>` would hand out now, e.g. `qa-001`. */
  nextId(role: string): string;
  /** An idle worker of `role` that `workflow run` would reuse (`reuse_worker`), when the caller looked one up. */
  idle?(role: string): string | undefined;
  /** Whether another active run is waiting on the worker (it must not be given a second task). */
  busy?(id: string): boolean;
}

/** Which worker does an assigned node, as both `next` and `workflow run` decide it. */
export type WorkerChoice =
  | { kind: 'existing'; id: string }
  | { kind: 'reuse'; id: string }
  | { kind: 'create'; id: string }
  | { kind: 'none'; reason: string };

/**
 * The worker for `node`: the one already doing this visit (`node_states.<id>.worker`), else the run's
 * worker for the actor (`role_worker_map`), else the template's preferred `roles.<alias>.worker` — each
 * only if it still exists and no other active run waits on it; else, with `reuse_worker` (default true),
 * the idle worker `idle` the caller found; else a new one (`create_worker_if_missing`, default true).
 */
export function chooseWorker(state: RunState, template: WorkflowTemplate, node: WorkflowNode, lookup: WorkerLookup, idle?: string): WorkerChoice {
  const ns = state.node_states[node.id];
  const role = node.actor ? template.roles[node.actor]?.role : undefined;
  const candidates = [ns?.status !== 'pending' ? ns?.worker : undefined, node.actor ? state.role_worker_map[node.actor] : undefined, node.actor ? template.roles[node.actor]?.worker : undefined];
  for (const id of candidates) if (id && lookup.exists(id) && !lookup.busy?.(id)) return { kind: 'existing', id };
  if (!role) return { kind: 'none', reason: `node ${node.id} has no role to assign` };
  if (template.defaults?.reuse_worker !== false && idle) return { kind: 'reuse', id: idle };
  if (template.defaults?.create_worker_if_missing === false) {
    return { kind: 'none', reason: `no free worker plays ${node.actor} (${role}) and create_worker_if_missing is false: create one with agent-team worker create ${role} --yes` };
  }
  return { kind: 'create', id: lookup.nextId(role) };
}

/** How the step is driven: `act` (commands to run now), `wait` (for a worker), `decide` (controller judgement), `confirm` (a person must approve), `blocked`, `completed`. */
export type StepKind = 'act' | 'wait' | 'decide' | 'confirm' | 'blocked' | 'completed';

/** One outcome the controller may choose, with the command that records it. */
export interface Choice {
  outcome: string;
  command: string;
}

/** The answer of `workflow state next` (its `--json` document). */
export interface NextStep {
  run_id: string;
  state_file: string;
  run_status: RunState['status'];
  kind: StepKind;
  /** One sentence: what to do and why. */
  message: string;
  node: null | {
    id: string;
    type: WorkflowNode['type'];
    actor: string | null;
    role: string | null;
    worker: string | null;
    status: NodeState['status'];
    visits: number;
  };
  task: string | null;
  requires_confirmation: boolean;
  outcomes: string[];
  /** The node's `command:` (run by `workflow run`), or null. */
  check_command: string | null;
  /** Exact command lines to run now, in order. */
  commands: string[];
  /** For decide/confirm steps: one command per outcome. */
  choices: Choice[];
  /** The signal that ends this step. */
  done_when: string;
  /** Commands to run once `done_when` holds (e.g. complete the node after the worker's reply). */
  then: string[];
  /** The last worker reply recorded on the node, if any. */
  reply: NodeReply | null;
}

/** The worker playing `alias`: `role_worker_map`, else `roles.<alias>.worker`, else null. */
export function workerForActor(state: RunState, template: WorkflowTemplate, alias: string | undefined): string | null {
  if (!alias) return null;
  return state.role_worker_map[alias] ?? template.roles[alias]?.worker ?? null;
}

/** Node types whose work is given to a worker with `worker assign` (verify_or_test only without `command:`). */
export function isAssignedNode(node: WorkflowNode): boolean {
  return node.type === 'assign_role_task' || node.type === 'handoff' || (node.type === 'verify_or_test' && !node.command);
}

/** The command that finishes `node` with the given outcome (confirm when the node requires it). */
export function finishLine(stateFile: string, node: WorkflowNode, extra: { outcome?: string; worker?: string | null; summary?: string } = {}): string {
  const args = ['workflow', 'state', node.requires_confirmation ? 'confirm' : 'complete', stateFile, '--node', node.id];
  if (extra.outcome) args.push('--outcome', extra.outcome);
  if (extra.worker) args.push('--worker', extra.worker);
  if (extra.summary) args.push('--summary', extra.summary);
  return agentTeam(...args);
}

/** The assignment text typed to a worker for `node` (its task, or a generic line). */
export function assignmentText(template: WorkflowTemplate, node: WorkflowNode): string {
  const task = node.task?.trim() || `${node.type} ${node.id} of workflow ${template.name}`;
  const outcomes = outcomesOf(node);
  return outcomes.length ? `${task} (reply with --outcome ${outcomes.join(' or ')})` : task;
}

/**
 * Computes the next step of a run. `stateFile` is the path as the controller typed it (it is echoed in
 * the command lines). Never throws for a valid run and template.
 */
export function nextStep(state: RunState, template: WorkflowTemplate, stateFile: string, workers: WorkerLookup): NextStep {
  const base = {
    run_id: state.run_id,
    state_file: stateFile,
    run_status: state.status,
    commands: [] as string[],
    choices: [] as Choice[],
    then: [] as string[],
  };
  const node = template.nodes.find((n) => n.id === state.current_node);
  if (state.status === 'completed' || !node) {
    return {
      ...base,
      kind: 'completed',
      message: state.status === 'completed' ? `run ${state.run_id} is completed` : `the template has no node ${state.current_node}`,
      node: null,
      task: null,
      requires_confirmation: false,
      outcomes: [],
      check_command: null,
      done_when: 'nothing: the run accepts no more transitions',
      reply: null,
    };
  }
  const ns: NodeState = state.node_states[node.id] ?? { status: 'pending' };
  const role = node.actor ? (template.roles[node.actor]?.role ?? null) : null;
  const assigned = (ns.status !== 'pending' ? ns.worker : undefined) ?? workerForActor(state, template, node.actor);
  const outcomes = outcomesOf(node);
  const reply = ns.reply ?? null;
  const started = ns.status !== 'pending';
  const start = (worker?: string | null) => agentTeam('workflow', 'state', 'start', stateFile, '--node', node.id, ...(worker ? ['--worker', worker] : []));
  const choicesFor = (worker?: string | null, summary?: string) =>
    outcomes.map((outcome) => ({ outcome, command: finishLine(stateFile, node, { outcome, worker, summary }) }));
  const step = (kind: StepKind, message: string, fields: Partial<NextStep> = {}): NextStep => ({
    ...base,
    kind,
    message,
    node: { id: node.id, type: node.type, actor: node.actor ?? null, role, worker: assigned, status: ns.status, visits: ns.visits ?? 1 },
    task: node.task ?? null,
    requires_confirmation: node.requires_confirmation === true,
    outcomes,
    check_command: node.command ?? null,
    done_when: '',
    reply,
    ...fields,
  });

  if (state.status === 'blocked' || ns.status === 'blocked') {
    return step('blocked', `node ${node.id} is blocked: ${state.blocking_reason || ns.summary || 'no reason recorded'}`, {
      commands: [start(assigned)],
      done_when: 'the cause in blocking_reason is fixed; starting the node again clears the block',
    });
  }

  // A worker replied: turn the reply into the transition it asks for.
  if (reply && (ns.status === 'waiting' || ns.status === 'running')) {
    if (reply.status === 'blocked') {
      return step('act', `${reply.worker} reports it is blocked: ${reply.message}`, {
        commands: [agentTeam('workflow', 'state', 'block', stateFile, '--node', node.id, '--reason', reply.message)],
        done_when: 'the run is marked blocked',
      });
    }
    const usable = reply.status === 'done' && (outcomes.length === 0 ? true : reply.outcome !== undefined && outcomes.includes(reply.outcome));
    if (usable && !node.requires_confirmation) {
      return step('act', `${reply.worker} finished: ${reply.message}`, {
        commands: [finishLine(stateFile, node, { outcome: reply.outcome, worker: reply.worker, summary: reply.message })],
        done_when: `node ${node.id} is completed`,
      });
    }
    const why =
      reply.status === 'needs-input'
        ? `${reply.worker} needs input: ${reply.message}`
        : node.requires_confirmation
          ? `${reply.worker} finished (${reply.message}); node ${node.id} requires confirmation`
          : `${reply.worker} replied without a usable outcome (${reply.outcome ?? 'none'}; expected ${outcomes.join('|')}): ${reply.message}`;
    return step(node.requires_confirmation && reply.status === 'done' ? 'confirm' : 'decide', why, {
      commands: reply.status === 'needs-input' ? [agentTeam('reply', reply.worker, '<answer>')] : [],
      choices: outcomes.length ? choicesFor(reply.worker, reply.message) : [{ outcome: '', command: finishLine(stateFile, node, { worker: reply.worker, summary: reply.message }) }],
      done_when: reply.status === 'needs-input' ? `you answered ${reply.worker}; it replies again with reply-main` : 'the controller (or the person, for confirmations) chose',
    });
  }

  // Nodes whose work a worker does.
  if (isAssignedNode(node) || node.type === 'wait_for_completion' || node.type === 'merge') {
    // The same choice `workflow run` makes (chooseWorker).
    // merge and wait_for_completion act on the worker the run already has for the actor.
    const current = assigned;
    const choice: WorkerChoice = isAssignedNode(node)
      ? chooseWorker(state, template, node, workers, role ? workers.idle?.(role) : undefined)
      : current && workers.exists(current)
        ? { kind: 'existing', id: current }
        : { kind: 'none', reason: `no worker plays ${node.actor} in this run yet` };
    if (choice.kind === 'none' && isAssignedNode(node)) {
      return step('decide', choice.reason, { commands: role ? [agentTeam('worker', 'create', role, '--yes')] : [], done_when: 'a worker of the role exists; then ask next again' });
    }
    const worker = choice.kind === 'existing' || choice.kind === 'reuse' ? choice.id : null;
    const id = choice.kind === 'none' ? (assigned ?? workers.nextId(role ?? 'worker')) : choice.id;
    const commands: string[] = [];
    if (choice.kind === 'create' && node.type !== 'wait_for_completion' && node.type !== 'merge') {
      commands.push(agentTeam('worker', 'create', role ?? 'worker', '--yes'));
    }
    const waitLine = agentTeam('workflow', 'state', 'wait', stateFile, '--node', node.id, '--worker', id, '--reason', `waiting for ${id}`);
    const replyDone = `${id} commits and runs: agent-team reply-main "Task completed: <summary>"${outcomes.length ? ` --outcome ${outcomes.join('|')}` : ''}`;
    if (node.type === 'merge') {
      if (!worker) {
        return step('decide', `merge node ${node.id}: no worker plays ${node.actor} yet`, { done_when: 'a worker is recorded for the actor (complete an earlier node with --worker)' });
      }
      return step('confirm', `merge ${id}'s branch team/${id} into the current branch (needs approval)`, {
        commands: [...(started ? [] : [start(id)]), agentTeam('worker', 'merge', id), finishLine(stateFile, node, { worker: id, summary: `merged team/${id}` })],
        done_when: `team/${id} is merged (a conflict leaves the branch unchanged: then block the node)`,
      });
    }
    if (node.type === 'wait_for_completion') {
      if (ns.status === 'waiting') return step('wait', `waiting for ${id} to finish`, { commands: workers.running?.(id) === false && workers.exists(id) ? [agentTeam('worker', 'open', id)] : [], done_when: replyDone, then: outcomes.length ? [] : [finishLine(stateFile, node, { worker: id, summary: '<summary>' })], choices: choicesFor(id, '<summary>') });
      return step('act', `wait for ${id} to finish its current work`, { commands: [waitLine], done_when: replyDone });
    }
    if (ns.status === 'waiting' && choice.kind === 'existing') {
      return step('wait', `waiting for ${id} to finish ${node.id}`, {
        // a worker that stopped lost its task with its pane: reopen it and give the task again (as `workflow run` does)
        commands: workers.running?.(id) === false ? [agentTeam('worker', 'open', id), agentTeam('worker', 'assign', id, assignmentText(template, node))] : [],
        done_when: replyDone,
        then: outcomes.length ? [] : [finishLine(stateFile, node, { worker: id, summary: '<summary>' })],
        choices: choicesFor(id, '<summary>'),
      });
    }
    commands.push(agentTeam('worker', 'open', id));
    if (!started) commands.push(start(id));
    commands.push(agentTeam('worker', 'assign', id, assignmentText(template, node)));
    commands.push(waitLine);
    return step('act', `${node.type === 'handoff' ? 'hand' : 'give'} ${node.id} to ${worker ? id : `a new ${role} worker (${id})`}`, {
      commands,
      done_when: replyDone,
    });
  }

  // verify_or_test / controller_task with a command: `workflow run` executes it.
  if (node.command) {
    if (node.requires_confirmation && ns.status === 'waiting') {
      return step('confirm', `node ${node.id} ran \`${node.command}\` and requires a person's confirmation: ${ns.summary ?? ''}`, {
        choices: outcomes.length ? choicesFor(null, '<summary>') : [{ outcome: '', command: finishLine(stateFile, node, { summary: '<summary>' }) }],
        done_when: 'the person approves the result',
      });
    }
    if ((template.defaults?.execution_mode ?? 'semi_auto') === 'manual') {
      // `workflow run` only prints in manual mode: the controller runs the check and records its result
      const where = assigned ? `${assigned}'s worktree (.worktrees/${assigned})` : 'the repository root';
      return step('decide', `run the check \`${node.command}\` yourself in ${where} (execution_mode is manual): exit 0 → passed, otherwise failed`, {
        commands: started ? [] : [start()],
        choices: outcomes.length ? choicesFor(null, '<summary>') : [{ outcome: '', command: finishLine(stateFile, node, { summary: '<summary>' }) }],
        done_when: outcomes.length ? 'the check ran: choose passed on exit 0, failed otherwise' : 'the check ran: complete on exit 0, otherwise block the node',
      });
    }
    return step('act', `run the check \`${node.command}\``, {
      commands: [agentTeam('workflow', 'run', stateFile)],
      done_when: 'the check ran: exit 0 → outcome passed, otherwise failed (workflow run records it)',
    });
  }

  // controller_task and decision: the controller's own judgement.
  const kind: StepKind = node.requires_confirmation ? 'confirm' : 'decide';
  const commands = started ? [] : [start()];
  if (node.requires_confirmation && ns.status !== 'waiting') {
    commands.push(agentTeam('workflow', 'state', 'wait', stateFile, '--node', node.id, '--reason', 'awaiting confirmation'));
  }
  return step(kind, node.requires_confirmation ? `node ${node.id} needs a person's confirmation: ${node.task ?? node.id}` : `the controller does ${node.id}: ${node.task ?? node.id}`, {
    commands,
    choices: outcomes.length ? choicesFor(null, '<summary>') : [{ outcome: '', command: finishLine(stateFile, node, { summary: '<summary>' }) }],
    done_when: node.requires_confirmation ? 'the person approved (ask them; never confirm on your own)' : node.type === 'decision' ? 'the controller chose an outcome' : 'the controller finished the task',
  });
}
