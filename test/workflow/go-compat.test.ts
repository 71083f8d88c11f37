/** Files written by the Go agent-team (yaml.v3 layout, Go field names) are read, resumed and kept Go-readable. */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli } from '../helpers/cli.js';
import { tempRepo } from '../helpers/repo.js';
import { readRun, show, state } from './support.js';
import './fresh-build.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/go/', import.meta.url));
const RUN_ID = '20260313-153000-feature-delivery';
const GO_RUN_KEYS = ['version', 'run_id', 'workflow_file', 'workflow_name', 'status', 'current_node', 'pending_confirmation', 'blocking_reason', 'role_worker_map', 'node_states', 'decision_log', 'created_at', 'updated_at'];
const GO_NODE_KEYS = ['status', 'started_at', 'completed_at', 'outcome', 'worker', 'summary'];
const OUR_NODE_KEYS = ['visits', 'history', 'updated_at'];
const GO_DECISION_KEYS = ['timestamp', 'node', 'action', 'outcome', 'next_node', 'summary'];
const OUR_DECISION_KEYS = ['worker', 'forced'];
const CONFIRM_NODES = new Set(['controller_dispatch', 'controller_finish']);

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

/** A temp repo holding the Go template and the Go run-state `fixture` where the Go CLI puts them. */
function goRepo(fixture: string, template = 'feature-delivery.yaml'): { dir: string; file: string } {
  const repo = tempRepo();
  cleanups.push(repo.cleanup);
  const templatePath = join(repo.dir, '.agents/workflow/feature-delivery.yaml');
  const file = join(repo.dir, '.agents/workflow/runs/feature-delivery', `${RUN_ID}.yaml`);
  mkdirSync(dirname(file), { recursive: true });
  copyFileSync(join(FIXTURES, template), templatePath);
  copyFileSync(join(FIXTURES, fixture), file);
  return { dir: repo.dir, file };
}

/**
 * Drives a run to completion the way a controller would (dev_first, then passed). Returns the steps.
 * `first` is the run as `state show --json` gave it; each transition's `--json` answer gives the run's
 * status and current node for the next step.
 */
