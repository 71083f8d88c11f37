/**
 * CLI contracts found by an adversarial review: refused input changes nothing and exits 2, names that
 * become paths are checked, interrupts are deferred inside critical sections, help/version with --json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOrDefer, uninterruptible } from '../../src/store/critical-section.js';
import { hasControlChars, typable } from '../../src/session/text.js';
import { cli } from '../helpers/cli.js';
import { PRESET_PARAMS, repoWithWorkflow } from './support.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function run() {
  const repo = repoWithWorkflow();
  cleanup = repo.cleanup;
  const init = cli(['workflow', 'state', 'init', '.agents/workflow/feat.yaml', '--run-id', 'r1', '--json', ...PRESET_PARAMS], { cwd: repo.dir });
  expect(init.code, init.stderr).toBe(0);
  return { dir: repo.dir, path: init.json.path as string };
}

describe('input that would become a path, a branch or a shell word', () => {
  it('refuses --worker ids that are not ids, before writing anything', () => {
    const { dir, path } = run();
    const before = readFileSync(path);
    for (const bad of ['../x', 'A B', '$(touch pwned)', '']) {
      const r = cli(['workflow', 'state', 'start', path, '--node', 'cto_breakdown', '--worker', bad, '--json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.json.error.code).toBe('invalid_name');
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('reports a template name with path separators as invalid_name, and init refuses it', () => {
    const repo = repoWithWorkflow();
    cleanup = repo.cleanup;
    const text = readFileSync(repo.template, 'utf8').replace('name: feat', 'name: ../../../outside');
    const file = join(repo.dir, 'escape.yaml');
    writeFileSync(file, text);
    const v = cli(['workflow', 'validate', file, '--json'], { cwd: repo.dir });
    expect(v.code).toBe(1);
    expect(v.json.errors.map((e: { code: string }) => e.code)).toContain('invalid_name');
    const init = cli(['workflow', 'state', 'init', file, '--json'], { cwd: repo.dir });
    expect(init.code).toBe(1);
    expect(init.json.error.code).toBe('invalid_workflow');
  });

  it('refuses folders where a file is expected (--output, --state-file)', () => {
    const { dir } = run();
    mkdirSync(join(dir, 'out'));
    const create = cli(['workflow', 'create', 'x', '--output', 'out', '--force', '--json'], { cwd: dir });
    expect(create.code).toBe(2);
    expect(create.json.error.code).toBe('is_a_directory');
    const init = cli(['workflow', 'state', 'init', '.agents/workflow/feat.yaml', '--state-file', 'newdir/', '--json', ...PRESET_PARAMS], { cwd: dir });
    expect(init.code).toBe(2);
    expect(init.json.error.code).toBe('is_a_directory');
  });

  it('refuses --max-steps that is not a positive whole number, changing nothing', () => {
    const { dir, path } = run();
    const before = readFileSync(path);
    for (const bad of ['0', 'abc', '-5', '1.5']) {
      const r = cli(['workflow', 'run', path, `--max-steps=${bad}`, '--json'], { cwd: dir });
      expect(r.code, `${bad}: ${r.stderr}`).toBe(2);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses messages with control characters before anything is typed or recorded', () => {
    const { dir } = run();
    const r = cli(['reply', 'dev-001', 'hello\u0003touch pwned', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('control_characters');
  });
});

describe('typable text', () => {
  it('removes what a terminal acts on and keeps text, tabs and newlines', () => {
    expect(typable('a\u0003b\u001b[201~c\td\r\ne\u007f\u009b')).toBe('ab[201~c\td\ne');
    expect(hasControlChars('plain $(x) `y` \n\t')).toBe(false);
    expect(hasControlChars('x\u001by')).toBe(true);
  });
});

describe('critical sections', () => {
  it('defers an interrupt until the section ends, and runs it at once outside one', async () => {
    const order: string[] = [];
    await uninterruptible(async () => {
      runOrDefer(() => order.push('interrupt'));
      order.push('section');
    });
    expect(order).toEqual(['section', 'interrupt']);
    runOrDefer(() => order.push('now'));
    expect(order).toEqual(['section', 'interrupt', 'now']);
  });
});

describe('help and version with --json', () => {
  it('print one JSON document', () => {
    const { dir } = run();
    const v = cli(['--version', '--json'], { cwd: dir });
    expect(v.code).toBe(0);
    expect(v.json).toEqual({ ok: true, version: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version });
    const h = cli(['workflow', 'state', '--help', '--json'], { cwd: dir });
    expect(h.code).toBe(0);
    expect(h.json.help).toContain('Usage: agent-team workflow state');
  });
});
