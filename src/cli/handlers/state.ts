/** Handlers of `workflow state …`: init, show, list, cancel, reassign and the five transitions. */
import { dirname } from 'node:path';
import { UsageError } from '../../errors.js';
import { projectRoot } from '../../store/paths.js';
import { reassignWorkerNode, supersedeCompletedChange } from '../../worker/reassign.js';
import { missingRoles, missingRoleWarnings } from '../../worker/roles.js';
import { serializeRunState } from '../../workflow/run-state.js';
import { ID_NAME } from '../../workflow/names.js';
import { cancelRun, initRun, listRuns, loadRun, transitionRun } from '../../workflow/state-service.js';
import { readParamsFile, splitParam } from '../../workflow/params.js';
import type { TransitionAction, TransitionRequest } from '../../workflow/transitions.js';
import type { CommandResult, CommonOptions } from '../output.js';
import { renderTable } from '../table.js';

/** Options of `state init`. */
export interface InitOptions extends CommonOptions {
  stateFile?: string;
  runId?: string;
  /** `--param name=value`, repeatable. */
  param?: string[];
  paramsFile?: string;
}

/** Options of `state list`. */
export interface ListOptions extends CommonOptions {
  all?: boolean;
}

/** Options of `state cancel`. */
export interface CancelOptions extends CommonOptions {
  reason: string;
}

/** `state init <workflow-file>`: prints the path and `current_node=<entry>`. */
export function init([workflowFile]: string[], o: InitOptions): CommandResult {
  const result = initRun({
    workflowFile: workflowFile ?? '',
    stateFile: o.stateFile,
    runId: o.runId,
    params: o.paramsFile !== undefined ? readParamsFile(o.paramsFile) : undefined,
    paramTexts: (o.param ?? []).map(splitParam),
    paramsFile: o.paramsFile,
  });
  const params = result.state.params;
  const roles = loadRun(result.path).template?.template.roles ?? {};
  const missing = missingRoles(projectRoot(dirname(result.path)), roles);
  return {
    json: { ok: true, path: result.path, run_id: result.state.run_id, current_node: result.state.current_node, status: result.state.status, ...(params ? { params } : {}), missing_roles: missing },
    text: [result.path, `current_node=${result.state.current_node}`, ...Object.entries(params ?? {}).map(([k, v]) => `param ${k}=${paramText(v)}`)].join('\n'),
    warnings: [...result.warnings, ...missingRoleWarnings(missing)],
  };
}

/** `state show <state-file>`: the run-state as YAML (as the Go version prints it) or JSON. */
export function show([stateFile]: string[]): CommandResult {
  const run = loadRun(stateFile ?? '');
  const warnings = [...run.warnings];
  if (run.templateProblem) warnings.push(run.templateProblem);
  return { json: { ...run.state, path: run.path }, text: serializeRunState(run.state), warnings };
}

/** A param value as one line of text (lists comma-separated). */
function paramText(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join(', ') : String(v);
}

/** `state list [--all]`: the runs of the repository, newest first; finished runs (completed, cancelled) only with --all. */
export function list(_args: string[] = [], o: ListOptions = {}): CommandResult {
  const all = listRuns();
  const runs = o.all === true ? all : all.filter((r) => r.status !== 'completed' && r.status !== 'cancelled');
  const hidden = all.length - runs.length;
  const header = ['RUN_ID', 'WORKFLOW', 'STATUS', 'CURRENT_NODE', 'UPDATED', 'PARAMS'];
  const rows = runs.map((r) => [r.run_id, r.workflow, r.status, r.current_node, r.error ? `unreadable: ${r.error}` : r.updated_at, r.params ? Object.entries(r.params).map(([k, v]) => `${k}=${paramText(v)}`).join(' ') : '']);
  const more = hidden > 0 ? `(${hidden} finished run${hidden === 1 ? '' : 's'} hidden: agent-team workflow state list --all)` : '';
  const text = runs.length ? [renderTable(header, rows), ...(more ? [more] : [])].join('\n') : more || 'no runs under .agents/workflow/runs/';
  return { json: { runs, hidden }, text };
}

