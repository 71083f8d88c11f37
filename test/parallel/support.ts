/**
 * Shared setup of the parallel-run tests: a real git repository with a template, a run-state made by
 * `initRun`, and a recording WorkerPort (the only stand-in: workers are the agent; files, locks,
 * transitions and the controller loop are real).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { initRun, loadRun } from '../../src/workflow/state-service.js';
import { FakePort as BaseFakePort } from '../helpers/fake-port.js';
import { tempRepo, writeFile } from '../helpers/repo.js';

/** The controller-loop tests' recording port, with ids that skip existing workers and no idle worker (findIdle is not recorded). */
export class FakePort extends BaseFakePort {
  override nextId = (role: string) => {
    let n = this.seq + 1;
    while (this.workers.has(`${role}-${String(n).padStart(3, '0')}`)) n++;
    return `${role}-${String(n).padStart(3, '0')}`;
  };
  override async findIdle(_role: string) {
    return undefined;
  }
}

/**
 * A temp repository holding `.agents/workflow/<name>.yaml` and a fresh run of it. `params` the template
 * declares are given to `state init`; others (templates that read a param without declaring it) are
 * written into the run-state's `params:` afterwards, as `state init --param` records them.
 */
export function setupRun(name: string, yaml: string, params?: Record<string, unknown>): { dir: string; path: string; cleanup: () => void; state: () => ReturnType<typeof loadRun>['state'] } {
  const repo = tempRepo('agent-team-parallel-');
  writeFile(repo.dir, `.agents/workflow/${name}.yaml`, yaml);
  const declared = Object.keys((parse(yaml) as { params?: Record<string, unknown> }).params ?? {});
  const given = Object.entries(params ?? {});
  const { path } = initRun({ workflowFile: `.agents/workflow/${name}.yaml`, cwd: repo.dir, runId: 'r1', params: Object.fromEntries(given.filter(([k]) => declared.includes(k))) });
  if (given.some(([k]) => !declared.includes(k))) {
    const text = loadRun(path, repo.dir);
    writeFileSync(path, `${JSON.stringify({ ...text.state, params: { ...text.state.params, ...params } })}\n`);
  }
  return { dir: repo.dir, path, cleanup: repo.cleanup, state: () => loadRun(path, repo.dir).state };
}


/** A template object as a test edits it: `nodes` a list of plain node objects. */
export interface FixtureTemplate {
  name: string;
  roles: Record<string, Record<string, unknown>>;
  entry: string;
  nodes: Record<string, unknown>[];
  [key: string]: unknown;
}

/** Node `id` of `t` (a live object to edit). Throws when there is none, so a fixture edit cannot silently miss. */
export function nodeOf(t: FixtureTemplate, id: string): Record<string, unknown> {
  const node = t.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`fixture ${t.name} has no node ${id}`);
  return node;
}

/**
 * The shared template test/fixtures/parallel/<name>.yaml as YAML text, after `edit` changed its object
 * (a key added to a node, a node's type changed, nodes added…): each test states what it changes next to
 * what it proves, on a base the other tests share.
 */
export function fixture(name: string, edit?: (t: FixtureTemplate) => void): string {
  const t = parse(readFileSync(new URL(`../fixtures/parallel/${name}.yaml`, import.meta.url), 'utf8')) as FixtureTemplate;
  edit?.(t);
  return stringify(t);
}
