/** End to end: a full `branching` run through the built CLI, every refusal leaving the file untouched. */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/repo.js';
import { bytes, expectRefused, initRun, PRESET_PARAMS, readRun, repoWithWorkflow, show, state } from './support.js';
import './fresh-build.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

/**
 * Runs a refused transition and checks: exit 1, file byte-for-byte unchanged, one `error:` line and a
 * `try:` line. Returns the suggested command as argv (the part before "  (", `a|b` choices kept).
 */
function refusedTransition(cwd: string, file: string, args: string[], code: string): string[] {
  const before = bytes(file);
  const r = state(cwd, args[0] as string, file, ...args.slice(1));
  const { hint, label } = expectRefused(r, 1);
  expect(label, 'a refusal of a transition offers a command that runs as printed').toBe('try');
  expect(bytes(file).equals(before), 'a refused transition must not touch the file').toBe(true);
  const json = state(cwd, args[0] as string, file, ...args.slice(1), '--json');
  expect(json.code).toBe(1);
  expect(json.json).toMatchObject({ ok: false, error: { code } });
  expect(bytes(file).equals(before)).toBe(true);
  expect(hint, r.stderr).toMatch(/^agent-team workflow state /);
  const command = (hint as string).split('  (')[0] as string;
  return command.split(' ').slice(1);
}

/** The refusal's `details.choices` line (one per outcome, issue 10) that picks `pick`, run as printed. */
function runChoice(cwd: string, file: string, args: string[], pick: string): CliResult {
  const r = state(cwd, args[0] as string, file, ...args.slice(1), '--json');
  const line = (r.json.error.details.choices as string[]).find((c) => c.endsWith(` --outcome ${pick}`));
  expect(line, JSON.stringify(r.json)).toBeDefined();
  expect(r.json.error.hint).toBe(`agent-team workflow state next ${file}`);
  const done = cli((line as string).split(' ').slice(1), { cwd });
  expect(done.code, done.stderr).toBe(0);
  return done;
}

/** Runs a hint's argv with each `a|b` choice replaced by `pick`, expecting success. */
function runHint(cwd: string, argv: string[], pick?: string): CliResult {
  const args = argv.map((a) => (a.includes('|') ? (pick ?? (a.split('|')[0] as string)) : a));
  if (pick) expect(argv.some((a) => a.split('|').includes(pick)), `hint offers ${pick}: ${argv.join(' ')}`).toBe(true);
  const r = cli(args, { cwd });
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** stderr without the warnings about roles the template needs that do not exist (these tests make none). */
const withoutRoleWarnings = (stderr: string) => stderr.replace(/^warning: role \S+ \(.*\) does not exist yet; .*\n/gm, '');

function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  expect(withoutRoleWarnings(r.stderr)).toBe('');
  return r;
}

