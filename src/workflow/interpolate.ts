/**
 * `{{…}}` references in a node's `task` and `command` (DESIGN.md "Work that flows"): `{{params.NAME}}`,
 * `{{nodes.ID.outcome|summary|worker|branch|visits|outcomes}}`, `{{run.id}}`. A reference whose value
 * does not exist yet (a node not yet done, a param not given) is left as written and reported; values put
 * into a `command:` are shell-quoted. `{{item}}` belongs to `for_each` and is left to it.
 */
import type { NodeState, RunState, WorkflowTemplate } from './schema.js';
import { shellQuote } from '../shell-quote.js';

/** Fields of `{{nodes.ID.<field>}}`. */
export const NODE_REF_FIELDS = ['outcome', 'summary', 'worker', 'branch', 'visits', 'outcomes'] as const;

const REF = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Every `{{…}}` reference in `text`, trimmed, in order (e.g. `params.requirement`). */
export function references(text: string): string[] {
  return [...text.matchAll(REF)].map((m) => m[1] ?? '');
}

/**
 * Why `ref` cannot name anything in `template` (unknown param, node or field; a malformed reference),
 * or undefined when it can. Used by `validate` (code `unknown_reference`).
 */
export function referenceProblem(ref: string, template: Pick<WorkflowTemplate, 'params' | 'nodes'>): string | undefined {
  const parts = ref.split('.');
  const [head, name, field] = parts;
  if (ref === 'item' || head === 'item') return undefined;
  if (ref === 'run.id') return undefined;
  if (head === 'params' && parts.length === 2 && name) {
    return template.params && name in template.params ? undefined : `{{${ref}}}: the template declares no param ${name}${template.params ? ` (params: ${Object.keys(template.params).join(', ')})` : ' (add it under params:)'}`;
  }
  if (head === 'nodes' && parts.length === 3 && name && field) {
    if (!template.nodes.some((n) => n.id === name)) return `{{${ref}}}: no node has id ${name}`;
    return (NODE_REF_FIELDS as readonly string[]).includes(field) ? undefined : `{{${ref}}}: nodes have no field ${field} (use ${NODE_REF_FIELDS.join(', ')})`;
  }
  return `{{${ref}}}: not a reference (use params.NAME, nodes.ID.${NODE_REF_FIELDS.join('|')}, run.id)`;
}

/** The latest finished visit of a node: its state when completed, else the last completed visit in its history. */
function lastDone(ns: NodeState | undefined): Omit<NodeState, 'history'> | undefined {
  if (!ns) return undefined;
  if (ns.status === 'completed') return ns;
  return [...(ns.history ?? [])].reverse().find((h) => h.status === 'completed');
}

function valueOf(ref: string, state: RunState): unknown {
  const [head, name, field] = ref.split('.');
  if (ref === 'run.id') return state.run_id;
  if (head === 'params' && name) return state.params?.[name];
  if (head !== 'nodes' || !name || !field) return undefined;
  const ns = state.node_states[name];
  if (field === 'visits') return ns?.visits ? ns.visits : undefined;
  if (field === 'outcomes') {
    // a for_each node keeps its instances' outcomes (in instance order) once they are all done
    const aggregated = (ns as { outcomes?: unknown } | undefined)?.outcomes;
    if (Array.isArray(aggregated)) return aggregated.length ? aggregated.map(String) : undefined;
    const all = [...(ns?.history ?? []), ...(ns ? [ns] : [])].filter((v) => v.status === 'completed' && v.outcome).map((v) => v.outcome as string);
    return all.length ? all : undefined;
  }
  const done = lastDone(ns);
  if (!done) return undefined;
  if (field === 'branch') return done.worker ? `team/${done.worker}` : undefined;
  return (done as Record<string, unknown>)[field];
}

/** The result of {@link interpolate}: the text, and the references left as written (their value does not exist yet). */
export interface Interpolated {
  text: string;
  unresolved: string[];
}

/**
 * Replaces the references in `text` with the run's values. `shell: true` quotes each value for `/bin/sh`
 * (a list becomes several quoted words); otherwise lists are joined with ", ". Never throws.
 */
export function interpolate(text: string, state: RunState, options: { shell?: boolean } = {}): Interpolated {
  const unresolved: string[] = [];
  const out = text.replace(REF, (whole, raw: string) => {
    const ref = raw.trim();
    const value = valueOf(ref, state);
    if (value === undefined || value === null || value === '') {
      if (ref !== 'item' && !ref.startsWith('item.')) unresolved.push(ref);
      return whole;
    }
    const items = Array.isArray(value) ? value.map(String) : [String(value)];
    if (options.shell) return items.map(shellQuote).join(' ');
    // a task is typed into a pane as one message: line breaks (e.g. a check's output) become " | ",
    // other control characters a space, so a summary can never act on the terminal
    return items.map((v) => v.replace(/\s*\n\s*/g, ' | ').replace(/[\x00-\x1f\x7f]/g, ' ').trim()).join(', ');
  });
  return { text: out, unresolved };
}
