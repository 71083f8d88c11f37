/** Rendering a template as a Mermaid flowchart or a Graphviz DOT digraph. */
import { nextTargets } from './parallel-schema.js';
import type { WorkflowNode, WorkflowTemplate } from './schema.js';

/** Diagram formats of `workflow graph`. */
export const GRAPH_FORMATS = ['mermaid', 'dot'] as const;
/** One of {@link GRAPH_FORMATS}. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Optional run overlay: node ids to highlight as current / completed. */
export interface GraphOverlay {
  current?: string;
  completed?: Iterable<string>;
}

function label(node: WorkflowNode): string {
  const parts = [node.id, node.type + (node.actor ? ` (${node.actor})` : '')];
  if (node.requires_confirmation) parts.push('confirm');
  if (node.end) parts.push('end');
  return parts.join('\n');
}

/** The template as text in `format`: one node per line, branch labels on edges, gates and ends marked. */
export function renderGraph(template: WorkflowTemplate, format: GraphFormat, overlay: GraphOverlay = {}): string {
  const completed = new Set(overlay.completed ?? []);
  const safe = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
  const lines: string[] = [];
  if (format === 'mermaid') {
    lines.push('flowchart TD');
    for (const n of template.nodes) {
      const text = label(n).replaceAll('\n', '<br/>').replaceAll('"', '#quot;');
      const shape = n.requires_confirmation ? `{{"${text}"}}` : n.end ? `(["${text}"])` : n.type === 'decision' ? `{"${text}"}` : `["${text}"]`;
      lines.push(`    ${safe(n.id)}${shape}`);
    }
    lines.push(`    start((start)) --> ${safe(template.entry)}`);
    for (const n of template.nodes) {
      for (const t of nextTargets(n.next)) lines.push(`    ${safe(n.id)} --> ${safe(t)}`);
      for (const b of n.branches ?? []) lines.push(`    ${safe(n.id)} -->|${b.when.replaceAll('|', '/')}| ${safe(b.next)}`);
    }
    lines.push('    classDef confirm stroke:#d97706,stroke-width:2px');
    lines.push('    classDef current fill:#fde68a');
    lines.push('    classDef done fill:#bbf7d0');
    const gates = template.nodes.filter((n) => n.requires_confirmation).map((n) => safe(n.id));
    if (gates.length) lines.push(`    class ${gates.join(',')} confirm`);
    if (completed.size) lines.push(`    class ${[...completed].map(safe).join(',')} done`);
    if (overlay.current) lines.push(`    class ${safe(overlay.current)} current`);
  } else {
    const q = (s: string) => JSON.stringify(s);
    lines.push(`digraph ${q(template.name)} {`, '    rankdir=TB;', '    node [shape=box, fontname="Helvetica"];', '    __start [shape=circle, label="start"];');
    for (const n of template.nodes) {
      const attrs = [`label=${q(label(n))}`];
      if (n.end) attrs.push('shape=doubleoctagon');
      else if (n.type === 'decision') attrs.push('shape=diamond');
      if (n.requires_confirmation) attrs.push('color="#d97706"', 'penwidth=2');
      if (overlay.current === n.id) attrs.push('style=filled', 'fillcolor="#fde68a"');
      else if (completed.has(n.id)) attrs.push('style=filled', 'fillcolor="#bbf7d0"');
      lines.push(`    ${q(n.id)} [${attrs.join(', ')}];`);
    }
    lines.push(`    __start -> ${q(template.entry)};`);
    for (const n of template.nodes) {
      for (const t of nextTargets(n.next)) lines.push(`    ${q(n.id)} -> ${q(t)};`);
      for (const b of n.branches ?? []) lines.push(`    ${q(n.id)} -> ${q(b.next)} [label=${q(b.when)}];`);
    }
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}
