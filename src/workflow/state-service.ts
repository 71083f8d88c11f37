/**
 * Run-state operations on disk: init, show, list and locked, atomic transitions. This is where the pure
 * rules of `transitions.ts` meet the files; every mutation holds the file's lock for the whole
 * read-modify-write and writes via temp file + fsync + rename.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OperationError, TransitionError, UnreadableFileError, UsageError } from '../errors.js';
import { createFileExclusiveSync } from '../store/atomic-write.js';
import { updateFileLocked } from '../store/locked-update.js';
import { readFileBounded } from '../store/read-file.js';
import { assertFileTarget, findRepoRoot, projectRoot, relativeToRoot } from '../store/paths.js';
import { defaultRunId, defaultStatePath, parseRunState, resolveWorkflowFile, RUN_STATE_READ, RUNS_DIR, serializeRunState, timestamp } from './run-state.js';
import type { NodeState, RunState } from './schema.js';
import { loadTemplate, type LoadedTemplate } from './template.js';
import { baseNodeId, setActive } from './active.js';
import { enterTargets } from './fork-join.js';
import { resolveParams } from './params.js';
import { applyTransition, cancelRun as cancelTransition, enterNode, usesParallelKeys, type TransitionRequest, type TransitionResult } from './transitions.js';

/** Ids accepted for runs (`--run-id`): they become file names. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Options of {@link initRun}. Paths may be relative to `cwd`. */
export interface InitRunOptions {
  workflowFile: string;
  stateFile?: string;
  runId?: string;
  cwd?: string;
  now?: Date;
  /** Run inputs from `--params-file` (typed values). */
  params?: Record<string, unknown>;
  /** Run inputs from `--param name=value` (strings; they win over `params`). */
  paramTexts?: [string, string][];
  /** The `--params-file` path as typed (relative to `cwd`), repeated in the hint of a refused param. */
  paramsFile?: string;
}

/** Result of {@link initRun}: where the run-state was written and what it holds. */
export interface InitRunResult {
  path: string;
  state: RunState;
  warnings: string[];
}

/**
 * Validates the template and creates a new run-state at `current_node = entry`. Never overwrites: an
 * explicit `stateFile` that exists is refused (OperationError, exit 1); a clashing run id gets a `-2`,
 * `-3`… suffix. Throws UnreadableFileError / OperationError from template loading.
 */
export function initRun(options: InitRunOptions): InitRunResult {
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? new Date();
  if (options.runId !== undefined && !RUN_ID_PATTERN.test(options.runId)) {
    throw new UsageError(`--run-id ${JSON.stringify(options.runId)}: use letters, digits, '.', '_' and '-' only, starting with a letter or digit`);
  }
  const templatePath = locateTemplate(options.workflowFile, cwd);
  const loaded = loadTemplate(templatePath);
  const root = findRepoRoot(dirname(templatePath)) ?? agentsRootOf(templatePath) ?? resolve(cwd);
  const baseId = options.runId ?? defaultRunId(loaded.template.name, now);
  // checked before anything is written: a wrong or missing param leaves no run behind
  const command = { workflowFile: relative(resolve(cwd), templatePath) || templatePath, stateFile: options.stateFile, runId: options.runId, paramsFile: options.paramsFile };
  const params = resolveParams(loaded.template, options.params ?? {}, options.paramTexts ?? [], command);
  const withParams = loaded.template.params !== undefined || Object.keys(params).length > 0;
  const ts = timestamp(now);
  const make = (runId: string): RunState => {
    const state: RunState = {
      version: 1,
      run_id: runId,
      workflow_file: relativeToRoot(root, templatePath),
      workflow_name: loaded.template.name,
      workflow_hash: loaded.hash,
      ...(withParams ? { params } : {}),
      status: 'ready',
      current_node: '',
      pending_confirmation: '',
      blocking_reason: '',
      role_worker_map: {},
      node_states: Object.fromEntries(loaded.template.nodes.map((n): [string, NodeState] => [n.id, { status: 'pending' }])),
      decision_log: [],
      created_at: ts,
      updated_at: ts,
    };
    // a template that can fork or repeat enters its entry by those rules (for_each instances, when:)
    if (usesParallelKeys(loaded.template)) setActive(state, enterTargets(state, loaded.template, [loaded.template.entry], [], ts));
    else enterNode(state, loaded.template.entry, ts);
    return state;
  };

  if (options.stateFile !== undefined) {
    assertFileTarget(options.stateFile, '--state-file', cwd);
    const path = resolve(cwd, options.stateFile);
    const state = make(options.runId ?? basename(path).replace(/\.ya?ml$/, ''));
    if (!createFileExclusiveSync(path, serializeRunState(state))) {
      throw new OperationError(`${options.stateFile} already exists; state init never overwrites a run-state`, {
        code: 'exists',
        hint: `choose another --state-file, or continue that run: agent-team workflow state show ${options.stateFile}`,
      });
    }
    return { path, state, warnings: loaded.warnings.map((w) => w.message) };
  }
  for (let n = 1; n < 1000; n++) {
    const runId = n === 1 ? baseId : `${baseId}-${n}`;
    const state = make(runId);
    const path = defaultStatePath(root, loaded.template.name, runId);
    if (createFileExclusiveSync(path, serializeRunState(state))) return { path, state, warnings: loaded.warnings.map((w) => w.message) };
  }
  throw new OperationError(`could not find a free run id for ${baseId}`);
}

