/**
 * Template validation: every problem at once, each with a stable code, the field path, `line:col` in the
 * file and a fix hint. Structure comes from the zod schema; graph checks (targets, reachability, a way
 * to an end) are ours. Returns data; the CLI decides wording, colour and exit code.
 */
import type * as z from 'zod/mini';
import { locate, type LoadedYaml } from '../store/yaml-file.js';
import { didYouMean } from './did-you-mean.js';
import { ForEachSchema } from './parallel-schema.js';
import { checkParallelGraph, PARALLEL_VALIDATION_CODES } from './validate-parallel.js';
import { referenceProblem, references } from './interpolate.js';
import { ACTOR_NODE_TYPES, COMMAND_NODE_TYPES, KNOWN_KEYS, NODE_TYPES, TemplateSchema, type WorkflowTemplate } from './schema.js';

/** Stable problem codes reported by {@link validateTemplate}, with what each means. */
export const VALIDATION_CODES = {
  missing_field: 'a required field is missing',
  empty_field: 'a required field is empty',
  wrong_type: 'a field has the wrong type (e.g. a list where text is expected)',
  unsupported_version: 'version is not 1',
  invalid_name: 'a workflow name, role name or worker id has characters that cannot be a file, folder or branch name',
  unknown_key: 'a key the format does not define (often a typo)',
  unknown_node_type: 'type is not one of the seven node types',
  duplicate_node_id: 'two nodes share an id',
  missing_actor: 'a node type that needs an actor has none',
  unknown_actor: 'actor is not a key of roles',
  no_way_on: 'a node has none of next, branches, end: true',
  multiple_ways_on: 'a node has more than one of next, branches, end: true',
  empty_branches: 'branches is an empty list',
  duplicate_branch_label: 'two branches of one node share a when label',
  unknown_target: 'next or branches[].next names a node that does not exist',
  unknown_entry: 'entry names a node that does not exist',
  unreachable_node: 'no path leads from the entry to this node',
  no_end_node: 'no node has end: true, so no run can complete',
  no_path_to_end: 'no end node can be reached from this node (a loop with no exit)',
  command_not_allowed: 'command is only run on verify_or_test, controller_task and merge nodes',
  unknown_reference: 'a {{…}} reference in task or command names no param, node or field',
  unknown_builds_on: 'builds_on names a node that does not exist, or one without a worker',
  unused_role: '(warning) a role alias no node uses',
  decision_without_branches: '(warning) a decision node with a single way on',
  control_character: 'a task or description holds a control character (a terminal escape would reach panes and terminals)',
  ...PARALLEL_VALIDATION_CODES,
} as const;
/** One of the keys of {@link VALIDATION_CODES}. */
export type ValidationCode = keyof typeof VALIDATION_CODES;

/** One validation problem. `path` is like `nodes[3].requires_confirmaton`; line/col are 1-based. */
export interface Problem {
  code: ValidationCode;
  message: string;
  path: string;
  line: number;
  col: number;
  hint?: string;
}

/** Result of {@link validateTemplate}: the typed template only when there are no errors. */
export interface ValidationResult {
  template?: WorkflowTemplate;
  errors: Problem[];
  warnings: Problem[];
}

/** One step of a field path: a key or a list index. */
export type PathKey = string | number;

/** Formats `['nodes', 3, 'task']` as `nodes[3].task` (`(root)` for the document). */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out === '' ? '(root)' : out;
}

/**
 * Validates a parsed template file against the schema and the graph rules of DESIGN.md ("Validation").
 * Never throws for content problems; unreadable files are rejected earlier by `readYamlFile`.
 */
export function validateTemplate(loaded: LoadedYaml): ValidationResult {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const add = (list: Problem[], code: ValidationCode, path: PathKey[], message: string, hint?: string, key = false) => {
    const pos = locate(loaded, path, { key });
    list.push({ code, message, path: formatPath(path), line: pos.line, col: pos.col, ...(hint ? { hint } : {}) });
  };
  const error = (code: ValidationCode, path: PathKey[], message: string, hint?: string, key = false) => add(errors, code, path, message, hint, key);
  const data = loaded.data;

  if (!isRecord(data)) {
    error('wrong_type', [], 'a workflow template must be a YAML mapping (version, name, roles, entry, nodes)', 'start from `agent-team workflow create <name>`');
    return { errors, warnings };
  }

  const parsed = TemplateSchema.safeParse(data);
  if (!parsed.success) for (const issue of parsed.error.issues) mapIssue(issue, data, error);

  checkGraph(data, error, (code, path, message, hint) => add(warnings, code, path, message, hint));
  checkControlCharacters(data, [], error);

  errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return errors.length === 0 && parsed.success ? { template: parsed.data, errors, warnings } : { errors, warnings };
}

