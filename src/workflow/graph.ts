/** Rendering a template as a Mermaid flowchart or a Graphviz DOT digraph. */
import { nextTargets } from './parallel-schema.js';
import { activeIds, baseNodeId, isInstanceId } from './active.js';
import type { RunState, WorkflowNode, WorkflowTemplate } from './schema.js';

/** Diagram formats of `workflow graph`. */
export const GRAPH_FORMATS = ['mermaid', 'dot'] as const;
/** One of {@link GRAPH_FORMATS}. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Optional run overlay: node ids to highlight as current / active / completed / skipped, and for_each progress. */
export interface GraphOverlay {
  current?: string;
  /** Every active node (a for_each node whose instances are active counts as active). */
  active?: Iterable<string>;
  completed?: Iterable<string>;
  skipped?: Iterable<string>;
  /** Per for_each node: instances done, at work and in all. */
  instances?: Record<string, { done: number; active: number; total: number }>;
}

/** The overlay of a run-state (`workflow graph --state`): current, active, completed and skipped nodes, for_each progress. */
export function overlayOf(state: RunState): GraphOverlay {
  const ids = activeIds(state);
  const instances: GraphOverlay['instances'] = {};
  for (const [id, ns] of Object.entries(state.node_states)) {
    const total = (ns as { instances?: unknown }).instances;
    if (isInstanceId(id) || typeof total !== 'number') continue;
    const all = Array.from({ length: total }, (_, i) => state.node_states[`${id}/${i + 1}`]);
    instances[id] = { total, done: all.filter((x) => x?.status === 'completed' || x?.status === 'skipped').length, active: all.filter((x) => x?.status === 'running' || x?.status === 'waiting' || x?.status === 'blocked').length };
  }
  const plain = Object.entries(state.node_states).filter(([id]) => !isInstanceId(id));
  return {
    current: state.current_node ? baseNodeId(state.current_node) : undefined,
    active: [...new Set(ids.map(baseNodeId))],
    completed: plain.filter(([, s]) => s.status === 'completed').map(([id]) => id),
    skipped: plain.filter(([, s]) => s.status === 'skipped').map(([id]) => id),
    instances,
  };
}

function label(node: WorkflowNode, overlay: GraphOverlay = {}): string {
  const parts = [node.id, node.type + (node.actor ? ` (${node.actor})` : '')];
  if (node.for_each) {
    const items = Array.isArray(node.for_each.items) ? `${node.for_each.items.length} items` : node.for_each.items;
    parts.push(`for each: ${items}${node.for_each.max_parallel ? ` (max ${node.for_each.max_parallel} at once)` : ''}`);
    const progress = overlay.instances?.[node.id];
    if (progress) parts.push(`instances ${node.id}/1..${progress.total}: ${progress.done} done, ${progress.active} at work`);
  }
  if (node.after) parts.push(`join: after ${node.after.join(', ')}`);
  if (node.when) parts.push('when: …');
  if (node.requires_confirmation) parts.push('confirm');
  if (node.end) parts.push('end');
  return parts.join('\n');
}

/** The template as text in `format`: one node per line, branch labels on edges, gates and ends marked. */
export function renderGraph(template: WorkflowTemplate, format: GraphFormat, overlay: GraphOverlay = {}): string {
  const completed = new Set(overlay.completed ?? []);
  const active = new Set(overlay.active ?? (overlay.current ? [overlay.current] : []));
  const skipped = new Set(overlay.skipped ?? []);
  const safe = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
  const lines: string[] = [];
  if (format === 'mermaid') {
    lines.push('flowchart TD');
    for (const n of template.nodes) {
      const text = label(n, overlay).replaceAll('\n', '<br/>').replaceAll('"', '#quot;');
      const shape = n.requires_confirmation ? `{{"${text}"}}` : n.end ? `(["${text}"])` : n.type === 'decision' ? `{"${text}"}` : `["${text}"]`;
      lines.push(`    ${safe(n.id)}${shape}`);
    }
    lines.push(`    start((start)) --> ${safe(template.entry)}`);
    for (const n of template.nodes) {
      const fork = nextTargets(n.next).length > 1;
      for (const t of nextTargets(n.next)) lines.push(`    ${safe(n.id)} ${fork ? '==>|fork|' : '-->'} ${safe(t)}`);
      for (const b of n.branches ?? []) lines.push(`    ${safe(n.id)} -->|${b.when.replaceAll('|', '/')}| ${safe(b.next)}`);
    }
    lines.push('    classDef confirm stroke:#d97706,stroke-width:2px');
    lines.push('    classDef current fill:#fde68a');
    lines.push('    classDef done fill:#bbf7d0');
    lines.push('    classDef skipped fill:#e5e7eb,stroke-dasharray:4 2');
    lines.push('    classDef join stroke:#2563eb,stroke-width:2px');
    const joins = template.nodes.filter((n) => n.after).map((n) => safe(n.id));
    if (joins.length) lines.push(`    class ${joins.join(',')} join`);
    const gates = template.nodes.filter((n) => n.requires_confirmation).map((n) => safe(n.id));
    if (gates.length) lines.push(`    class ${gates.join(',')} confirm`);
    if (completed.size) lines.push(`    class ${[...completed].map(safe).join(',')} done`);
    if (skipped.size) lines.push(`    class ${[...skipped].map(safe).join(',')} skipped`);
    if (active.size) lines.push(`    class ${[...active].map(safe).join(',')} current`);
  } else {
    const q = (s: string) => JSON.stringify(s);
    lines.push(`digraph ${q(template.name)} {`, '    rankdir=TB;', '    node [shape=box, fontname="Helvetica"];', '    __start [shape=circle, label="start"];');
    for (const n of template.nodes) {
      const attrs = [`label=${q(label(n, overlay))}`];
      if (n.end) attrs.push('shape=doubleoctagon');
      else if (n.type === 'decision') attrs.push('shape=diamond');
      if (n.requires_confirmation) attrs.push('color="#d97706"', 'penwidth=2');
      else if (n.after) attrs.push('color="#2563eb"', 'penwidth=2');
      if (active.has(n.id)) attrs.push('style=filled', 'fillcolor="#fde68a"');
      else if (completed.has(n.id)) attrs.push('style=filled', 'fillcolor="#bbf7d0"');
      else if (skipped.has(n.id)) attrs.push('style="filled,dashed"', 'fillcolor="#e5e7eb"');
      lines.push(`    ${q(n.id)} [${attrs.join(', ')}];`);
    }
    lines.push(`    __start -> ${q(template.entry)};`);
    for (const n of template.nodes) {
      const fork = nextTargets(n.next).length > 1;
      for (const t of nextTargets(n.next)) lines.push(`    ${q(n.id)} -> ${q(t)}${fork ? ' [label="fork", penwidth=2]' : ''};`);
      for (const b of n.branches ?? []) lines.push(`    ${q(n.id)} -> ${q(b.next)} [label=${q(b.when)}];`);
    }
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}
