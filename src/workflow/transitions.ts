/**
 * The transition rules of DESIGN.md ("Transitions") as pure functions: given a run-state, the template
 * and a request, return the new run-state and the decision-log entry, or throw a TransitionError whose
 * hint is the command that would work. Nothing here reads or writes files.
 */
import { TransitionError, UsageError } from '../errors.js';
import { activeIds, baseNodeId, isInstanceId, setActive, summariseStatus } from './active.js';
import { didYouMean } from './did-you-mean.js';
import { leaveNode } from './fork-join.js';
import { timestamp } from './run-state.js';
import { shellQuote as q } from '../shell-quote.js';
import { agentTeam } from './shell-quote.js';
import { restartClock } from './overdue.js';
import type { DecisionEntry, NodeState, RunState, WorkflowNode, WorkflowTemplate } from './schema.js';

/** The five transitions of `agent-team workflow state`. */
export const TRANSITIONS = ['start', 'wait', 'block', 'complete', 'confirm'] as const;
/** One of {@link TRANSITIONS}. */
export type TransitionAction = (typeof TRANSITIONS)[number];

/** What the caller asks for. `stateFile` is only used to write the hint commands. */
export interface TransitionRequest {
  action: TransitionAction;
  node: string;
  /** Required by wait and block; stored as the node's and the log entry's summary (Go semantics). */
  reason?: string;
  outcome?: string;
  nextNode?: string;
  worker?: string;
  summary?: string;
  /** Allow acting on a node that is not current (logged as `forced: true`). */
  force?: boolean;
  now: Date;
  stateFile: string;
}

/** The outcome of a transition: the new state (a copy) and the entry appended to `decision_log`. */
export interface TransitionResult {
  state: RunState;
  entry: DecisionEntry;
}

/** The outcome labels of a node (its branches' `when`), or `[]`. */
export function outcomesOf(node: WorkflowNode): string[] {
  return (node.branches ?? []).map((b) => b.when);
}


/** `agent-team workflow state next <file>`: the hint when no single command is the right one. */
export function nextCommand(stateFile: string): string {
  return `agent-team workflow state next ${q(stateFile)}`;
}

/** The command that finishes `node` with the given outcome (confirm when the node requires it). */
export function finishLine(stateFile: string, node: WorkflowNode, extra: { outcome?: string; worker?: string | null; summary?: string } = {}): string {
  const args = ['workflow', 'state', node.requires_confirmation ? 'confirm' : 'complete', stateFile, '--node', node.id];
  if (extra.outcome) args.push('--outcome', extra.outcome);
  if (extra.worker) args.push('--worker', extra.worker);
  if (extra.summary) args.push('--summary', extra.summary);
  return agentTeam(...args);
}

/** One {@link finishLine} per outcome of `node` (one line without outcomes). */
export function finishCommands(stateFile: string, node: WorkflowNode): string[] {
  const outcomes = outcomesOf(node);
  return outcomes.length ? outcomes.map((outcome) => finishLine(stateFile, node, { outcome })) : [finishLine(stateFile, node)];
}

/**
 * The hint that finishes `node`: its one finish line, or — when it branches, so one line per outcome
 * would be a choice nobody made — `state next`, which prints the choices (also in `details.choices`).
 */
export function finishCommand(stateFile: string, node: WorkflowNode): string {
  const lines = finishCommands(stateFile, node);
  return lines.length === 1 ? (lines[0] as string) : nextCommand(stateFile);
}

/** Node types a worker does (the controller never completes them before they started). */
const WORKER_NODE_TYPES = new Set<WorkflowNode['type']>(['assign_role_task', 'handoff', 'verify_or_test', 'wait_for_completion', 'merge']);

/**
 * Applies one transition. Throws {@link TransitionError} (exit 1) when it does not apply: the run is
 * completed, the node is unknown or not current (without `force`), `complete` on a node that requires
 * confirmation (or `confirm` on one that does not), an unknown `--next-node`, a missing or unknown
 * `--outcome` on a branching node, or `block` without a reason. The input state is never mutated.
 */