/** Reports one problem at `path` (used by the graph checks of `validate-parallel.ts`). */
export type Report = (code: ValidationCode, path: PathKey[], message: string, hint?: string, key?: boolean) => void;

/** C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides that reorder shown text. */
const CONTROL_CHAR = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Keys whose text is typed into panes and printed: control characters there are refused. */
const TEXT_KEYS = new Set(['task', 'description']);

/** Reports every `task`/`description` string (at any depth) holding a control character (issue 11, finding 8). */
function checkControlCharacters(value: unknown, path: PathKey[], error: Report): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkControlCharacters(v, [...path, i], error));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' && TEXT_KEYS.has(key)) {
      const m = CONTROL_CHAR.exec(v);
      if (m) {
        const code = `U+${(m[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
        error('control_character', [...path, key], `${formatPath([...path, key])}: holds the control character ${code} at offset ${m.index}; it would be typed into a pane or sent to a terminal`, 'remove it (write plain text; use a YAML block scalar for line breaks)');
      }
    } else if (typeof v === 'object' && v !== null) {
      checkControlCharacters(v, [...path, key], error);
    }
  }
}

function mapIssue(issue: z.core.$ZodIssue, data: Record<string, unknown>, error: Report): void {
  const path = issue.path.filter((k): k is PathKey => typeof k === 'string' || typeof k === 'number');
  const field = formatPath(path);
  const value = valueAt(data, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysFor(path);
      for (const key of issue.keys) {
        const suggestion = didYouMean(key, known);
        const where = formatPath([...path, key]);
        error(
          'unknown_key',
          [...path, key],
          `${where}: unknown key${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
          suggestion ? `rename it to ${suggestion}` : `remove it; allowed keys here: ${known.join(', ')}`,
          true,
        );
      }
      return;
    }
    case 'invalid_type':
      if (value === undefined) {
        error('missing_field', path, `${field}: required field is missing`, `add ${String(path[path.length - 1])}: <${issue.expected}>`);
      } else {
        error('wrong_type', path, `${field}: expected ${issue.expected}, got ${describe(value)}`);
      }
      return;
    case 'invalid_value':
      // zod reports a missing enum/literal (version, type) as invalid_value, not invalid_type
      if (value === undefined) {
        const key = String(path[path.length - 1]);
        error('missing_field', path, `${field}: required field is missing`, key === 'type' ? `add type: <one of ${NODE_TYPES.join(', ')}>` : key === 'version' ? 'add version: 1' : `add ${key}: <value>`);
      } else if (path.length === 1 && path[0] === 'version') {
        error('unsupported_version', path, `version: ${JSON.stringify(value)} is not supported`, 'set version: 1');
      } else if (path[path.length - 1] === 'type' && path[0] === 'nodes') {
        const suggestion = typeof value === 'string' ? didYouMean(value, NODE_TYPES) : undefined;
        error(
          'unknown_node_type',
          path,
          `${field}: unknown node type ${JSON.stringify(value)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
          `use one of: ${NODE_TYPES.join(', ')}`,
        );
      } else {
        const values = 'values' in issue ? (issue.values as unknown[]).map(String) : [];
        error('wrong_type', path, `${field}: ${JSON.stringify(value)} is not allowed`, values.length ? `use one of: ${values.join(', ')}` : undefined);
      }
      return;
    case 'invalid_format':
    case 'custom':
      if (typeof value === 'string' && value.trim() === '') return; // reported as empty_field
      if (path[0] === 'name' || (path[0] === 'roles' && (path[2] === 'role' || path[2] === 'worker'))) {
        error('invalid_name', path, `${field}: ${JSON.stringify(value)} is not allowed: ${issue.message}`, path[0] === 'name' ? 'use letters, digits, ".", "_" and "-"' : 'use lowercase letters, digits and "-", e.g. vite-react-dev');
        return;
      }
      error('wrong_type', path, `${field}: ${issue.message}`);
      return;
    case 'too_small':
      if (Array.isArray(value)) error('empty_field', path, `${field}: must not be empty`, 'add at least one node');
      else error('empty_field', path, `${field}: must not be empty`);
      return;
    default:
      error('wrong_type', path, `${field}: ${issue.message}`);
  }
}

function checkGraph(data: Record<string, unknown>, error: Report, warn: Report): void {
  const roles = isRecord(data.roles) ? data.roles : {};
  const aliases = Object.keys(roles);
  const nodes = Array.isArray(data.nodes) ? data.nodes : [];
  const index = new Map<string, number>();
  const edges = new Map<string, string[]>();
  const ends = new Set<string>();
  const usedAliases = new Set<string>();

  nodes.forEach((node, i) => {
    if (!isRecord(node) || typeof node.id !== 'string' || node.id.trim() === '') return;
    const first = index.get(node.id);
    if (first !== undefined) {
      error('duplicate_node_id', ['nodes', i, 'id'], `nodes[${i}].id: duplicate node id ${JSON.stringify(node.id)} (first used by nodes[${first}])`, 'give every node a unique id');
    } else {
      index.set(node.id, i);
    }
  });

  nodes.forEach((node, i) => {
    if (!isRecord(node)) return;
    const id = typeof node.id === 'string' ? node.id : `nodes[${i}]`;
    const type = node.type;
    // actor
    if (typeof node.actor === 'string' && node.actor.trim() !== '') {
      usedAliases.add(node.actor);
      if (!aliases.includes(node.actor)) {
        const suggestion = didYouMean(node.actor, aliases);
        error(
          'unknown_actor',
          ['nodes', i, 'actor'],
          `nodes[${i}].actor: ${JSON.stringify(node.actor)} is not a role alias${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
          aliases.length ? `use one of the roles keys: ${aliases.join(', ')}` : `add it under roles: (${node.actor}: { role: <role-name> })`,
        );
      }
    } else if (typeof type === 'string' && (ACTOR_NODE_TYPES as readonly string[]).includes(type) && node.actor === undefined) {
      error('missing_actor', ['nodes', i], `node ${id}: a ${type} node needs an actor`, aliases.length ? `add actor: <one of ${aliases.join(', ')}>` : 'add roles and an actor');
    }
    // command
    if (node.command !== undefined && typeof type === 'string' && (NODE_TYPES as readonly string[]).includes(type) && !(COMMAND_NODE_TYPES as readonly string[]).includes(type)) {
      error('command_not_allowed', ['nodes', i, 'command'], `nodes[${i}].command: a ${type} node does not run commands`, `move it to a verify_or_test, controller_task or merge node, or remove it`, true);
    }
    // ways on
    const hasNext = node.next !== undefined && node.next !== null;
    const hasBranches = node.branches !== undefined && node.branches !== null;
    const isEnd = node.end === true;
    const ways = [hasNext && 'next', hasBranches && 'branches', isEnd && 'end: true'].filter(Boolean);
    if (ways.length === 0) {
      error('no_way_on', ['nodes', i], `node ${id}: has none of next, branches, end: true`, 'add next: <node id>, branches: [...] or end: true');
    } else if (ways.length > 1) {
      error('multiple_ways_on', ['nodes', i], `node ${id}: has ${ways.join(' and ')}; exactly one is allowed`, `keep one of ${ways.join(', ')}`);
    }
    if (typeof node.id !== 'string') return;
    const out: string[] = [];
    if (isEnd) ends.add(node.id);
    const target = (value: unknown, path: PathKey[]) => {
      if (typeof value !== 'string' || value.trim() === '') return;
      if (!index.has(value)) {
        const suggestion = didYouMean(value, [...index.keys()]);
        error('unknown_target', path, `${formatPath(path)}: no node has id ${JSON.stringify(value)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, suggestion ? `change it to ${suggestion}` : 'point it at an existing node id');
      } else {
        out.push(value);
      }
    };
    if (hasNext && Array.isArray(node.next)) node.next.forEach((t, j) => target(t, ['nodes', i, 'next', j]));
    else if (hasNext) target(node.next, ['nodes', i, 'next']);
    if (Array.isArray(node.branches)) {
      if (node.branches.length === 0) error('empty_branches', ['nodes', i, 'branches'], `nodes[${i}].branches: is empty`, 'add at least one { when: <label>, next: <node id> }');
      const seen = new Map<string, number>();
      node.branches.forEach((branch, j) => {
        if (!isRecord(branch)) return;
        if (typeof branch.when === 'string' && branch.when.trim() !== '') {
          const earlier = seen.get(branch.when);
          if (earlier !== undefined) {
            error('duplicate_branch_label', ['nodes', i, 'branches', j, 'when'], `nodes[${i}].branches[${j}].when: label ${JSON.stringify(branch.when)} is already used by branches[${earlier}]`, 'give every branch of a node its own label');
          } else {
            seen.set(branch.when, j);
          }
        }
        target(branch.next, ['nodes', i, 'branches', j, 'next']);
      });
      if (type === 'decision' && node.branches.length === 1) warn('decision_without_branches', ['nodes', i, 'branches'], `node ${node.id}: a decision with one branch decides nothing`, 'add another branch or make it a controller_task');
    } else if (type === 'decision' && hasNext) {
      warn('decision_without_branches', ['nodes', i], `node ${node.id}: a decision node with next instead of branches decides nothing`, 'use branches');
    }
    if (!edges.has(node.id)) edges.set(node.id, out);
  });
  checkFlow(data, nodes, index, error);

  // entry
  let entry: string | undefined;
  if (typeof data.entry === 'string' && data.entry.trim() !== '') {
    if (index.has(data.entry)) entry = data.entry;
    else {
      const suggestion = didYouMean(data.entry, [...index.keys()]);
      error('unknown_entry', ['entry'], `entry: no node has id ${JSON.stringify(data.entry)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, suggestion ? `set entry: ${suggestion}` : 'set entry to the id of the first node');
    }
  }

  if (index.size === 0) return;
  checkParallelGraph({ nodes, index, edges, ends }, error);
  if (entry) {
    const reached = walk([entry], edges);
    for (const [id, i] of index) {
      if (!reached.has(id)) error('unreachable_node', ['nodes', i], `node ${id}: cannot be reached from the entry ${entry}`, `point a next or branch at ${id}, or remove it`);
    }
  }
  if (ends.size === 0) {
    error('no_end_node', ['nodes'], 'no node has end: true, so a run can never complete', 'mark the last node with end: true');
  } else {
    const reverse = new Map<string, string[]>();
    for (const [from, tos] of edges) for (const to of tos) reverse.set(to, [...(reverse.get(to) ?? []), from]);
    const canEnd = walk([...ends], reverse);
    for (const [id, i] of index) {
      if (!canEnd.has(id)) error('no_path_to_end', ['nodes', i], `node ${id}: no end node can be reached from here (a loop with no exit)`, 'add a branch that leads to an end node');
    }
  }
  for (const alias of Object.keys(roles)) {
    if (!usedAliases.has(alias)) warn('unused_role', ['roles', alias], `roles.${alias}: no node uses this role alias`, 'remove it or use it as an actor');
  }
}