function resume(cwd: string, file: string, first: { status: string; current_node: string }): string[] {
  const steps: string[] = [];
  let at = { status: first.status as string, node: first.current_node as string };
  const move = (verb: string, ...args: string[]) => {
    const r = state(cwd, verb, file, '--node', at.node, ...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    steps.push(`${verb} ${at.node}`);
    at = { status: r.json.run_status, node: r.json.current_node };
  };
  for (let i = 0; i < 20; i++) {
    if (at.status === 'completed') return steps;
    // a paused run resumes with the transition it waits for; otherwise start the node first
    if (at.status === 'ready' || at.status === 'blocked') move('start');
    const outcome = at.node === 'controller_dispatch' ? ['--outcome', 'dev_first'] : at.node === 'qa_verify' ? ['--outcome', 'passed'] : [];
    move(CONFIRM_NODES.has(at.node) ? 'confirm' : 'complete', ...outcome);
  }
  throw new Error('run did not complete in 20 steps');
}

/** Checks that the file still reads as a Go run-state: Go field names, block style, nothing renamed. */
function expectGoShaped(text: string): void {
  const data = parse(text);
  for (const key of ['version', 'run_id', 'workflow_file', 'workflow_name', 'status', 'node_states', 'decision_log', 'created_at', 'updated_at']) expect(data).toHaveProperty(key);
  expect(Object.keys(data).filter((k) => !GO_RUN_KEYS.includes(k))).toEqual([]);
  for (const [id, ns] of Object.entries(data.node_states as Record<string, object>)) {
    expect(Object.keys(ns).filter((k) => !GO_NODE_KEYS.includes(k) && !OUR_NODE_KEYS.includes(k)), id).toEqual([]);
  }
  for (const e of data.decision_log as object[]) expect(Object.keys(e).filter((k) => !GO_DECISION_KEYS.includes(k) && !OUR_DECISION_KEYS.includes(k))).toEqual([]);
  expect(typeof data.version).toBe('number');
  // Block style Go's yaml.v3 reads back into its structs (we write 2-space indentation with js-yaml, for
  // speed on large runs; yaml.v3 reads any indentation), timestamps double-quoted strings as Go writes them.
  expect(text).toMatch(/\nnode_states:\n {2}\w+:\n {4}status: /);
  expect(text).toMatch(/\ndecision_log:\n {2}- timestamp: "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"\n {4}node: /);
  expect(text).toMatch(/\ncreated_at: "2026-03-13T15:30:00Z"\n/);
  expect(text).not.toMatch(/T\d{2}:\d{2}:\d{2}\.\d{3}Z/); // Go writes whole seconds
}

describe('Go templates', () => {
  it.each(['feature-delivery.yaml', 'dev-first.yaml'])('%s validates', (name) => {
    const repo = goRepo('run-init.yaml', name);
    const r = cli(['workflow', 'validate', '.agents/workflow/feature-delivery.yaml'], { cwd: repo.dir });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('OK: workflow is valid');
  });
});

describe('Go run-states', () => {
  const CASES: [string, Record<string, unknown>, string[]][] = [
    ['run-init.yaml', { status: 'ready', current_node: 'cto_breakdown' }, ['start cto_breakdown', 'complete cto_breakdown', 'start controller_dispatch', 'confirm controller_dispatch']],
    ['run-ready.yaml', { status: 'ready', current_node: 'dev_implement', role_worker_map: { cto: 'cto-001' } }, ['start dev_implement', 'complete dev_implement']],
    ['run-waiting.yaml', { status: 'waiting', current_node: 'dev_implement', blocking_reason: 'waiting for vite-react-dev-001' }, ['complete dev_implement']],
    ['run-waiting-confirmation.yaml', { status: 'waiting_confirmation', current_node: 'controller_dispatch', pending_confirmation: 'controller_dispatch' }, ['confirm controller_dispatch']],
    ['run-blocked.yaml', { status: 'blocked', current_node: 'qa_verify', blocking_reason: 'CI is down' }, ['start qa_verify', 'complete qa_verify']],
    ['run-no-node-states.yaml', { status: 'ready', current_node: 'cto_breakdown', node_states: {}, decision_log: [] }, ['start cto_breakdown', 'complete cto_breakdown']],
    ['run-loop-reentered.yaml', { status: 'ready', current_node: 'qa_verify' }, ['start qa_verify', 'complete qa_verify']],
  ];

  it.each(CASES)('%s: shows, resumes to completion, and stays Go-shaped', (fixture, expected, firstSteps) => {
    const { dir, file } = goRepo(fixture);
    const original = readFileSync(file, 'utf8');
    const goData = parse(original);

    // show: text (yaml.v3-like) and JSON, neither writes the file
    const text = cli(['workflow', 'state', 'show', file], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toBe('');
    expect(parse(text.stdout)).toMatchObject({ run_id: RUN_ID, ...expected });
    const shown = show(dir, file);
    expect(shown).toMatchObject({ run_id: RUN_ID, workflow_file: '.agents/workflow/feature-delivery.yaml', ...expected });
    expect(readFileSync(file, 'utf8')).toBe(original);

    const steps = resume(dir, file, shown);
    expect(steps.slice(0, firstSteps.length)).toEqual(firstSteps);
    expect(steps.at(-1)).toBe('confirm controller_finish');

    const after = readFileSync(file, 'utf8');
    expectGoShaped(after);
    const data = parse(after);
    expect(data).toMatchObject({ version: 1, run_id: RUN_ID, workflow_name: 'feature-delivery', status: 'completed', created_at: goData.created_at });
    // the Go history is kept as it was, and ours is appended after it
    const goLog = (goData.decision_log ?? []) as object[];
    expect(data.decision_log.slice(0, goLog.length)).toEqual(goLog);
    expect(data.decision_log.length).toBe(goLog.length + steps.length);
    expect(data.decision_log.some((e: { forced?: boolean }) => e.forced)).toBe(false);
    // nodes the Go run had finished are untouched
    for (const [id, ns] of Object.entries((goData.node_states ?? {}) as Record<string, { status: string }>)) {
      if (ns.status === 'completed' && id !== 'qa_verify') expect(data.node_states[id]).toMatchObject(ns);
    }
  });

  it('a loop the Go version re-entered keeps the earlier qa_verify visit in history', () => {
    const { dir, file } = goRepo('run-loop-reentered.yaml');
    expect(state(dir, 'start', file, '--node', 'qa_verify').code).toBe(0);
    const s = readRun(file);
    expect(s.node_states.qa_verify).toMatchObject({
      status: 'running',
      visits: 2,
      history: [{ status: 'completed', outcome: 'failed', summary: 'login test fails', completed_at: '2026-03-13T16:25:00Z' }],
    });
    expect(s.node_states.qa_verify.outcome).toBeUndefined();
  });

  it('a waiting_confirmation run refuses complete and accepts confirm', () => {
    const { dir, file } = goRepo('run-waiting-confirmation.yaml');
    const before = readFileSync(file);
    const r = state(dir, 'complete', file, '--node', 'controller_dispatch', '--outcome', 'dev_first');
    expect(r.code).toBe(1);
    // one line per outcome lives in the JSON details; the try: line only shows the step (issue 10)
    expect(r.stderr).toContain(`try: agent-team workflow state next ${file}`);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(state(dir, 'confirm', file, '--node', 'controller_dispatch', '--outcome', 'test_first').code).toBe(0);
    expect(readRun(file)).toMatchObject({ status: 'ready', current_node: 'qa_write_tests', pending_confirmation: '', blocking_reason: '' });
  });

  it('state show of a Go file prints it with the Go field names and order', () => {
    const { dir, file } = goRepo('run-ready.yaml');
    const r = cli(['workflow', 'state', 'show', file], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('role_worker_map:\n  cto: cto-001\n');
    expect(r.stdout).toContain('decision_log:\n  - timestamp: "2026-03-13T15:35:00Z"\n    node: cto_breakdown\n    action: complete\n    next_node: controller_dispatch\n    summary: done\n');
    expectGoShaped(r.stdout);
  });
});
