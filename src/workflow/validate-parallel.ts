/**
 * Graph checks of parallel runs, called by `validateTemplate` with the node index and edges it built:
 * node ids without `/` (instance ids are `<node>/<n>`), forks (`next:` lists) whose every path reaches
 * its join or an end, joins (`after:`) whose listed nodes exist and can reach them, no node active twice
 * (reached by two paths of one fork without being a join), `for_each` only on worker nodes, and the
 * nodes that `when:` and `for_each.items` refer to. (A forked path that reaches neither a join nor an
 * end is a node with no path to an end, reported by `validate.ts`.) Each problem has a stable code and a position.
 */
import { conditionNodes } from './conditions.js';
import { didYouMean } from './did-you-mean.js';
import type { Condition } from './parallel-schema.js';
import { isRecord, walk, type PathKey, type Report } from './validate.js';

/** The codes this module reports (merged into VALIDATION_CODES). */
export const PARALLEL_VALIDATION_CODES = {
  invalid_node_id: 'a node id contains "/" (reserved for for_each instance ids such as build/2)',
  duplicate_fork_target: 'a next: list names the same node twice',
  join_unreachable: 'a node listed in after: cannot reach the join, so the join would wait forever',
  fork_path_not_joined: 'a forked path arrives at a join whose after: lists none of its nodes',
  node_active_twice: 'two paths of one fork reach the same node, which is not a join: it would be active twice',
  for_each_not_allowed: 'for_each is only for worker nodes (assign_role_task, handoff, verify_or_test without command)',
  when_needs_way_on: 'a node with when: and branches needs a branch labelled skipped (the way on when it is skipped)',
} as const;

/** What `validateTemplate` built: raw nodes, id → index, id → targets, end node ids. */
export interface GraphFacts {
  nodes: unknown[];
  index: Map<string, number>;
  edges: Map<string, string[]>;
  ends: Set<string>;
}

const WORKER_TYPES = ['assign_role_task', 'handoff', 'verify_or_test'];

