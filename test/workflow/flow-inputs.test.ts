/**
 * Work that flows, the run's side (issue 9 items 1, 2, 7): params declared by a template are given at
 * `state init`, checked and stored; `{{…}}` references are filled into tasks and commands (shell-quoted
 * in commands), unknown ones are validation errors, not-yet-done ones are left as written with a warning;
 * `state cancel` ends a run for good and `state list` hides finished runs unless --all. Built CLI, real repo.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { pasteInBash } from '../helpers/paste.js';
import { tempDir, tempRepo, writeFile } from '../helpers/repo.js';
import { expectRefused, lineCol } from './support.js';

const FLOW = `version: 1
name: flow
roles:
    dev: { role: dev }
params:
    requirement: { type: string, required: true, description: The feature to deliver }
    level: { type: enum, values: [low, high], default: low }
    retries: { type: number, default: 2 }
    strict: { type: boolean }
    files: { type: list, default: [] }
entry: plan
nodes:
    - id: plan
      type: controller_task
      task: "Plan {{params.requirement}} at {{params.level}} for run {{run.id}}"
      next: build
    - id: build
      type: assign_role_task
      actor: dev
      task: "Build {{params.requirement}} following {{nodes.plan.summary}} (by {{nodes.plan.worker}})"
      next: check
    - id: check
      type: verify_or_test
      actor: dev
      command: "grep -q {{params.requirement}} notes.txt"
      branches:
          - { when: passed, next: done }
          - { when: failed, next: build }
    - id: done
      type: controller_task
      end: true
`;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setup(template = FLOW) {
  const repo = tempRepo();
  cleanup = repo.cleanup;
  writeFile(repo.dir, '.agents/workflow/flow.yaml', template);
  const run = (...args: string[]) => cli(args, { cwd: repo.dir });
  const ok = (...args: string[]) => {
    const r = run(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return r.json;
  };
  return { dir: repo.dir, run, ok };
}

describe('params', () => {
  it('are checked against their declaration, stored in the run-state, and shown by show, list and next', () => {
    const { dir, ok, run } = setup();
    const init = ok('workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r1', '--param', 'requirement=a login page', '--param', 'strict=true', '--param', 'files=a.ts,b.ts');
    expect(init.params).toEqual({ requirement: 'a login page', strict: true, files: ['a.ts', 'b.ts'], level: 'low', retries: 2 });
    const file = '.agents/workflow/runs/flow/r1.yaml';
    expect(readFileSync(join(dir, file), 'utf8')).toMatch(/^params:\n {2}requirement: a login page\n/m);
    expect(ok('workflow', 'state', 'show', file).params.requirement).toBe('a login page');
    expect(ok('workflow', 'state', 'list').runs[0].params.requirement).toBe('a login page');
    const next = ok('workflow', 'state', 'next', file);
    expect(next.params.requirement).toBe('a login page');
    expect(next.task).toBe('Plan a login page at low for run r1');
    expect(run('workflow', 'state', 'next', file).stdout).toContain('params: requirement=a login page');
  });

  it('from --params-file (YAML or JSON), --param winning', () => {
    const { dir, ok } = setup();
    writeFile(dir, 'p.json', JSON.stringify({ requirement: 'from file', retries: 5, level: 'high' }));
    const init = ok('workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r1', '--params-file', 'p.json', '--param', 'level=low');
    expect(init.params).toMatchObject({ requirement: 'from file', retries: 5, level: 'low' });
  });

  it('refused with exit 2 naming the param and the expected type; unknown and missing ones too; nothing written', () => {
    const { run } = setup();
    const base = ['workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r1'];
    let refused = expectRefused(run(...base, '--param', 'requirement=x', '--param', 'retries=many'), 2);
    expect(refused.error).toMatch(/param retries: "many" is not a number/);
    refused = expectRefused(run(...base, '--param', 'requirement=x', '--param', 'level=medium'), 2);
    expect(refused.error).toMatch(/param level: "medium" is not one of low, high/);
    refused = expectRefused(run(...base, '--param', 'requirement=x', '--param', 'strict=maybe'), 2);
    expect(refused.error).toMatch(/param strict: "maybe" is not a boolean/);
    refused = expectRefused(run(...base, '--param', 'requirement=x', '--param', 'colour=red'), 2);
    expect(refused.error).toMatch(/param colour: workflow flow declares no such param/);
    expect(refused.hint).toMatch(/requirement, level, retries, strict, files/);
    refused = expectRefused(run(...base), 2);
    expect(refused.error).toMatch(/param requirement is required/);
    expect(refused.hint).toMatch(/--param requirement=/);
    expectRefused(run(...base, '--param', 'requirement'), 2);
    expect(run('workflow', 'state', 'list', '--json').json.runs).toEqual([]);
  });
});

describe('param hints are commands that work when pasted', () => {
  it('missing_param and invalid_param: the real file path shell-quoted, the other inputs kept, a placeholder value in quotes', () => {
    const { run, dir } = setup();
    // a template path that needs quoting, typed from a subdirectory
    writeFile(dir, '.agents/workflow/my flow.yaml', FLOW);
    writeFile(dir, 'sub/p.json', JSON.stringify({ level: 'high' }));
    const sub = join(dir, 'sub');
    const at = (...args: string[]) => cli(args, { cwd: sub });

    let refused = expectRefused(at('workflow', 'state', 'init', '../.agents/workflow/my flow.yaml', '--run-id', 'r1', '--params-file', 'p.json'), 2);
    expect(refused.error).toMatch(/param requirement is required/);
    expect(refused.hint).toBe("agent-team workflow state init '../.agents/workflow/my flow.yaml' --run-id r1 --params-file p.json --param requirement='<The feature to deliver>'");
    // a line with a placeholder to fill is a hint, and pasted unfilled it is refused (finding 10)
    let pasted = pasteInBash(`${refused.hint} --json`, sub);
    expect(pasted.code).toBe(2);
    expect(pasted.json.error.message).toMatch(/param requirement: '<The feature to deliver>' is the placeholder/);
    pasted = pasteInBash(`${(refused.hint as string).replace('<The feature to deliver>', 'Add a login page')} --json`, sub);
    expect(pasted.code, pasted.stderr).toBe(0);
    expect(pasted.json.params).toMatchObject({ requirement: 'Add a login page', level: 'high' });

    refused = expectRefused(at('workflow', 'state', 'init', '../.agents/workflow/my flow.yaml', '--run-id', 'r2', '--param', "requirement=it's big", '--param', 'retries=many', '--param', 'strict=true'), 2);
    expect(refused.error).toMatch(/param retries: "many" is not a number/);
    expect(refused.hint).toBe("agent-team workflow state init '../.agents/workflow/my flow.yaml' --run-id r2 --param requirement='it'\\''s big' --param retries=2 --param strict=true");
    pasted = pasteInBash(`${refused.hint} --json`, sub);
    expect(pasted.code, pasted.stderr).toBe(0);
    expect(pasted.json.params).toMatchObject({ requirement: "it's big", retries: 2, strict: true });

    // an enum without a default: its first value; a boolean: true
    refused = expectRefused(run('workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r3', '--param', 'requirement=x', '--param', 'level=medium'), 2);
    expect(refused.hint).toBe('agent-team workflow state init .agents/workflow/flow.yaml --run-id r3 --param requirement=x --param level=low');
    expect(pasteInBash(refused.hint as string, dir).code).toBe(0);
    refused = expectRefused(run('workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r4', '--param', 'requirement=x', '--param', 'strict=maybe'), 2);
    expect(refused.hint).toBe('agent-team workflow state init .agents/workflow/flow.yaml --run-id r4 --param requirement=x --param strict=true');
    expect(pasteInBash(refused.hint as string, dir).code).toBe(0);
  });
});

describe('interpolation', () => {
  it('fills tasks and commands; a node not yet done is left as written with a warning; commands are shell-quoted', () => {
    const { ok, run } = setup();
    ok('workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r1', '--param', "requirement=it's done; rm -rf /");
    const file = '.agents/workflow/runs/flow/r1.yaml';
    ok('workflow', 'state', 'complete', file, '--node', 'plan', '--worker', 'dev-001', '--summary', 'three steps');
    const next = ok('workflow', 'state', 'next', file);
    expect(next.task).toBe("Build it's done; rm -rf / following three steps (by dev-001)");
    expect(next.commands.some((c: string) => c.includes("following three steps"))).toBe(true);
    // a fresh run: plan not done yet → left as written, and next warns
    ok('workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r2', '--param', 'requirement=x');
    const r2 = '.agents/workflow/runs/flow/r2.yaml';
    ok('workflow', 'state', 'complete', r2, '--node', 'plan', '--next-node', 'build');
    const early = run('workflow', 'state', 'next', r2, '--json');
    expect(early.json.task).toBe('Build x following three steps (by {{nodes.plan.worker}})'.replace('three steps', '{{nodes.plan.summary}}'));
    expect(early.json.warnings.join('\n')).toMatch(/\{\{nodes\.plan\.summary\}\} in node build is left as written/);
    expect(early.stderr).toMatch(/left as written/);
    // the check command: the value is one shell word
    ok('workflow', 'state', 'start', file, '--node', 'build');
    ok('workflow', 'state', 'complete', file, '--node', 'build', '--worker', 'dev-001');
    expect(ok('workflow', 'state', 'next', file).check_command).toBe(`grep -q 'it'\\''s done; rm -rf /' notes.txt`);
  });

  it('validate reports unknown params, nodes and fields with file:line:col', () => {
    const bad = FLOW.replace('{{params.level}}', '{{params.levle}}').replace('{{nodes.plan.summary}}', '{{nodes.plann.summary}}').replace('{{nodes.plan.worker}}', '{{nodes.plan.colour}}');
    const { run } = setup(bad);
    const r = run('workflow', 'validate', '.agents/workflow/flow.yaml', '--json');
    expect(r.code).toBe(1);
    const refs = r.json.errors.filter((e: { code: string }) => e.code === 'unknown_reference');
    expect(refs.map((e: { message: string }) => e.message)).toEqual([
      expect.stringContaining('{{params.levle}}: the template declares no param levle'),
      expect.stringContaining('{{nodes.plann.summary}}: no node has id plann'),
      expect.stringContaining('{{nodes.plan.colour}}: nodes have no field colour'),
    ]);
    expect(refs[0]).toMatchObject(lineCol(bad, '"Plan {{', 0));
    expect(run('workflow', 'validate', '.agents/workflow/flow.yaml').stdout).toMatch(/flow\.yaml:\d+:\d+/);
  });
});

describe('state cancel', () => {
  it('is final like completed: every transition refused (exit 1, file unchanged); list hides it unless --all', () => {
    const { dir, ok, run } = setup();
    ok('workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r1', '--param', 'requirement=x');
    ok('workflow', 'state', 'init', '.agents/workflow/flow.yaml', '--run-id', 'r2', '--param', 'requirement=y');
    const file = '.agents/workflow/runs/flow/r1.yaml';
    expectRefused(run('workflow', 'state', 'cancel', file), 2); // --reason is required
    const cancelled = ok('workflow', 'state', 'cancel', file, '--reason', 'requirement dropped');
    expect(cancelled.run_status).toBe('cancelled');
    const before = readFileSync(join(dir, file));
    for (const args of [['start', '--node', 'plan'], ['complete', '--node', 'plan'], ['block', '--node', 'plan', '--reason', 'x'], ['cancel', '--reason', 'again']]) {
      const refused = expectRefused(run('workflow', 'state', args[0] as string, file, ...args.slice(1)), 1);
      expect(refused.error).toMatch(/is cancelled; it accepts no transition/);
    }
    expect(readFileSync(join(dir, file)).equals(before)).toBe(true);
    expect(ok('workflow', 'state', 'next', file)).toMatchObject({ kind: 'completed', message: 'run r1 is cancelled: requirement dropped' });
    // workflow run needs a trusted project (the template has a command:): trust it in a private home
    const home = tempDir('agent-team-home-');
    const env = { AGENT_TEAM_HOME: home.dir };
    expect(cli(['trust', '--json'], { cwd: dir, env }).code).toBe(0);
    const ran = cli(['workflow', 'run', file, '--json'], { cwd: dir, env });
    home.cleanup();
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.json).toMatchObject({ stopped: 'completed' });
    expect(ok('workflow', 'state', 'list').runs.map((r: { run_id: string }) => r.run_id)).toEqual(['r2']);
    expect(run('workflow', 'state', 'list').stdout).toMatch(/1 finished run hidden: agent-team workflow state list --all/);
    expect(ok('workflow', 'state', 'list', '--all').runs.map((r: { run_id: string }) => r.run_id).sort()).toEqual(['r1', 'r2']);
  });
});
