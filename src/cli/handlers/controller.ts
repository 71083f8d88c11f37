/** Handlers of `workflow state next` and `workflow run`: the controller loop's CLI face. */
import { dirname, resolve } from 'node:path';
import { EXIT, OperationError, UsageError } from '../../errors.js';
import { projectRoot } from '../../store/paths.js';
import { awaitingApproval, runController, type RunReport } from '../../workflow/controller.js';
import { chooseWorker, isAssignedNode, nextStep, type NextStep } from '../../workflow/next.js';
import { loadRun } from '../../workflow/state-service.js';
import { createWorkerPort } from '../../worker/port.js';
import { forecastLines, runWorkers, workerForecast } from '../../worker/forecast.js';
import { carriedCommits } from '../../worker/assign.js';
import { workedInRun } from '../../workflow/worker-choice.js';
import type { ForecastConflict } from '../../git/forecast.js';
import { assertTrusted } from '../../trust/check.js';
import { commandsOfTemplateData, configCommands } from '../../trust/commands.js';
import { missingRoles, missingRoleWarnings, type MissingRole } from '../../worker/roles.js';
import { runUntilNeeded, waitForNext } from '../../worker/run-wait.js';
import { DEFAULT_WAIT, parseDuration } from '../duration.js';
import { paint, writeMessage, type CommandResult, type CommonOptions } from '../output.js';

/** `text` on one line: line breaks (a worker's message, a param value) shown as ` | `. */
function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' | ');
}

/**
 * Human rendering of a next step: message, commands, choices, done-when; every active step when there are
 * several. The header and the params line are one line each, whatever a worker's message holds.
 */
export function renderNext(step: NextStep): string {
  if (step.steps && step.steps.length > 1) return step.steps.map((s, i) => `[${i + 1}/${step.steps?.length}] ${renderNext({ ...s, steps: undefined })}`).join('\n\n');
  const lines = [`${paint('bold', step.kind.toUpperCase())} ${oneLine(step.message)}`];
  if (step.node) {
    lines.push(`node: ${step.node.id} (${step.node.type}${step.node.actor ? `, actor ${step.node.actor}` : ''}${step.node.worker ? `, worker ${step.node.worker}` : ''}) status ${step.node.status}, visit ${step.node.visits}`);
  }
  if (step.task) lines.push(`task: ${step.task}`);
  const params = Object.entries(step.params ?? {});
  if (params.length) lines.push(`params: ${params.map(([k, v]) => `${k}=${oneLine(Array.isArray(v) ? v.join(', ') : String(v))}`).join('  ')}`);
  if (step.commands.length) lines.push('run:', ...step.commands.map((c) => `  ${c}`));
  if (step.choices.length) lines.push('choose one:', ...step.choices.map((c) => `  ${c.outcome ? `[${c.outcome}] ` : ''}${c.command}`));
  if (step.done_when) lines.push(`done when: ${step.done_when}`);
  if (step.then.length) lines.push('then:', ...step.then.map((c) => `  ${c}`));
  return lines.join('\n');
}

/** The conflict forecast lines appended to `state next` and `workflow run` (empty without a forecast). */
function forecastText(forecast: ForecastConflict[]): string {
  return forecast.length ? ['', 'conflict forecast:', ...forecastLines(forecast).map((l) => `  ${l}`)].join('\n') : '';
}

/** The step `state next` prints for `file` now (see nextStep), with the run's warnings. */
async function computeNext(file: string): Promise<{ step: NextStep; root: string; warnings: string[]; missing: MissingRole[]; forecast: ForecastConflict[] }> {
  const run = loadRun(file);
  if (!run.template) throw new OperationError(`cannot compute the next step: ${run.templateProblem}`, { code: 'template_unusable', hint: `fix ${run.state.workflow_file}` });
  const root = projectRoot(dirname(resolve(file)));
  const template = run.template.template;
  const port = await createWorkerPort(root, { run: run.path });
  // Look up an idle worker only when the current node would otherwise get a new one (it costs git calls).
  const node = template.nodes.find((n) => n.id === run.state.current_node);
  const role = node?.actor ? template.roles[node.actor]?.role : undefined;
  const needsWorker = node !== undefined && isAssignedNode(node) && ['create', 'none'].includes(chooseWorker(run.state, template, node, port).kind);
  const idle = role && needsWorker && template.defaults?.reuse_worker !== false ? await port.findIdle(role, []) : undefined;
  const step = nextStep(run.state, template, file, { ...port, idle: (r) => (r === role ? idle : undefined) });
  const missing = missingRoles(root, template.roles);
  // the idle worker `workflow run` would reuse: say now that it starts afresh (another run's commits go to a backup branch)
  const carried = idle && node && !workedInRun(run.state, node.id, idle) && run.state.node_states[node.id]?.worker !== idle ? await carriedCommits(root, idle).catch(() => undefined) : undefined;
  if (carried) step.warnings.push(`${idle} holds ${carried.commits.length} commit(s) not on ${carried.upstream.ref} from outside this run (${carried.commits.join('; ')}): workflow run starts team/${idle} afresh from ${carried.upstream.ref} and keeps them on a backup branch`);
  // the conflict forecast of the run's unmerged worker branches, so the controller can act before a merge fails
  const forecast = await workerForecast(root, runWorkers(run.state)).catch(() => []);
  return { step, root, missing, forecast, warnings: [...run.warnings, ...(run.templateProblem ? [run.templateProblem] : []), ...step.warnings, ...missingRoleWarnings(missing)] };
}