describe('a full branching run without --force', () => {
  it('create → validate → init → … → qa loop → confirm controller_finish → completed', () => {
    const repo = repoWithWorkflow('feat', 'branching');
    cleanups.push(repo.cleanup);
    const cwd = repo.dir;

    const v = ok(cli(['workflow', 'validate', repo.template], { cwd }));
    expect(v.stdout).toContain(`OK: workflow is valid: ${repo.template}`);

    const init = ok(cli(['workflow', 'state', 'init', repo.template, ...PRESET_PARAMS], { cwd }));
    const [file, current] = init.stdout.trim().split('\n');
    expect(current).toBe('current_node=cto_breakdown');
    expect(file).toMatch(/\/\.agents\/workflow\/runs\/feat\/\d{8}-\d{6}-feat\.yaml$/);
    const f = file as string;
    expect(readRun(f)).toMatchObject({ status: 'ready', current_node: 'cto_breakdown', workflow_file: '.agents/workflow/feat.yaml', decision_log: [] });

    // out of order: refused; the hint shows the step (issue 10: never another node's transition)
    const hint1 = refusedTransition(cwd, f, ['complete', '--node', 'controller_dispatch'], 'not_current_node');
    expect(hint1).toEqual(['workflow', 'state', 'next', f]);
    const untouched = bytes(f);
    expect(runHint(cwd, hint1).stdout).toContain('cto_breakdown');
    expect(bytes(f).equals(untouched), 'the try: line only shows the step').toBe(true);
    refusedTransition(cwd, f, ['complete', '--node', 'cto_breakdown'], 'node_not_started');
    refusedTransition(cwd, f, ['start', '--node', 'qa_verify'], 'not_current_node');
    refusedTransition(cwd, f, ['start', '--node', 'ghost'], 'unknown_node');

    expect(ok(state(cwd, 'start', f, '--node', 'cto_breakdown', '--worker', 'cto-001')).stdout).toBe('started cto_breakdown\n');
    refusedTransition(cwd, f, ['complete', '--node', 'cto_breakdown', '--next-node', 'ghost'], 'unknown_next_node');
    expect(readRun(f)).toMatchObject({ status: 'running', node_states: { cto_breakdown: { status: 'running' } } });
    const done1 = ok(state(cwd, 'complete', f, '--node', 'cto_breakdown', '--worker', 'cto-001', '--summary', 'split in 3'));
    expect(done1.stdout).toBe('completed cto_breakdown\nnext_node=controller_dispatch\n');

    // complete on a confirmation node: refused, pointing at confirm
    const hint2 = refusedTransition(cwd, f, ['complete', '--node', 'controller_dispatch', '--outcome', 'dev_first'], 'requires_confirmation');
    expect(hint2).toEqual(['workflow', 'state', 'next', f]);
    refusedTransition(cwd, f, ['confirm', '--node', 'controller_dispatch', '--outcome', 'sideways'], 'unknown_outcome');
    refusedTransition(cwd, f, ['confirm', '--node', 'controller_dispatch'], 'missing_outcome');
    expect(runChoice(cwd, f, ['complete', '--node', 'controller_dispatch', '--outcome', 'dev_first'], 'dev_first').stdout).toBe('confirmed controller_dispatch\nnext_node=dev_implement\n');
    const s1 = readRun(f);
    expect(s1).toMatchObject({ status: 'ready', current_node: 'dev_implement', role_worker_map: { cto: 'cto-001' } });
    expect(s1.node_states.controller_dispatch).toMatchObject({ status: 'completed', outcome: 'dev_first' });

    ok(state(cwd, 'start', f, '--node', 'dev_implement'));
    ok(state(cwd, 'complete', f, '--node', 'dev_implement', '--worker', 'vite-react-dev-001'));
    ok(state(cwd, 'start', f, '--node', 'qa_verify'));
    const hint3 = refusedTransition(cwd, f, ['complete', '--node', 'qa_verify'], 'missing_outcome');
    expect(hint3).toEqual(['workflow', 'state', 'next', f]);
    refusedTransition(cwd, f, ['confirm', '--node', 'qa_verify', '--outcome', 'failed'], 'no_confirmation_required');
    expect(runChoice(cwd, f, ['complete', '--node', 'qa_verify'], 'failed').stdout).toBe('completed qa_verify\nnext_node=dev_fix\n');

    ok(state(cwd, 'start', f, '--node', 'dev_fix'));
    ok(state(cwd, 'complete', f, '--node', 'dev_fix', '--summary', 'fixed'));
    const s2 = readRun(f);
    expect(s2.current_node).toBe('qa_verify');
    expect(s2.node_states.qa_verify).toMatchObject({ status: 'pending', visits: 2, history: [{ status: 'completed', outcome: 'failed' }] });

    ok(state(cwd, 'start', f, '--node', 'qa_verify'));
    ok(state(cwd, 'complete', f, '--node', 'qa_verify', '--outcome', 'passed'));
    // the preset merges the verified branch before the end (issue 9 item 8)
    ok(state(cwd, 'start', f, '--node', 'merge_code'));
    ok(state(cwd, 'complete', f, '--node', 'merge_code', '--worker', 'qa-001', '--summary', 'merged team/qa-001'));
    expect(ok(state(cwd, 'wait', f, '--node', 'controller_finish', '--reason', 'merge review')).stdout).toBe('waiting on controller_finish (confirmation pending)\n');
    expect(readRun(f)).toMatchObject({ status: 'waiting_confirmation', pending_confirmation: 'controller_finish' });
    refusedTransition(cwd, f, ['complete', '--node', 'controller_finish'], 'requires_confirmation');
    expect(ok(state(cwd, 'confirm', f, '--node', 'controller_finish', '--summary', 'merged')).stdout).toBe('confirmed controller_finish\nnext_node=<end>\n');

    const end = readRun(f);
    expect(end.status).toBe('completed');
    expect(end.pending_confirmation).toBe('');
    expect(end.decision_log.map((e: { node: string; action: string }) => `${e.action} ${e.node}`)).toEqual([
      'start cto_breakdown',
      'complete cto_breakdown',
      'confirm controller_dispatch',
      'start dev_implement',
      'complete dev_implement',
      'start qa_verify',
      'complete qa_verify',
      'start dev_fix',
      'complete dev_fix',
      'start qa_verify',
      'complete qa_verify',
      'start merge_code',
      'complete merge_code',
      'wait controller_finish',
      'confirm controller_finish',
    ]);
    expect(end.decision_log.filter((e: { forced?: boolean }) => e.forced)).toEqual([]);

    // a completed run accepts nothing, even with --force; its hint is words, never a try: line (a
    // controller that ran it would start the delivered work over), naming the state init of a new run
    // with the run's params (issue 9 item 1), which works as printed
    const before = bytes(f);
    const done = expectRefused(state(cwd, 'start', f, '--node', 'controller_finish', '--force'), 1);
    expect(bytes(f).equals(before)).toBe(true);
    expect(done.label).toBe('hint');
    expect(done.hint).toMatch(/^nothing is left to do on this run; only if the person asks for the same work again, start a new run: agent-team /);
    const hint4 = (done.hint as string).split(': agent-team ')[1]?.split(' ') ?? [];
    expect(state(cwd, 'complete', f, '--node', 'dev_fix', '--force', '--json').json).toMatchObject({ ok: false, error: { code: 'run_completed' } });
    expect(hint4.slice(0, 4)).toEqual(['workflow', 'state', 'init', '.agents/workflow/feat.yaml']);
    expect(hint4.join(' ')).toBe("workflow state init .agents/workflow/feat.yaml --param 'requirement=Add a login page'");
    expect(runHint(cwd, [...hint4.slice(0, 4), ...PRESET_PARAMS]).stdout).toContain('current_node=cto_breakdown');
  }, 180_000); // ~45 CLI calls: 37 s idle, over 60 s on a loaded machine

  it('--force moves out of order and says so (stdout and decision_log)', () => {
    const repo = repoWithWorkflow('feat', 'branching');
    cleanups.push(repo.cleanup);
    const f = initRun(repo.dir, repo.template);
    const r = ok(state(repo.dir, 'start', f, '--node', 'qa_verify', '--force'));
    expect(r.stdout).toContain('forced');
    expect(readRun(f).decision_log.at(-1)).toMatchObject({ node: 'qa_verify', action: 'start', forced: true });
    expect(readRun(f).current_node).toBe('qa_verify');
  });
});