/** `state cancel <state-file> --reason R`: the run ends (status cancelled); final like completed. */
export async function cancel([stateFile]: string[], o: CancelOptions): Promise<CommandResult> {
  const result = await cancelRun(stateFile ?? '', o.reason ?? '');
  return {
    json: { ok: true, path: result.path, run_status: result.state.status, entry: result.entry, warnings: result.warnings },
    text: `cancelled ${result.state.run_id}: ${result.entry.summary}`,
    warnings: result.warnings,
  };
}

/** Options of `state reassign`. */
export interface ReassignOptions extends CommonOptions {
  node: string;
  reason?: string;
}

/** `state reassign <state-file> --node N [--reason R]`: takes the node from its worker (its change superseded); `workflow run` gives it to another. */
export async function reassign([stateFile]: string[], o: ReassignOptions): Promise<CommandResult> {
  const r = await reassignWorkerNode(stateFile ?? '', { node: o.node, reason: o.reason });
  return {
    json: { ok: true, path: r.path, action: 'reassign', node: o.node, from: r.from, superseded: r.superseded, run_status: r.state.status, current_node: r.state.current_node, entry: r.entry, warnings: r.warnings },
    text: `took ${o.node} from ${r.from}${r.superseded ? ` (its change ${r.superseded} is superseded)` : ''}; agent-team workflow run gives it to another worker`,
    warnings: r.warnings,
  };
}

/** Options of the five transitions (`start`, `wait`, `block`, `complete`, `confirm`); each declares the ones it takes. */
export type TransitionOptions = CommonOptions & Pick<TransitionRequest, 'node' | 'reason' | 'outcome' | 'nextNode' | 'worker' | 'summary' | 'force'>;

async function transition(action: TransitionAction, stateFile: string, o: TransitionOptions): Promise<CommandResult> {
  // A worker id is recorded in role_worker_map and printed in commands later: check it like every id.
  if (o.worker !== undefined && !ID_NAME.test(o.worker)) {
    throw new UsageError(`--worker ${JSON.stringify(o.worker)}: worker ids match ${ID_NAME.source}, e.g. dev-001`, { code: 'invalid_name' });
  }
  const result = await transitionRun(stateFile, {
    action,
    node: o.node,
    reason: o.reason,
    outcome: o.outcome,
    nextNode: o.nextNode,
    worker: o.worker,
    summary: o.summary,
    force: o.force === true,
  });
  const s = result.state;
  const node = o.node;
  let text: string;
  if (action === 'start') text = `started ${node}`;
  else if (action === 'wait') text = s.status === 'waiting_confirmation' ? `waiting on ${node} (confirmation pending)` : `waiting on ${node}`;
  else if (action === 'block') text = `blocked on ${node}`;
  else text = `${action === 'confirm' ? 'confirmed' : 'completed'} ${node}\nnext_node=${s.status === 'completed' ? '<end>' : s.current_node}`;
  if (result.entry.forced) text += '\n(forced: logged in decision_log)';
  const warnings = [...result.warnings];
  // closed without the worker's done reply: the change it still holds is superseded (and said so)
  const superseded = action === 'complete' || action === 'confirm' ? supersedeCompletedChange(stateFile, s, node, warnings) : null;
  return {
    json: { ok: true, path: result.path, action, node, run_status: s.status, current_node: s.current_node, entry: result.entry, ...(superseded ? { superseded } : {}), warnings },
    text,
    warnings,
  };
}

/** `state start`. */
export const start = ([f]: string[], o: TransitionOptions) => transition('start', f ?? '', o);
/** `state wait`. */
export const wait = ([f]: string[], o: TransitionOptions) => transition('wait', f ?? '', o);
/** `state block`. */
export const block = ([f]: string[], o: TransitionOptions) => transition('block', f ?? '', o);
/** `state complete`. */
export const complete = ([f]: string[], o: TransitionOptions) => transition('complete', f ?? '', o);
/** `state confirm`. */
export const confirm = ([f]: string[], o: TransitionOptions) => transition('confirm', f ?? '', o);