/** `--wait` and `--timeout D` of `workflow run` and `state next`. */
export interface WaitOptions {
  wait?: boolean;
  /** A duration as typed (90s, 10m; checked here). */
  timeout?: string;
}

/** Options of `workflow state next`. */
export interface NextOptions extends CommonOptions, WaitOptions {}

/** `--wait [--timeout D]`: the wait in ms (default {@link DEFAULT_WAIT}), or undefined without --wait. */
function waitOption(o: WaitOptions): number | undefined {
  if (o.wait !== true) {
    if (o.timeout !== undefined) throw new UsageError('--timeout goes with --wait: add --wait to block until the run needs you');
    return undefined;
  }
  return parseDuration(typeof o.timeout === 'string' ? o.timeout : DEFAULT_WAIT, '--timeout');
}

/** `workflow state next <state-file> [--wait [--timeout D]]`. */
export async function next([stateFile]: string[], o: NextOptions = {}): Promise<CommandResult> {
  const file = stateFile ?? '';
  const timeoutMs = waitOption(o);
  let computed: Awaited<ReturnType<typeof computeNext>>;
  let timedOut: boolean | undefined;
  if (timeoutMs === undefined) computed = await computeNext(file);
  else {
    // the watch starts before the first look, so a reply landing in between is not missed
    const waited = await waitForNext(async () => {
      computed = await computeNext(file);
      return computed.step;
    }, { root: projectRoot(dirname(resolve(file))), stateFile: file, timeoutMs });
    timedOut = waited.timedOut;
  }
  const { step, missing, warnings, forecast } = computed!;
  const json = { ...step, forecast, ...(missing.length ? { missing_roles: missing } : {}), ...(timedOut !== undefined ? { timed_out: timedOut } : {}) };
  return { json, text: `${timedOut ? `timed out after ${String(o.timeout ?? DEFAULT_WAIT)}: still waiting\n` : ''}${renderNext(step)}${forecastText(forecast)}`, warnings };
}

/** Options of `workflow run`. */
export interface RunOptions extends CommonOptions, WaitOptions {
  /** A whole number of steps, as typed (checked here). */
  maxSteps?: string;
  yes?: boolean;
  /** Run again a check command whose earlier run did not finish. */
  rerunCheck?: boolean;
}

/** `workflow run <state-file> [--yes] [--max-steps N] [--wait [--timeout D]]`. */
export async function run([stateFile]: string[], o: RunOptions): Promise<CommandResult> {
  const file = stateFile ?? '';
  const loaded = loadRun(file);
  if (!loaded.template) throw new OperationError(`cannot run: ${loaded.templateProblem}`, { code: 'template_unusable', hint: `fix ${loaded.state.workflow_file}` });
  const root = projectRoot(dirname(resolve(file)));
  // The template's commands and the config's launch commands run only in a trusted project (--yes is no trust).
  assertTrusted(root, [...commandsOfTemplateData(root, loaded.workflowPath, loaded.template.template), ...configCommands(root)]);
  const maxSteps = Number(o.maxSteps ?? 100);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new UsageError(`--max-steps ${o.maxSteps}: give a whole number of steps, 1 or more`);
  const timeoutMs = waitOption(o);
  // --yes approves the merges awaiting approval now, which the person could have been shown; not one reached later
  const approved = o.yes ? awaitingApproval(file, await createWorkerPort(root, { run: loaded.path })) : new Set<string>();
  const runOnce = async (steps: number): Promise<RunReport> => {
    // a fresh port each round: workers created or opened since the last one are seen
    const port = await createWorkerPort(root, { run: loaded.path });
    return runController({
      stateFile: file,
      port,
      approved,
      rerunCheck: o.rerunCheck === true,
      maxSteps: steps,
      // a recovery (a killed train's leftovers removed) is printed once, as a warning, below
      onStep: o.json ? undefined : (s) => s.action !== 'recover' && writeMessage(`${paint('dim', '•', 2)} ${s.node}: ${s.detail}`),
    });
  };
  let report: RunReport;
  let steps: RunReport['steps'];
  let timedOut: boolean | undefined;
  if (timeoutMs === undefined) {
    report = await runOnce(maxSteps);
    steps = report.steps;
  } else {
    const waited = await runUntilNeeded(runOnce, maxSteps, { root, stateFile: file, timeoutMs });
    ({ report, steps, timedOut } = waited);
  }
  const stopped = timedOut ? 'timeout' : report.stopped;
  const why = timedOut ? `nothing needed the controller within ${String(o.timeout ?? DEFAULT_WAIT)} (${report.why}); run it again to keep waiting` : report.why;
  // the same document `state next` prints, with the conflict forecast of the run's unmerged worker branches
  const forecast = await workerForecast(root, runWorkers(report.state)).catch(() => []);
  const text = [`stopped: ${stopped} — ${why}`, '', renderNext(report.next)].join('\n') + forecastText(forecast);
  return {
    json: { ok: true, steps, stopped, why, run_status: report.state.status, next: { ...report.next, forecast }, ...(timedOut !== undefined ? { timed_out: timedOut } : {}) },
    text,
    exitCode: EXIT.ok,
    warnings: [...loaded.warnings, ...steps.filter((s) => s.action === 'recover').map((s) => `${s.node}: ${s.detail}`)],
  };
}