/** Reports the parallel-run problems of the template through `error`. */
export function checkParallelGraph(g: GraphFacts, error: Report): void {
  const { nodes, index, edges } = g;
  const joins = new Map<string, string[]>();
  nodes.forEach((node, i) => {
    if (!isRecord(node) || typeof node.id !== 'string') return;
    const id: string = node.id;
    if (id.includes('/')) error('invalid_node_id', ['nodes', i, 'id'], `nodes[${i}].id: ${JSON.stringify(node.id)} contains "/"`, `rename it, e.g. ${node.id.replaceAll('/', '-')} ("/" separates a for_each node from its instance number)`);
    if (Array.isArray(node.after)) {
      const after = node.after.filter((a): a is string => typeof a === 'string');
      joins.set(node.id, after);
      node.after.forEach((a, j) => {
        if (typeof a !== 'string') return;
        if (!index.has(a)) {
          const s = didYouMean(a, [...index.keys()]);
          error('unknown_target', ['nodes', i, 'after', j], `nodes[${i}].after[${j}]: no node has id ${JSON.stringify(a)}${s ? ` (did you mean ${s}?)` : ''}`, s ? `change it to ${s}` : 'list the nodes whose paths meet here');
        } else if (!walk([a], edges).has(id)) {
          error('join_unreachable', ['nodes', i, 'after', j], `nodes[${i}].after[${j}]: ${a} cannot reach the join ${id}, so it would wait forever`, `remove ${a} from after, or lead a path from ${a} to ${id}`);
        }
      });
    }
    if (Array.isArray(node.next)) {
      const seen = new Map<unknown, number>();
      node.next.forEach((t, j) => {
        if (seen.has(t)) error('duplicate_fork_target', ['nodes', i, 'next', j], `nodes[${i}].next[${j}]: ${JSON.stringify(t)} is already listed at next[${seen.get(t)}]`, 'list each node once');
        else seen.set(t, j);
      });
    }
    if (node.for_each !== undefined && typeof node.type === 'string' && (!WORKER_TYPES.includes(node.type) || (node.type === 'verify_or_test' && node.command !== undefined))) {
      error('for_each_not_allowed', ['nodes', i, 'for_each'], `nodes[${i}].for_each: a ${node.type}${node.command !== undefined ? ' with command' : ''} node cannot run once per item`, 'put for_each on an assign_role_task, handoff or verify_or_test (without command) node', true);
    }
    if (isRecord(node.for_each) && typeof node.for_each.items === 'string') {
      const ref = /\{\{\s*nodes\.([^.}\s]+)/.exec(node.for_each.items)?.[1];
      if (ref && !index.has(ref)) referToUnknown(error, ['nodes', i, 'for_each', 'items'], ref, index);
    }
    if (node.when !== undefined && isRecord(node.when)) {
      for (const ref of safeConditionNodes(node.when)) if (!index.has(ref)) referToUnknown(error, ['nodes', i, 'when'], ref, index);
      if (Array.isArray(node.branches) && !node.branches.some((b) => isRecord(b) && b.when === 'skipped')) {
        error('when_needs_way_on', ['nodes', i, 'when'], `node ${node.id}: has when: and branches, but no branch labelled skipped`, 'add { when: skipped, next: <node id> } to its branches, or use next:', true);
      }
    }
  });
  // forks: each path reaches its join or an end, and no node is reached by two paths (except joins)
  nodes.forEach((node, i) => {
    if (!isRecord(node) || typeof node.id !== 'string' || !Array.isArray(node.next) || node.next.length < 2) return;
    const fork = node.id;
    const paths = [...new Set(node.next.filter((t): t is string => typeof t === 'string' && index.has(t)))].map((t) => ({ via: t, reach: walkToJoins(t, edges, joins) }));
    for (const p of paths) {
      const metJoins = [...p.reach].filter((id) => joins.has(id));
      const own = [...p.reach].filter((id) => !joins.has(id));
      for (const j of metJoins) {
        const after = joins.get(j) ?? [];
        if (!after.some((a) => own.includes(a))) {
          error('fork_path_not_joined', ['nodes', i, 'next', node.next.indexOf(p.via)], `node ${fork}: the path via ${p.via} arrives at join ${j}, whose after: lists none of its nodes (${own.join(', ')})`, `add the last node of that path to ${j}'s after:`);
        }
      }
    }
    const reported = new Set<string>();
    for (let a = 0; a < paths.length; a++) {
      for (let b = a + 1; b < paths.length; b++) {
        const pa = paths[a] as { via: string; reach: Set<string> };
        const pb = paths[b] as { via: string; reach: Set<string> };
        for (const id of pa.reach) {
          if (joins.has(id) || !pb.reach.has(id) || reported.has(id)) continue;
          reported.add(id);
          const at = index.get(id) ?? i;
          error('node_active_twice', ['nodes', at], `node ${id}: reached by two paths of fork ${fork} (via ${pa.via} and via ${pb.via}), it would be active twice`, `make ${id} a join (after: [...]) where the paths meet, or give each path its own node`);
        }
      }
    }
  });
}

/** The nodes reachable from `start` without passing a join (joins themselves are included). */
function walkToJoins(start: string, edges: Map<string, string[]>, joins: Map<string, string[]>): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (joins.has(id)) continue;
    for (const next of edges.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

function safeConditionNodes(when: Record<string, unknown>): string[] {
  try {
    return conditionNodes(when as unknown as Condition).filter((x) => typeof x === 'string');
  } catch {
    return [];
  }
}

function referToUnknown(error: Report, path: PathKey[], ref: string, index: Map<string, number>): void {
  const s = didYouMean(ref, [...index.keys()]);
  error('unknown_target', path, `${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '').replace('.[', '[')}: no node has id ${JSON.stringify(ref)}${s ? ` (did you mean ${s}?)` : ''}`, s ? `change it to ${s}` : 'name an existing node');
}