export function applyTransition(current: RunState, template: WorkflowTemplate, req: TransitionRequest): TransitionResult {
  const nodes = new Map(template.nodes.map((n) => [n.id, n]));
  assertNotFinished(current);
  const node = nodes.get(baseNodeId(req.node));
  const instance = isInstanceId(req.node);
  if (!node || (instance && !current.node_states[req.node])) {
    const suggestion = didYouMean(req.node, nodes.keys());
    throw new TransitionError(`workflow ${template.name} has no node ${JSON.stringify(req.node)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; the current node is ${current.current_node || '(none)'}`, {
      code: 'unknown_node',
      hint: nextCommand(req.stateFile),
    });
  }
  const active = activeIds(current);
  const id = req.node; // the node, or the for_each instance (`api/2`)
  const isCurrent = active.includes(id);
  if (!isCurrent && (!req.force || instance)) {
    const what = active.length > 1 ? `is not active (active: ${active.join(', ')})` : `is not the current node (current: ${current.current_node || '(none)'})`;
    throw new TransitionError(`node ${id} ${what}; see what the current node needs${instance ? '' : ', or add --force to move out of order deliberately'}`, {
      code: 'not_current_node',
      hint: nextCommand(req.stateFile),
      details: { current_node: current.current_node, active_nodes: active },
    });
  }

  // Copy only what a transition may change (a run can hold tens of thousands of log entries): the
  // top level, the node map and the node touched (nodeState/enterNode put fresh objects in).
  const state: RunState = { ...current, node_states: { ...current.node_states }, role_worker_map: { ...current.role_worker_map } };
  const now = timestamp(req.now);
  const forced = !isCurrent;
  // a run at several nodes (or a template that can fork, join or repeat) moves by the parallel rules
  const parallel = active.length > 1 || usesParallelKeys(template);
  // A current node that says `completed` was re-entered by the Go version (which does not reset loops):
  // enter it properly, keeping that earlier visit in its history.
  if (forced || (!instance && current.node_states[node.id]?.status === 'completed')) enterNode(state, node.id, now);
  // At one node, --force moves the run there (the Go semantics); at several, the forced node joins the
  // active nodes and the other paths stay as they are (enterNode made it current_node: undo that).
  if (active.length > 1) setActive(state, forced ? [...active, id] : active);
  const ns = nodeState(state, id);
  const entry: DecisionEntry = { timestamp: now, node: id, action: req.action };
  // a for_each instance does not speak for the actor: each instance has its own worker
  const playsActor = !instance && node.actor !== undefined;
  if (req.worker) entry.worker = req.worker;
  if (req.summary) entry.summary = req.summary;
  if (forced) entry.forced = true;

  switch (req.action) {
    case 'start':
      // clearing a block restarts the overdue clock: the worker gets its full time again
      if (ns.status === 'blocked') Object.assign(ns, restartClock(node, ns, now));
      ns.status = 'running';
      ns.started_at ??= now;
      ns.updated_at = now;
      if (req.worker) ns.worker = req.worker;
      // The worker doing the actor's node plays that role from now on (controller loop, `next`).
      if (req.worker && playsActor && node.actor) state.role_worker_map = { ...state.role_worker_map, [node.actor]: req.worker };
      // (Re)starting a node acknowledges a recorded reply (e.g. the "blocked" one that blocked it).
      delete ns.reply;
      state.status = 'running';
      state.blocking_reason = '';
      state.pending_confirmation = '';
      break;
    case 'wait':
    case 'block': {
      // Go compatibility: the reason is the node's summary and the log entry's summary.
      if (!req.reason || req.reason.trim() === '') {
        throw new TransitionError(`${req.action} needs a reason: add --reason with one sentence saying why`, { code: 'missing_reason' });
      }
      ns.summary = req.reason;
      ns.updated_at = now;
      entry.summary = req.reason;
      if (req.worker) ns.worker = req.worker;
      if (req.worker && playsActor && node.actor && req.action === 'wait') state.role_worker_map = { ...state.role_worker_map, [node.actor]: req.worker };
      if (req.action === 'block') {
        ns.status = 'blocked';
        state.status = 'blocked';
        state.blocking_reason = req.reason;
        state.pending_confirmation = '';
      } else {
        ns.status = 'waiting';
        state.blocking_reason = '';
        state.status = node.requires_confirmation ? 'waiting_confirmation' : 'waiting';
        state.pending_confirmation = node.requires_confirmation ? node.id : '';
      }
      break;
    }
    case 'complete':
    case 'confirm': {
      const choices = { choices: finishCommands(req.stateFile, node) };
      if (req.action === 'complete' && node.requires_confirmation) {
        throw new TransitionError(`node ${node.id} requires confirmation`, { code: 'requires_confirmation', hint: finishCommand(req.stateFile, node), details: choices });
      }
      if (req.action === 'confirm' && !node.requires_confirmation) {
        throw new TransitionError(`node ${node.id} does not require confirmation; complete it instead`, { code: 'no_confirmation_required', hint: finishCommand(req.stateFile, node), details: choices });
      }
      if (WORKER_NODE_TYPES.has(node.type) && ns.status === 'pending' && !req.force) {
        throw new TransitionError(`node ${node.id} (${node.type}) was never started: its work is a worker's, and nobody has done it yet; run the step state next prints (or add --force to skip it deliberately)`, {
          code: 'node_not_started',
          hint: nextCommand(req.stateFile),
        });
      }
      const next = chooseNext(node, nodes, req, instance);
      ns.status = 'completed';
      ns.completed_at = now;
      ns.updated_at = now;
      if (req.outcome) ns.outcome = req.outcome;
      else delete ns.outcome;
      if (req.summary) ns.summary = req.summary;
      if (req.worker) ns.worker = req.worker;
      if (req.outcome) entry.outcome = req.outcome;
      if (req.worker && playsActor && node.actor) state.role_worker_map = { ...state.role_worker_map, [node.actor]: req.worker };
      state.blocking_reason = '';
      state.pending_confirmation = '';
      if (!parallel && !instance && next.length <= 1) {
        // one node at a time (the Go version's runs): exactly the sequential rules
        if (next[0] === undefined) {
          state.status = 'completed';
          state.current_node = ''; // as the Go version writes a finished run
        } else {
          entry.next_node = next[0];
          enterNode(state, next[0], now);
          state.status = 'ready';
          const target = nodes.get(next[0]);
          if (target?.max_visits !== undefined) blockOverVisited(state, target, now);
        }
        break;
      }
      const moved = leaveNode(state, template, id, next, now);
      if (moved.entered.length) entry.next_node = moved.entered.join(',');
      if (moved.completed) {
        state.status = 'completed';
        state.current_node = '';
        delete state.active_nodes;
      } else if (activeIds(state).length === 1 && moved.entered.length === 1 && state.node_states[moved.entered[0] as string]?.status === 'pending') {
        state.status = 'ready';
      } else {
        Object.assign(state, summariseStatus(state, template));
      }
      // max_visits: a node entered once too often blocks (itself and the run)
      for (const entered of moved.entered) {
        const target = nodes.get(entered);
        if (target?.max_visits !== undefined) blockOverVisited(state, target, now);
      }
      break;
    }
  }
  // several active nodes: the run's status summarises them (start/wait/block of one node)
  if (parallel && req.action !== 'complete' && req.action !== 'confirm' && activeIds(state).length > 1) Object.assign(state, summariseStatus(state, template));
  state.decision_log = [...state.decision_log, entry];
  state.updated_at = now;
  return { state, entry };
}