/**
 * The template path for `state init`: relative to `cwd` when it exists there, else relative to the
 * repository root (so the repo-relative paths agent-team prints work from any subdirectory).
 */
function locateTemplate(file: string, cwd: string): string {
  const direct = resolve(cwd, file);
  if (existsSync(direct) || isAbsolute(file)) return direct;
  const root = findRepoRoot(cwd);
  const fromRoot = root ? join(root, file) : undefined;
  return fromRoot && existsSync(fromRoot) ? fromRoot : direct;
}

/** Outside a repository: the folder holding `.agents/` when the template lives under `<dir>/.agents/workflow/`. */
function agentsRootOf(templatePath: string): string | undefined {
  const marker = `${sep}.agents${sep}workflow${sep}`;
  const at = templatePath.lastIndexOf(marker);
  return at >= 0 ? templatePath.slice(0, at) : undefined;
}

/** A run-state together with the template it runs, as `show` needs them. */
export interface LoadedRun {
  path: string;
  state: RunState;
  /** Absolute path of the template. */
  workflowPath: string;
  template?: LoadedTemplate;
  /** Why the template could not be used (missing, invalid), when `template` is undefined. */
  templateProblem?: string;
  warnings: string[];
}

/**
 * Reads a run-state and its template without locking (reads are atomic thanks to rename-on-write).
 * Throws UnreadableFileError (exit 2) for a bad run-state; template problems are reported in the result.
 */
export function loadRun(stateFile: string, cwd = process.cwd()): LoadedRun {
  const path = resolve(cwd, stateFile);
  const state = parseRunState(stateFile, readBytes(stateFile, path));
  return attachTemplate(stateFile, path, state, cwd);
}

function attachTemplate(stateFile: string, path: string, state: RunState, cwd: string): LoadedRun {
  const warnings: string[] = [];
  let workflowPath: string;
  try {
    workflowPath = resolveWorkflowFile(state, path, cwd);
  } catch (err) {
    return { path, state, workflowPath: state.workflow_file, warnings, templateProblem: (err as Error).message };
  }
  try {
    const template = loadTemplate(workflowPath);
    if (state.workflow_hash && state.workflow_hash !== template.hash) {
      warnings.push(`${state.workflow_file} changed since this run was initialised; transitions follow the template as it is now`);
    }
    if (!template.nodes.has(baseNodeId(state.current_node)) && state.status !== 'completed' && state.status !== 'cancelled') {
      return { path, state, workflowPath, template, warnings, templateProblem: `the template no longer has the current node ${state.current_node}` };
    }
    return { path, state, workflowPath, template, warnings };
  } catch (err) {
    const problem = err instanceof Error ? err.message : String(err);
    return { path, state, workflowPath, warnings, templateProblem: problem };
  }
}

function readBytes(display: string, path: string): Buffer {
  return readFileBounded(path, { ...RUN_STATE_READ, display }).bytes;
}

/** Result of {@link transitionRun}. */
export interface TransitionRunResult extends TransitionResult {
  path: string;
  warnings: string[];
}