/** `{{…}}` references in task/command, and builds_on targets (DESIGN.md "Work that flows"). */
function checkFlow(data: Record<string, unknown>, nodes: unknown[], index: Map<string, number>, error: Report): void {
  const params = isRecord(data.params) ? (data.params as WorkflowTemplate['params']) : undefined;
  const known = { params, nodes: [...index.keys()].map((id) => ({ id }) as WorkflowTemplate['nodes'][number]) };
  nodes.forEach((node, i) => {
    if (!isRecord(node)) return;
    // a for_each node's task names its item as {{item}} or as its `as:` name
    const itemName = isRecord(node.for_each) && typeof node.for_each.as === 'string' ? node.for_each.as : undefined;
    for (const field of ['task', 'command'] as const) {
      const text = node[field];
      if (typeof text !== 'string') continue;
      for (const ref of references(text)) {
        if (itemName !== undefined && ref === itemName) continue;
        const problem = referenceProblem(ref, known);
        if (problem) error('unknown_reference', ['nodes', i, field], `nodes[${i}].${field}: ${problem}`, 'fix the reference or declare what it names');
      }
    }
    if (Array.isArray(node.builds_on)) {
      node.builds_on.forEach((target, j) => {
        if (typeof target !== 'string') return;
        const at = index.get(target);
        if (at === undefined) {
          const suggestion = didYouMean(target, [...index.keys()]);
          error('unknown_builds_on', ['nodes', i, 'builds_on', j], `nodes[${i}].builds_on[${j}]: no node has id ${JSON.stringify(target)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, suggestion ? `change it to ${suggestion}` : 'name a node done by a worker');
        } else {
          const t = nodes[at];
          if (isRecord(t) && t.actor === undefined) error('unknown_builds_on', ['nodes', i, 'builds_on', j], `nodes[${i}].builds_on[${j}]: node ${target} has no actor, so no worker branch to build on`, 'name a node done by a worker');
        }
      });
    }
  });
}

/** Every node reachable from `start` along `edges` (including `start`). */
export function walk(start: string[], edges: Map<string, string[]>): Set<string> {
  const seen = new Set<string>(start);
  const queue = [...start];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    for (const next of edges.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

function knownKeysFor(path: readonly PathKey[]): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS.template;
  if (path[0] === 'nodes' && path.length === 2) return KNOWN_KEYS.node;
  if (path[0] === 'nodes' && path[2] === 'for_each') return Object.keys(ForEachSchema.shape);
  if (path[0] === 'nodes' && path.length === 4) return KNOWN_KEYS.branch;
  if (path[0] === 'roles' && path.length === 2) return KNOWN_KEYS.role;
  if (path[0] === 'defaults') return KNOWN_KEYS.defaults;
  if (path[0] === 'params' && path.length === 2) return KNOWN_KEYS.param;
  return [];
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key as string];
  }
  return cur;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Whether `value` is a plain mapping. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