/** ` --param k=v` for each run input (lists comma-separated), shell-quoted, to start a new run with the same inputs. */
function paramFlags(params: Record<string, unknown> | undefined): string {
  return Object.entries(params ?? {})
    .map(([k, v]) => ` --param ${q(`${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)}`)
    .join('');
}

/**
 * Throws TransitionError (`run_completed` / `run_cancelled`, exit 1) when the run is final. Its hint is
 * words (printed as `hint:`, not `try:`): the run's work is done or dropped, so the `state init` line that
 * would start the same work again is only for when the person asks for it.
 */
export function assertNotFinished(current: RunState): void {
  if (current.status === 'completed' || current.status === 'cancelled') {
    throw new TransitionError(`run ${current.run_id} is ${current.status}; it accepts no transition`, {
      code: current.status === 'completed' ? 'run_completed' : 'run_cancelled',
      hint: `nothing is left to do on this run; only if the person asks for the same work again, start a new run: agent-team workflow state init ${q(current.workflow_file)}${paramFlags(current.params)}`,
    });
  }
}

/**
 * `state cancel`: ends the run for good (status `cancelled`, like `completed` it accepts no transition).
 * The current node keeps its state; the reason goes to `blocking_reason`'s sibling log entry. Throws
 * TransitionError when the run is already final or the reason is empty.
 */
export function cancelRun(current: RunState, reason: string, now: Date, stateFile: string): TransitionResult {
  assertNotFinished(current);
  if (reason.trim() === '') throw new TransitionError('cancel needs a reason', { code: 'missing_reason', hint: `agent-team workflow state cancel ${q(stateFile)} --reason 'the run is abandoned'` });
  const at = timestamp(now);
  const entry: DecisionEntry = { timestamp: at, node: current.current_node, action: 'cancel', summary: reason };
  const state: RunState = { ...current, status: 'cancelled', pending_confirmation: '', decision_log: [...current.decision_log, entry], updated_at: at };
  return { state, entry };
}

/**
 * `max_visits`: a node entered more often than it allows is blocked at once (the run too), with its
 * visit history in the reason, so a fix loop cannot spin for ever. Starting it again is a person's call.
 */
function blockOverVisited(state: RunState, node: WorkflowNode, now: string): void {
  const ns = state.node_states[node.id];
  const max = node.max_visits;
  if (!ns || max === undefined || (ns.visits ?? 1) <= max) return;
  const visits = (ns.history ?? []).map((v, i) => `visit ${i + 1}: ${v.status}${v.outcome ? ` (${v.outcome})` : ''}${v.worker ? ` by ${v.worker}` : ''}${v.summary ? `: ${v.summary.split('\n')[0]}` : ''}`);
  const reason = `node ${node.id} was entered ${ns.visits} times (max_visits ${max}); earlier visits: ${visits.join('; ') || 'none recorded'}`;
  state.node_states = { ...state.node_states, [node.id]: { ...ns, status: 'blocked', summary: reason, updated_at: now } };
  state.status = 'blocked';
  state.blocking_reason = reason;
}

/**
 * The outcomes a node without branches takes besides none: a check's result (`passed` on exit 0, else
 * `failed`), which for_each aggregates over its instances and `{{nodes.ID.outcome}}` reads.
 */
export const UNBRANCHED_OUTCOMES: readonly string[] = ['passed', 'failed'];

/**
 * The nodes that follow `node` (one, several for a fork, none when completing it ends the run or it is a
 * for_each instance, which only checks the outcome). Throws TransitionError, or UsageError
 * `unknown_outcome` (exit 2) for an outcome a node without branches cannot take.
 */
function chooseNext(node: WorkflowNode, nodes: Map<string, WorkflowNode>, req: TransitionRequest, instance = false): string[] {
  const file = q(req.stateFile);
  if (outcomesOf(node).length === 0 && req.outcome !== undefined && !UNBRANCHED_OUTCOMES.includes(req.outcome)) {
    // bad input, not a refused move: the node could never take it (Go recorded any word; files it wrote still load)
    throw new UsageError(`node ${node.id} has no branches, so it takes no outcome ${JSON.stringify(req.outcome)}: leave out --outcome, or give ${UNBRANCHED_OUTCOMES.join(' or ')} (a check's result)`, {
      code: 'unknown_outcome',
      hint: finishCommand(req.stateFile, node),
      details: { node: node.id, outcome: req.outcome, outcomes: [...UNBRANCHED_OUTCOMES] },
    });
  }
  if (req.nextNode !== undefined) {
    if (!nodes.has(req.nextNode)) {
      const suggestion = didYouMean(req.nextNode, nodes.keys());
      throw new TransitionError(`--next-node ${req.nextNode}: no such node in the workflow${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, {
        code: 'unknown_next_node',
        hint: suggestion ? `agent-team workflow state ${req.action} ${file} --node ${node.id} --next-node ${suggestion}` : nextCommand(req.stateFile),
        details: { nodes: [...nodes.keys()] },
      });
    }
    return [req.nextNode];
  }
  const outcomes = outcomesOf(node);
  if (outcomes.length > 0) {
    if (req.outcome === undefined) {
      throw new TransitionError(`node ${node.id} branches on its outcome; give --outcome with one of: ${outcomes.join(', ')}`, { code: 'missing_outcome', hint: finishCommand(req.stateFile, node), details: { outcomes, choices: finishCommands(req.stateFile, node) } });
    }
    const branch = node.branches?.find((b) => b.when === req.outcome);
    if (!branch) {
      const suggestion = didYouMean(req.outcome, outcomes);
      throw new TransitionError(`node ${node.id} has no outcome ${JSON.stringify(req.outcome)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; its outcomes are ${outcomes.join(', ')}`, {
        code: 'unknown_outcome',
        hint: finishCommand(req.stateFile, node),
        details: { outcomes, choices: finishCommands(req.stateFile, node) },
      });
    }
    return instance ? [] : [branch.next];
  }
  if (instance) return [];
  return Array.isArray(node.next) ? node.next : node.next ? [node.next] : []; // [] for end: true
}

/** Whether the template uses fork (`next:` list), join (`after:`), `for_each` or `when:`: its runs move by {@link leaveNode}. */
export function usesParallelKeys(template: WorkflowTemplate): boolean {
  return template.nodes.some((n) => Array.isArray(n.next) || n.after !== undefined || n.for_each !== undefined || n.when !== undefined);
}

/** A fresh copy of the state object of `id` placed in `state` (created as pending when missing: Go files may omit node_states). */
function nodeState(state: RunState, id: string): NodeState {
  const existing = state.node_states[id];
  const copy: NodeState = existing ? { ...existing } : { status: 'pending', visits: 0 };
  state.node_states = { ...state.node_states, [id]: copy };
  return copy;
}

/**
 * Makes `id` the current node: a node acted on before keeps that visit in `history` and is reset to
 * `pending`; `visits` counts entries (a Go file without `visits` counts its one earlier visit).
 */
export function enterNode(state: RunState, id: string, now: string): void {
  const previous = state.node_states[id];
  let visits = 1;
  let history = previous?.history ?? [];
  if (previous) {
    visits = (previous.visits ?? (previous.status === 'pending' ? 0 : 1)) + 1;
    if (previous.status !== 'pending') {
      const { visits: _v, history: _h, ...visit } = previous;
      history = [...history, visit];
    }
  }
  const fresh: NodeState = { status: 'pending', visits, updated_at: now };
  if (history.length > 0) fresh.history = history;
  state.node_states = { ...state.node_states, [id]: fresh };
  state.current_node = id;
}
