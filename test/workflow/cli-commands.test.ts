/** `workflow create|validate|graph|schema` and `state init|list` in text mode: outputs, refusals, exit codes. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli } from '../helpers/cli.js';
import { tempRepo, writeFile } from '../helpers/repo.js';
import { bytes, expectRefused, initRun, lineCol, PRESET_PARAMS, repoWithWorkflow, state } from './support.js';
import './fresh-build.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});
function repo() {
  const r = tempRepo();
  cleanups.push(r.cleanup);
  return r.dir;
}

describe('workflow create', () => {
  it('writes .agents/workflow/<name>.yaml with the roles and mode asked for, Go-style 4-space YAML', () => {
    const dir = repo();
    const r = cli(['workflow', 'create', 'feature-delivery', '--preset', 'dev-first', '--dev-role', 'api-dev', '--execution-mode', 'manual'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const path = join(dir, '.agents/workflow/feature-delivery.yaml');
    expect(r.stdout).toBe(`${path}\n`);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('\nroles:\n    cto:\n        role: cto\n    dev:\n        role: api-dev\n');
    expect(text).toContain('\nnodes:\n    - id: cto_breakdown\n      type: assign_role_task\n');
    const t = parse(text);
    expect(t).toMatchObject({ version: 1, name: 'feature-delivery', entry: 'cto_breakdown', defaults: { execution_mode: 'manual' } });
    expect(t.nodes.map((n: { id: string }) => n.id)).toEqual(['cto_breakdown', 'dev_implement', 'qa_verify', 'dev_fix', 'merge_code', 'controller_finish']);
    expect(cli(['workflow', 'validate', path], { cwd: dir }).code).toBe(0);
  });

  it('refuses to overwrite without --force (file unchanged), and overwrites with it', () => {
    const dir = repo();
    const path = writeFile(dir, '.agents/workflow/feat.yaml', '# my hand-written template\n');
    const before = bytes(path);
    const { error, hint } = expectRefused(cli(['workflow', 'create', 'feat'], { cwd: dir }), 1);
    expect(error).toContain('already exists');
    expect(hint).toContain('--force');
    expect(bytes(path).equals(before)).toBe(true);
    const forced = cli(['workflow', 'create', 'feat', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('name: feat');
  });

  it('honours --output', () => {
    const dir = repo();
    const r = cli(['workflow', 'create', 'feat', '--output', 'flows/f.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'flows/f.yaml'))).toBe(true);
    expect(existsSync(join(dir, '.agents/workflow/feat.yaml'))).toBe(false);
  });

  it.each([
    ['an invalid name', ['Feature Delivery']],
    ['a name with a slash', ['../x']],
    ['an unknown preset', ['feat', '--preset', 'waterfall']],
  ])('%s: exit 2, listing the presets, nothing written', (_label, args) => {
    const dir = repo();
    const r = cli(['workflow', 'create', ...args], { cwd: dir });
    expectRefused(r, 2);
    expect(r.stderr).toContain('branching, dev-first, parallel, test-first');
    expect(existsSync(join(dir, '.agents'))).toBe(false);
  });
});

describe('workflow validate (text)', () => {
  it('prints file:line:col, the code, the message and a fix, for every problem; exit 1', () => {
    const dir = repo();
    const text = 'version: 1\nname: t\nroles:\n  dev:\n    role: dev\nentry: a\nnodes:\n  - id: a\n    type: assign_role_task\n    actor: dev\n    requires_confirmaton: true\n    next: b\n  - id: b\n    type: controller_task\n    next: a\n';
    const path = writeFile(dir, 'wf.yaml', text);
    const r = cli(['workflow', 'validate', 'wf.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    const typo = lineCol(text, 'requires_confirmaton');
    expect(r.stdout).toContain(`wf.yaml:${typo.line}:${typo.col}: error [unknown_key] nodes[0].requires_confirmaton: unknown key (did you mean requires_confirmation?)\n    fix: rename it to requires_confirmation`);
    expect(r.stdout).toContain('error [no_end_node]');
    expect(r.stdout).toContain('2 errors in wf.yaml');
    expect(bytes(path).toString()).toBe(text);
  });

  it('prints warnings but exits 0 when there are only warnings', () => {
    const dir = repo();
    writeFile(dir, 'wf.yaml', 'version: 1\nname: t\nroles:\n  dev:\n    role: dev\nentry: a\nnodes:\n  - id: a\n    type: controller_task\n    end: true\n');
    const r = cli(['workflow', 'validate', 'wf.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning [unused_role] roles.dev');
    expect(r.stdout).toContain('OK: workflow is valid: wf.yaml');
  });

  it.each([
    ['binary garbage', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0xfe])],
    ['invalid YAML', Buffer.from('nodes: [a, b\nname: {')],
    ['an empty file', Buffer.alloc(0)],
  ])('%s: exit 2 naming the file', (_label, content) => {
    const dir = repo();
    writeFileSync(join(dir, 'wf.yaml'), content);
    const r = cli(['workflow', 'validate', 'wf.yaml'], { cwd: dir });
    const { error } = expectRefused(r, 2);
    expect(error).toContain('wf.yaml');
  });
});

describe('workflow graph and schema', () => {
  it('mermaid (default): labelled branch edges, confirmation gates; --state marks current and done nodes', () => {
    const r0 = repoWithWorkflow();
    cleanups.push(r0.cleanup);
    const g = cli(['workflow', 'graph', r0.template], { cwd: r0.dir });
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout.split('\n')[0]).toBe('flowchart TD');
    expect(g.stdout).toContain('    qa_verify -->|failed| dev_fix\n');
    expect(g.stdout).toContain('    start((start)) --> cto_breakdown\n');
    expect(g.stdout).toContain('    class controller_dispatch,controller_finish confirm\n');
    const f = initRun(r0.dir, r0.template);
    expect(state(r0.dir, 'start', f, '--node', 'cto_breakdown').code).toBe(0);
    expect(state(r0.dir, 'complete', f, '--node', 'cto_breakdown').code).toBe(0);
    const overlay = cli(['workflow', 'graph', r0.template, '--state', f], { cwd: r0.dir });
    expect(overlay.stdout).toContain('    class cto_breakdown done\n');
    expect(overlay.stdout).toContain('    class controller_dispatch current\n');
  });

  it('dot: a digraph with every edge', () => {
    const r0 = repoWithWorkflow('feat', 'test-first');
    cleanups.push(r0.cleanup);
    const g = cli(['workflow', 'graph', r0.template, '--format', 'dot'], { cwd: r0.dir });
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/^digraph "feat" \{\n/);
    expect(g.stdout.trimEnd().endsWith('}')).toBe(true);
    expect(g.stdout).toContain('"qa_verify" -> "merge_code" [label="passed"];');
    expect(g.stdout).toContain('"qa_write_tests" -> "dev_implement";');
    expect(g.stdout.match(/ -> /g)).toHaveLength(8); // 5 next edges (merge_code included), 2 branches of qa_verify, and __start
  });

  it('an unknown --format is a usage error (exit 2)', () => {
    const r0 = repoWithWorkflow();
    cleanups.push(r0.cleanup);
    expect(cli(['workflow', 'graph', r0.template, '--format', 'svg'], { cwd: r0.dir }).code).toBe(2);
  });

  it('schema: a JSON Schema of templates whose properties include nodes', () => {
    const r = cli(['workflow', 'schema'], { cwd: repo() });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.$schema).toMatch(/json-schema\.org/);
    expect(s.type).toBe('object');
    expect(s.properties.nodes.items.properties).toHaveProperty('requires_confirmation');
    expect(s.properties.nodes.items.additionalProperties).toBe(false);
    expect(s.properties.nodes.items.properties.type.enum).toContain('verify_or_test');
  });
});

describe('state init never overwrites', () => {
  it('an explicit --state-file that exists: exit 1, file unchanged', () => {
    const r0 = repoWithWorkflow();
    cleanups.push(r0.cleanup);
    const first = cli(['workflow', 'state', 'init', r0.template, '--state-file', 'run.yaml', ...PRESET_PARAMS], { cwd: r0.dir });
    expect(first.code, first.stderr).toBe(0);
    const path = join(r0.dir, 'run.yaml');
    expect(state(r0.dir, 'start', path, '--node', 'cto_breakdown').code).toBe(0);
    const before = bytes(path);
    const { error, hint } = expectRefused(cli(['workflow', 'state', 'init', r0.template, '--state-file', 'run.yaml', ...PRESET_PARAMS], { cwd: r0.dir }), 1);
    expect(error).toContain('already exists');
    expect(hint).toContain('state show run.yaml');
    expect(bytes(path).equals(before)).toBe(true);
  });

  it('a clashing --run-id gets a suffix', () => {
    const r0 = repoWithWorkflow();
    cleanups.push(r0.cleanup);
    const ids = [1, 2, 3].map(() => {
      const r = cli(['workflow', 'state', 'init', r0.template, '--run-id', 'r1', '--json', ...PRESET_PARAMS], { cwd: r0.dir });
      expect(r.code, r.stderr).toBe(0);
      return [r.json.run_id, r.json.path];
    });
    expect(ids.map(([id]) => id)).toEqual(['r1', 'r1-2', 'r1-3']);
    expect(ids.map(([, p]) => p)).toEqual(['r1', 'r1-2', 'r1-3'].map((id) => join(r0.dir, `.agents/workflow/runs/feat/${id}.yaml`)));
    expect(parse(readFileSync(ids[1]?.[1], 'utf8')).run_id).toBe('r1-2');
  });

  it('two default inits in the same second get distinct run ids', () => {
    const r0 = repoWithWorkflow();
    cleanups.push(r0.cleanup);
    const paths = new Set([initRun(r0.dir, r0.template), initRun(r0.dir, r0.template), initRun(r0.dir, r0.template)]);
    expect(paths.size).toBe(3);
  });

  it('refuses an invalid template (exit 1) and writes nothing', () => {
    const dir = repo();
    writeFile(dir, 'wf.yaml', 'version: 1\nname: t\nroles: {}\nentry: a\nnodes:\n  - id: a\n    type: controller_task\n    next: a\n');
    const r = cli(['workflow', 'state', 'init', 'wf.yaml'], { cwd: dir });
    const { hint } = expectRefused(r, 1);
    expect(hint).toBe(`agent-team workflow validate ${join(dir, 'wf.yaml')}`);
    expect(existsSync(join(dir, '.agents'))).toBe(false);
  });
});

describe('state list', () => {
  it('lists every run (newest first) and reports an unreadable one without failing', () => {
    const r0 = repoWithWorkflow();
    cleanups.push(r0.cleanup);
    expect(cli(['workflow', 'state', 'list'], { cwd: r0.dir }).stdout).toContain('no runs');
    const a = initRun(r0.dir, r0.template, ['--run-id', 'a']);
    initRun(r0.dir, r0.template, ['--run-id', 'b']);
    expect(state(r0.dir, 'start', a, '--node', 'cto_breakdown').code).toBe(0);
    expect(state(r0.dir, 'complete', a, '--node', 'cto_breakdown').code).toBe(0);
    writeFile(r0.dir, '.agents/workflow/runs/feat/broken.yaml', 'run_id: [\n');
    const text = cli(['workflow', 'state', 'list'], { cwd: r0.dir });
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    // the preset's runs have params, so the list shows them (issue 9 item 1)
    expect(lines[0]).toMatch(/^RUN_ID\s+WORKFLOW\s+STATUS\s+CURRENT_NODE\s+UPDATED\s+PARAMS$/);
    expect(lines.find((l) => l.startsWith('a '))).toMatch(/requirement=Add a login page$/);
    expect(lines.find((l) => l.startsWith('a '))).toMatch(/^a\s+feat\s+ready\s+controller_dispatch\s+\d{4}-/);
    expect(lines.find((l) => l.startsWith('broken '))).toContain('unreadable');
    const json = cli(['workflow', 'state', 'list', '--json'], { cwd: r0.dir }).json;
    expect(json.runs.map((r: { run_id: string; status: string }) => `${r.run_id}:${r.status}`).sort()).toEqual(['a:ready', 'b:ready', 'broken:unreadable']);

    // from a subfolder, `path` (relative to the repository root) does not name the file, absolute_path does
    mkdirSync(join(r0.dir, 'sub', 'dir'), { recursive: true });
    const fromSub = cli(['workflow', 'state', 'list', '--json'], { cwd: join(r0.dir, 'sub', 'dir') }).json;
    const runA = fromSub.runs.find((r: { run_id: string }) => r.run_id === 'a');
    expect(runA.path).toBe('.agents/workflow/runs/feat/a.yaml');
    const shown = cli(['workflow', 'state', 'show', runA.absolute_path, '--json'], { cwd: join(r0.dir, 'sub', 'dir') });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.json.run_id).toBe('a');
  });
});