describe('runs from a subdirectory of the repository', () => {
  it('create, init and every transition work from sub/deep, and workflow_file resolves', () => {
    const repo = repoWithWorkflow('other', 'dev-first');
    cleanups.push(repo.cleanup);
    const deep = join(repo.dir, 'packages', 'app', 'src');
    mkdirSync(deep, { recursive: true });

    const created = ok(cli(['workflow', 'create', 'feat', '--preset', 'dev-first'], { cwd: deep }));
    expect(created.stdout.trim()).toBe(join(repo.dir, '.agents/workflow/feat.yaml'));
    const templateRel = relative(deep, join(repo.dir, '.agents/workflow/feat.yaml'));
    const init = ok(cli(['workflow', 'state', 'init', templateRel, '--run-id', 'sub1', ...PRESET_PARAMS], { cwd: deep }));
    const file = join(repo.dir, '.agents/workflow/runs/feat/sub1.yaml');
    expect(init.stdout.split('\n')[0]).toBe(file);
    expect(show(deep, file).workflow_file).toBe('.agents/workflow/feat.yaml');

    // advance with a path relative to the subdirectory, from two different subdirectories
    const rel = relative(deep, file);
    ok(state(deep, 'start', rel, '--node', 'cto_breakdown'));
    ok(state(deep, 'complete', rel, '--node', 'cto_breakdown'));
    const other = join(repo.dir, 'packages');
    const rel2 = relative(other, file);
    ok(state(other, 'start', rel2, '--node', 'dev_implement'));
    ok(state(other, 'complete', rel2, '--node', 'dev_implement'));
    ok(state(other, 'start', rel2, '--node', 'qa_verify'));
    ok(state(other, 'complete', rel2, '--node', 'qa_verify', '--outcome', 'passed'));
    ok(state(other, 'start', rel2, '--node', 'merge_code'));
    ok(state(other, 'complete', rel2, '--node', 'merge_code'));
    ok(state(deep, 'confirm', rel, '--node', 'controller_finish'));
    expect(show(deep, rel).status).toBe('completed');

    // a completed run is listed with --all (issue 9 item 7: finished runs are hidden by default)
    const listed = ok(cli(['workflow', 'state', 'list', '--all', '--json'], { cwd: deep }));
    expect(listed.json.runs).toEqual([expect.objectContaining({ run_id: 'sub1', workflow: 'feat', status: 'completed', path: '.agents/workflow/runs/feat/sub1.yaml' })]);
  });

  it('a run initialised at the root advances from a subdirectory', () => {
    const repo = repoWithWorkflow('feat', 'branching');
    cleanups.push(repo.cleanup);
    const f = initRun(repo.dir, '.agents/workflow/feat.yaml');
    const deep = join(repo.dir, 'docs', 'notes');
    mkdirSync(deep, { recursive: true });
    ok(state(deep, 'start', relative(deep, f), '--node', 'cto_breakdown'));
    ok(state(deep, 'complete', relative(deep, f), '--node', 'cto_breakdown'));
    expect(show(deep, relative(deep, f)).current_node).toBe('controller_dispatch');
  });
});

describe('outside a git repository', () => {
  // one folder, template and run for both tests: the first reads where init put the run, the second advances it
  let t: ReturnType<typeof tempDir>;
  let f: string;
  beforeAll(() => {
    t = tempDir();
    ok(cli(['workflow', 'create', 'feat'], { cwd: t.dir }));
    f = initRun(t.dir, '.agents/workflow/feat.yaml', ['--run-id', 'r1']);
  });
  afterAll(() => t?.cleanup());

  it('the run-state goes to <folder>/.agents/workflow/runs/<name>/ with a folder-relative workflow_file', () => {
    expect(f).toBe(join(t.dir, '.agents/workflow/runs/feat/r1.yaml'));
    expect(show(t.dir, f).workflow_file).toBe('.agents/workflow/feat.yaml');
  });

  it('a run can be created and advanced from the folder and from a subfolder', () => {
    ok(state(t.dir, 'start', f, '--node', 'cto_breakdown'));
    const sub = join(t.dir, 'sub');
    mkdirSync(sub);
    ok(state(sub, 'complete', relative(sub, f), '--node', 'cto_breakdown'));
    expect(show(sub, relative(sub, f)).current_node).toBe('controller_dispatch');
  });
});
