/**
 * Run-state files: parse (strict, with the first problem named), serialize in the Go field order, default
 * run ids and paths, and locating the template a run was started from.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UnreadableFileError } from '../errors.js';
import { findRepoRoot } from '../store/paths.js';
import { readFileBounded, SIZE_LIMIT } from '../store/read-file.js';
import { parseYamlData, toYamlFast } from '../store/yaml-file.js';
import { RunStateSchema } from './run-state-schema.js';
import { RUN_STATE_KEY_ORDER, type RunState } from './schema.js';
import { slugify } from './names.js';
import { formatPath } from './validate.js';

/** Folder, relative to the repository root, holding templates (`<name>.yaml`) and `runs/`. */
export const WORKFLOW_DIR = '.agents/workflow';
/** Folder, relative to the repository root, holding run-states: `runs/<workflow-name>/<run-id>.yaml`. */
export const RUNS_DIR = '.agents/workflow/runs';

/**
 * Parses run-state bytes read from `path`. Throws UnreadableFileError (exit 2) naming the file and the
 * first problem (YAML syntax, or schema with the field path) — the caller must then not write the file.
 */
export function parseRunState(path: string, bytes: Uint8Array | string): RunState {
  return checkRunState(path, parseYamlData(path, bytes));
}

/** Reads and parses a run-state file; same errors as {@link parseRunState}. */
export function readRunState(path: string): RunState {
  return parseRunState(path, readFileBounded(path, RUN_STATE_READ).bytes);
}

/** How run-states are read: at most 64 MB, regular files only (see readFileBounded). */
export const RUN_STATE_READ = { limit: SIZE_LIMIT.runState, what: 'run-state', notFoundHint: 'agent-team workflow state list' } as const;

function checkRunState(path: string, data: unknown): RunState {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UnreadableFileError(path, 'is not a run-state (expected a YAML mapping with run_id, status, current_node…)');
  }
  const parsed = RunStateSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? formatPath(issue.path.filter((k): k is string | number => typeof k !== 'symbol')) : '(root)';
    throw new UnreadableFileError(path, `is not a valid run-state: ${where}: ${issue?.message ?? 'does not match the schema'}`, {
      code: 'invalid_run_state',
      hint: 'restore the file from a backup or version control; agent-team never writes a file it cannot read',
    });
  }
  return parsed.data;
}

/**
 * Serializes a run-state as YAML (js-yaml's layout, 2-space indent) with keys in the Go struct's order,
 * unknown keys last. `state` is not changed; node states and entries already in that order (what a read
 * returns) are written as they are rather than copied: a 10,000-entry log is 10,000 objects fewer to
 * build and collect.
 */
export function serializeRunState(state: RunState): string {
  const ordered = orderKeys(state, RUN_STATE_KEY_ORDER, false);
  const nodes: Record<string, unknown> = {};
  for (const [id, ns] of Object.entries(state.node_states)) {
    let out = orderKeys(ns, NODE_STATE_KEY_ORDER);
    const history = ns.history?.map((h) => orderKeys(h, NODE_STATE_KEY_ORDER));
    if (history?.some((h, i) => h !== ns.history?.[i])) out = { ...out, history }; // the key keeps its place
    nodes[id] = out;
  }
  ordered.node_states = nodes;
  ordered.decision_log = state.decision_log.map((e) => orderKeys(e, DECISION_KEY_ORDER));
  return toYamlFast(ordered);
}

/** Go struct order of a node state, then ours. */
const NODE_STATE_KEY_ORDER = ['status', 'started_at', 'completed_at', 'outcome', 'worker', 'summary', 'updated_at', 'assignment', 'reply', 'visits', 'history'];
/** Go struct order of a decision-log entry, then ours. */
const DECISION_KEY_ORDER = ['timestamp', 'node', 'action', 'outcome', 'next_node', 'summary', 'worker', 'forced'];

/**
 * `source` with `order` keys first (when defined), then any other defined keys in their order: `source`
 * itself when it is laid out so already and `reuse` allows, else a copy.
 */
