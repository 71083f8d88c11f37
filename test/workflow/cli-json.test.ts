/** `--json`: every workflow command prints exactly one JSON document on stdout, errors included. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { writeFile } from '../helpers/repo.js';
import { bytes, initRun, PRESET_PARAMS, repoWithWorkflow } from './support.js';
import './fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
let run: string;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
  run = initRun(repo.dir, repo.template, ['--run-id', 'json1']);
  writeFile(repo.dir, 'bad.yaml', 'version: 2\nname: bad\nroles: {}\nentry: a\nnodes:\n  - id: a\n    type: controller_task\n');
  writeFileSync(join(repo.dir, 'garbage.yaml'), Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00]));
});
afterAll(() => repo?.cleanup());

/** argv → expected exit code and a check of the parsed document. Order matters (the run advances). */
const CASES: [string, () => string[], number, (doc: any) => void][] = [
  ['workflow create', () => ['workflow', 'create', 'second', '--preset', 'test-first'], 0, (d) => expect(d).toMatchObject({ ok: true, name: 'second', preset: 'test-first', entry: 'cto_breakdown', nodes: 7, path: join(repo.dir, '.agents/workflow/second.yaml') })],
  ['workflow create (exists)', () => ['workflow', 'create', 'second'], 1, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'exists', hint: expect.stringContaining('--force') } })],
  ['workflow create (bad name)', () => ['workflow', 'create', 'Bad Name'], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'invalid_name' } })],
  ['workflow create (bad mode)', () => ['workflow', 'create', 'x', '--execution-mode', 'auto'], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'usage' } })],
  ['workflow validate (valid)', () => ['workflow', 'validate', repo.template], 0, (d) => expect(d).toEqual({ valid: true, file: repo.template, errors: [], warnings: expect.any(Array), commands: [] }) && expect(d.warnings.map((w: any) => w.code)).toEqual(['missing_role', 'missing_role', 'missing_role'])],
  [
    'workflow validate (invalid)',
    () => ['workflow', 'validate', 'bad.yaml'],
    1,
    (d) => {
      expect(d.valid).toBe(false);
      expect(d.warnings).toEqual([]);
      expect(d.errors.map((e: { code: string }) => e.code).sort()).toEqual(['no_end_node', 'no_way_on', 'unsupported_version']);
      for (const e of d.errors) {
        expect(Object.keys(e)).toEqual(expect.arrayContaining(['code', 'message', 'path', 'line', 'col']));
        expect(e.line).toBeGreaterThan(0);
        expect(e.col).toBeGreaterThan(0);
      }
      expect(d.errors.find((e: { code: string }) => e.code === 'unsupported_version')).toMatchObject({ path: 'version', line: 1, col: 10 });
    },
  ],
  ['workflow validate (garbage)', () => ['workflow', 'validate', 'garbage.yaml'], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'unreadable_file', message: expect.stringContaining('garbage.yaml') } })],
  ['workflow validate (missing)', () => ['workflow', 'validate', 'nope.yaml'], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'unreadable_file' } })],
  ['workflow graph', () => ['workflow', 'graph', repo.template], 0, (d) => expect(d).toMatchObject({ format: 'mermaid', graph: expect.stringMatching(/^flowchart TD\n/) })],
  ['workflow graph dot', () => ['workflow', 'graph', repo.template, '--format', 'dot'], 0, (d) => expect(d).toMatchObject({ format: 'dot', graph: expect.stringMatching(/^digraph "feat" \{/) })],
  ['workflow graph (invalid)', () => ['workflow', 'graph', 'bad.yaml'], 1, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'invalid_workflow' } })],
  ['workflow schema', () => ['workflow', 'schema'], 0, (d) => expect(d.properties.nodes.type).toBe('array')],
  ['state init', () => ['workflow', 'state', 'init', repo.template, '--run-id', 'json2', ...PRESET_PARAMS], 0, (d) => expect(d).toMatchObject({ ok: true, run_id: 'json2', current_node: 'cto_breakdown', status: 'ready' })],
  ['state init (invalid template)', () => ['workflow', 'state', 'init', 'bad.yaml'], 1, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'invalid_workflow', details: { errors: expect.any(Array) } } })],
  ['state init (bad run id)', () => ['workflow', 'state', 'init', repo.template, '--run-id', '../x'], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'usage' } })],
  ['state show', () => ['workflow', 'state', 'show', run], 0, (d) => expect(d).toMatchObject({ run_id: 'json1', status: 'ready', current_node: 'cto_breakdown', path: run })],
  ['state show (missing)', () => ['workflow', 'state', 'show', 'nope.yaml'], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'unreadable_file', message: expect.stringContaining('nope.yaml') } })],
  ['state list', () => ['workflow', 'state', 'list'], 0, (d) => expect(d.runs.map((r: { run_id: string }) => r.run_id).sort()).toEqual(['json1', 'json2'])],
  ['state start', () => ['workflow', 'state', 'start', run, '--node', 'cto_breakdown'], 0, (d) => expect(d).toMatchObject({ ok: true, action: 'start', node: 'cto_breakdown', run_status: 'running', entry: { action: 'start' } })],
  ['state wait', () => ['workflow', 'state', 'wait', run, '--node', 'cto_breakdown', '--reason', 'w'], 0, (d) => expect(d).toMatchObject({ ok: true, action: 'wait', run_status: 'waiting' })],
  ['state block', () => ['workflow', 'state', 'block', run, '--node', 'cto_breakdown', '--reason', 'b'], 0, (d) => expect(d).toMatchObject({ ok: true, action: 'block', run_status: 'blocked' })],
  ['state complete', () => ['workflow', 'state', 'complete', run, '--node', 'cto_breakdown'], 0, (d) => expect(d).toMatchObject({ ok: true, action: 'complete', current_node: 'controller_dispatch', entry: { next_node: 'controller_dispatch' } })],
  ['state complete (refused)', () => ['workflow', 'state', 'complete', run, '--node', 'controller_dispatch'], 1, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'requires_confirmation', hint: expect.stringContaining('state next'), details: { choices: [expect.stringContaining('confirm'), expect.stringContaining('confirm')] } } })],
  ['state confirm', () => ['workflow', 'state', 'confirm', run, '--node', 'controller_dispatch', '--outcome', 'test_first'], 0, (d) => expect(d).toMatchObject({ ok: true, action: 'confirm', current_node: 'qa_write_tests' })],
  ['state confirm (refused)', () => ['workflow', 'state', 'confirm', run, '--node', 'qa_write_tests'], 1, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'no_confirmation_required' } })],
  ['state start (not current)', () => ['workflow', 'state', 'start', run, '--node', 'dev_fix'], 1, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'not_current_node', details: { current_node: 'qa_write_tests' } } })],
  ['state wait (no --reason)', () => ['workflow', 'state', 'wait', run, '--node', 'qa_write_tests'], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'usage', message: expect.stringContaining('--reason') } })],
  ['state start (no --node)', () => ['workflow', 'state', 'start', run], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'usage', message: expect.stringContaining('--node') } })],
  ['unknown command', () => ['workflow', 'stat'], 2, (d) => expect(d).toMatchObject({ ok: false, error: { code: 'usage' } })],
];

describe('--json', () => {
  it.each(CASES)('%s', (_label, argv, exitCode, check) => {
    const r = cli([...argv(), '--json'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(exitCode);
    // exactly one document: the whole of stdout parses
    expect(() => JSON.parse(r.stdout), r.stdout).not.toThrow();
    expect(r.stdout.trim().startsWith('{')).toBe(true);
    check(r.json);
    // failures other than an invalid template (which is validate's data) are also told on stderr
    if (r.json.ok === false) expect(r.stderr).toMatch(/^error: /m);
    // warnings about roles the template needs that do not exist are expected (these tests make no roles)
    else expect(r.stderr.replace(/^warning: role \S+ \(.*\) does not exist yet; .*\n/gm, '')).toBe('');
  });

  it('a refused transition in --json mode leaves the file untouched', () => {
    const before = bytes(run);
    const r = cli(['workflow', 'state', 'complete', run, '--node', 'controller_finish', '--json'], { cwd: repo.dir });
    expect(r.code).toBe(1);
    expect(bytes(run).equals(before)).toBe(true);
  });
});
