/** A template edited after `state init`: transitions warn; losing the current node refuses, file untouched. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { bytes, copyOf, expectRefused, initRun, repoWithWorkflow, show, state } from './support.js';
import './fresh-build.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

// Built once through the CLI: a branching run whose cto_breakdown is done (current: controller_dispatch).
let base: ReturnType<typeof repoWithWorkflow> & { file: string };
beforeAll(() => {
  const repo = repoWithWorkflow('feat', 'branching');
  const file = initRun(repo.dir, repo.template, ['--run-id', 'edit']);
  expect(state(repo.dir, 'start', file, '--node', 'cto_breakdown').code).toBe(0);
  expect(state(repo.dir, 'complete', file, '--node', 'cto_breakdown').code).toBe(0);
  base = { ...repo, file };
});
afterAll(() => base?.cleanup());

/** A copy of the base repository for one test (each test edits its template). */
function setup() {
  const copy = copyOf(base.dir);
  cleanups.push(copy.cleanup);
  return { dir: copy.dir, template: join(copy.dir, relative(base.dir, base.template)), file: join(copy.dir, relative(base.dir, base.file)) };
}

describe('template edited after init', () => {
  it('an unchanged template gives no warning', () => {
    const { dir, file } = setup();
    const r = state(dir, 'start', file, '--node', 'controller_dispatch');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('a harmless edit: transitions go on, warning on stderr (and in --json)', () => {
    const { dir, template, file } = setup();
    writeFileSync(template, readFileSync(template, 'utf8').replace('choose the dispatch path', 'pick a path'));
    const r = state(dir, 'start', file, '--node', 'controller_dispatch');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('started controller_dispatch\n');
    expect(r.stderr).toMatch(/^warning: \.agents\/workflow\/feat\.yaml changed since this run was initialised/);
    const j = state(dir, 'confirm', file, '--node', 'controller_dispatch', '--outcome', 'dev_first', '--json');
    expect(j.code).toBe(0);
    expect(j.json.warnings).toEqual([expect.stringContaining('changed since this run was initialised')]);
    const s = cli(['workflow', 'state', 'show', file], { cwd: dir });
    expect(s.stderr).toContain('warning:');
  });

  it('the current node removed from the template: refused (exit 1), file unchanged', () => {
    const { dir, template, file } = setup();
    // cto_breakdown now leads straight to dev_implement; controller_dispatch and qa_write_tests are gone
    const text = readFileSync(template, 'utf8');
    const edited = text
      .replace('next: controller_dispatch', 'next: dev_implement')
      .replace(/ {4}- id: controller_dispatch\n[\s\S]*? {4}- id: dev_implement\n/, '    - id: dev_implement\n')
      .replace(/ {6}builds_on:\n {10}- qa_write_tests\n/, ''); // dev_implement built on the removed qa_write_tests
    expect(edited).not.toContain('controller_dispatch');
    writeFileSync(template, edited);
    expect(cli(['workflow', 'validate', template], { cwd: dir }).code).toBe(0);

    const before = bytes(file);
    for (const args of [
      ['confirm', '--node', 'controller_dispatch', '--outcome', 'dev_first'],
      ['start', '--node', 'controller_dispatch'],
      ['start', '--node', 'dev_implement', '--force'],
    ]) {
      const r = state(dir, args[0] as string, file, ...args.slice(1));
      const { error } = expectRefused(r, 1);
      expect(error).toContain('no longer has the current node controller_dispatch');
      expect(bytes(file).equals(before)).toBe(true);
    }
    // show still works and says what is wrong
    const s = cli(['workflow', 'state', 'show', file, '--json'], { cwd: dir });
    expect(s.code).toBe(0);
    expect(s.json.current_node).toBe('controller_dispatch');
    expect(s.stderr).toContain('no longer has the current node controller_dispatch');
  });

  it('the template made invalid or deleted: refused (exit 1), file unchanged', () => {
    const { dir, template, file } = setup();
    const before = bytes(file);
    writeFileSync(template, readFileSync(template, 'utf8').replace('end: true', 'next: cto_breakdown'));
    const { error } = expectRefused(state(dir, 'start', file, '--node', 'controller_dispatch'), 1);
    expect(error).toContain('workflow is invalid');
    expect(bytes(file).equals(before)).toBe(true);
    rmSync(template);
    const { error: e2 } = expectRefused(state(dir, 'start', file, '--node', 'controller_dispatch'), 1);
    expect(e2).toContain('not found');
    expect(bytes(file).equals(before)).toBe(true);
    expect(show(dir, file).current_node).toBe('controller_dispatch');
  });
});