/**
 * Applies one transition to the run-state at `stateFile` under its lock and writes it atomically.
 * Throws UnreadableFileError (exit 2: the file is not touched), TransitionError (exit 1: refused, file
 * byte-for-byte unchanged), or OperationError when the template is gone or lost the current node.
 */
export async function transitionRun(stateFile: string, request: Omit<TransitionRequest, 'now' | 'stateFile'> & { now?: Date }, cwd = process.cwd()): Promise<TransitionRunResult> {
  return mutateRun(stateFile, cwd, (run) => {
    const result = applyTransition(run.state, run.template.template, { ...request, now: request.now ?? new Date(), stateFile });
    return { result, state: result.state };
  });
}

/**
 * The locked read-modify-write cycle shared by every run-state mutation: `change` receives the run
 * (with a usable template) and returns the new state to write (or undefined to write nothing) plus a
 * result. Same errors as {@link transitionRun}.
 */
export async function mutateRun<R>(
  stateFile: string,
  cwd: string,
  change: (run: LoadedRun & { template: LoadedTemplate }) => { result: R; state?: RunState },
): Promise<R & { path: string; warnings: string[] }> {
  const path = resolve(cwd, stateFile);
  if (!existsSync(path)) readBytes(stateFile, path); // throws the friendly not-found error
  let warnings: string[] = [];
  const result = await updateFileLocked(path, { ...RUN_STATE_READ, display: stateFile }, ({ bytes }) => {
    const state = parseRunState(stateFile, bytes);
    const run = attachTemplate(stateFile, path, state, cwd);
    if (!run.template || run.templateProblem) {
      throw new TransitionError(`cannot move run ${state.run_id}: ${run.templateProblem ?? 'template unavailable'}`, {
        code: 'template_unusable',
        hint: `fix or restore ${state.workflow_file}, then retry`,
      });
    }
    const { result, state: next } = change(run as LoadedRun & { template: LoadedTemplate });
    warnings = run.warnings;
    return { result, content: next ? serializeRunState(next) : undefined };
  });
  return { ...result, path, warnings };
}

/** `state cancel`: marks the run cancelled under its lock. Same errors as {@link transitionRun}. */
export async function cancelRun(stateFile: string, reason: string, cwd = process.cwd(), now = new Date()): Promise<TransitionRunResult> {
  return mutateRun(stateFile, cwd, (run) => {
    const result = cancelTransition(run.state, reason, now, stateFile);
    return { result, state: result.state };
  });
}

/** One line of `workflow state list`. `error` is set (and the rest partial) for unreadable files. */
export interface RunSummary {
  /** The run-state file relative to the repository root (as the Go version lists it). */
  path: string;
  /** The same file as an absolute path: it works from any folder. */
  absolute_path: string;
  run_id: string;
  workflow: string;
  status: string;
  current_node: string;
  updated_at: string;
  /** The run inputs, when the run has any. */
  params?: Record<string, unknown>;
  error?: string;
}

/** Every run-state under `<repo root>/.agents/workflow/runs/*\/*.yaml`, newest first. Never throws for one bad file. */
export function listRuns(cwd = process.cwd()): RunSummary[] {
  const root = projectRoot(cwd);
  const runsDir = join(root, RUNS_DIR);
  const out: RunSummary[] = [];
  let workflows: string[] = [];
  try {
    workflows = readdirSync(runsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return out;
  }
  for (const workflow of workflows) {
    const dir = join(runsDir, workflow);
    for (const name of readdirSync(dir)) {
      if (!/\.ya?ml$/.test(name)) continue;
      const path = join(dir, name);
      const display = relativeToRoot(root, path);
      try {
        const s = parseRunState(display, readBytes(display, path));
        out.push({ path: display, absolute_path: path, run_id: s.run_id, workflow: s.workflow_name, status: s.status, current_node: s.current_node, updated_at: s.updated_at, ...(s.params ? { params: s.params } : {}) });
      } catch (err) {
        out.push({ path: display, absolute_path: path, run_id: name.replace(/\.ya?ml$/, ''), workflow, status: 'unreadable', current_node: '', updated_at: '', error: (err as Error).message });
      }
    }
  }
  return out.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
}