function orderKeys(source: object, order: readonly string[], reuse = true): Record<string, unknown> {
  const src = source as Record<string, unknown>;
  if (reuse && inOrder(src, order)) return src;
  const out: Record<string, unknown> = {};
  for (const key of order) if (src[key] !== undefined && Object.hasOwn(src, key)) out[key] = src[key];
  for (const [key, value] of Object.entries(src)) if (!Object.hasOwn(out, key) && value !== undefined) out[key] = value;
  return out;
}

/** Whether `src` has no undefined value, its `order` keys in that order, and its other keys after them. */
function inOrder(src: Record<string, unknown>, order: readonly string[]): boolean {
  let last = -1;
  for (const key in src) {
    if (!Object.hasOwn(src, key) || src[key] === undefined) return false;
    const at = order.indexOf(key);
    if (at < 0) last = order.length;
    else if (at < last) return false;
    else last = at;
  }
  return true;
}

/** Default run id `YYYYMMDD-HHMMSS-<slug>` in UTC, e.g. `20260313-153000-feature-delivery`. */
export function defaultRunId(workflowName: string, now: Date): string {
  const iso = now.toISOString(); // 2026-03-13T15:30:00.000Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${slugify(workflowName, { max: 40, empty: 'run' })}`;
}

/** Default run-state path: `<root>/.agents/workflow/runs/<workflow-name>/<run-id>.yaml`. */
export function defaultStatePath(root: string, workflowName: string, runId: string): string {
  return join(root, RUNS_DIR, workflowName, `${runId}.yaml`);
}

/** An RFC 3339 UTC timestamp without milliseconds, as the Go version writes them. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The absolute path of the template a run-state refers to. `workflow_file` may be absolute, relative to
 * the repository root holding the state file (what both tools write), or relative to the current
 * directory; the first that exists wins, else the repository-relative guess. Throws UnreadableFileError
 * (code `workflow_file_outside`) when it resolves outside the repository (or the project folder) of the
 * state file: a run-state must not make agent-team load (and run the commands of) a template from
 * anywhere else.
 */
export function resolveWorkflowFile(state: Pick<RunState, 'workflow_file'>, stateFile: string, cwd = process.cwd()): string {
  const file = state.workflow_file;
  const statePath = resolve(cwd, stateFile);
  const stateRoot = findRepoRoot(dirname(statePath));
  // outside a repository, a state file at <root>/.agents/workflow/runs/<workflow>/<id>.yaml names its root
  const runsAt = statePath.split(sep).join('/').lastIndexOf(`/${RUNS_DIR}/`);
  const runsRoot = runsAt >= 0 ? statePath.slice(0, runsAt) || sep : undefined;
  const cwdRoot = findRepoRoot(cwd);
  const roots = [stateRoot, runsRoot].filter((r): r is string => r !== undefined);
  if (roots.length === 0) roots.push(cwdRoot ?? resolve(cwd));
  let chosen: string;
  if (isAbsolute(file)) {
    chosen = file;
  } else {
    const candidates: string[] = [];
    if (stateRoot) candidates.push(join(stateRoot, file));
    if (runsRoot) candidates.push(join(runsRoot, file));
    if (cwdRoot && cwdRoot !== stateRoot) candidates.push(join(cwdRoot, file));
    candidates.push(resolve(cwd, file));
    chosen = candidates.find((c) => existsSync(c) && insideAny(c, roots)) ?? candidates.find((c) => existsSync(c)) ?? candidates[0] ?? resolve(cwd, file);
  }
  if (!insideAny(chosen, roots)) {
    throw new UnreadableFileError(stateFile, `workflow_file ${JSON.stringify(file)} resolves to ${chosen}, outside the repository ${roots[0]}; a run only uses a template inside its repository`, {
      code: 'workflow_file_outside',
      hint: `set workflow_file in ${stateFile} to the template's path relative to ${roots[0]}, e.g. .agents/workflow/<name>.yaml`,
    });
  }
  return chosen;
}

/** Whether `path` (after resolving symlinks where it exists) lies inside one of `roots` (also resolved). */
function insideAny(path: string, roots: readonly string[]): boolean {
  const real = realOrSelf(path);
  return roots.some((root) => {
    const r = realOrSelf(root);
    const rel = relative(r, real);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
}

/** `path` with symlinks resolved for its longest existing prefix. */
function realOrSelf(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realOrSelf(parent), basename(abs));
  }
}
