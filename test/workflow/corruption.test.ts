/** Unreadable run-states: exit 2 naming the file, and the file is never written. */
import { pasteInBash } from '../helpers/paste.js';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { writeFile } from '../helpers/repo.js';
import { bytes, expectRefused, initRun, repoWithWorkflow, state } from './support.js';
import './fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
let valid: Buffer;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
  const file = initRun(repo.dir, repo.template, ['--run-id', 'seed']);
  // a run with some history, so cuts land in node_states and decision_log too
  for (const args of [
    ['start', '--node', 'cto_breakdown'],
    ['complete', '--node', 'cto_breakdown', '--summary', 'split'],
    ['confirm', '--node', 'controller_dispatch', '--outcome', 'dev_first'],
  ]) expect(state(repo.dir, args[0] as string, file, ...args.slice(1)).code).toBe(0);
  valid = readFileSync(file);
});
afterAll(() => repo?.cleanup());

function cut(fraction: number): Buffer {
  return valid.subarray(0, Math.floor(valid.length * fraction));
}

function randomGarbage(): Buffer {
  const b = randomBytes(512);
  b[0] = 0x00;
  b[100] = 0x00;
  return b;
}

const CORRUPT: [string, () => Buffer][] = [
  ['truncated at 10%', () => cut(0.1)],
  ['truncated at 25%', () => cut(0.25)],
  ['truncated at 50%', () => cut(0.5)],
  ['truncated at 75%', () => cut(0.75)],
  ['truncated at 90%', () => cut(0.9)],
  ['truncated to len-2', () => valid.subarray(0, valid.length - 2)],
  ['binary garbage with NULs', randomGarbage],
  ['invalid UTF-8', () => Buffer.concat([Buffer.from('version: 1\nrun_id: '), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('\n')])],
  ['an empty file', () => Buffer.alloc(0)],
  ['whitespace only', () => Buffer.from('\n  \n')],
  ['a YAML list instead of a mapping', () => Buffer.from('- version: 1\n- run_id: x\n')],
  ['a scalar', () => Buffer.from('just some text\n')],
  ['a mapping that is not a run-state', () => Buffer.from('name: feat\nnodes: []\n')],
  ['a run-state with an unknown status', () => Buffer.from(valid.toString('utf8').replace(/^status: \w+$/m, 'status: paused'))],
];

describe('corrupt run-states', () => {
  it('every truncation really removes content', () => {
    for (const [label, make] of CORRUPT.slice(0, 6)) {
      const b = make();
      expect(b.length, label).toBeLessThan(valid.length - 1);
      expect(valid.subarray(0, b.length).equals(b), label).toBe(true);
    }
    // len-2 cuts inside the final quoted timestamp
    expect(valid.subarray(valid.length - 3).toString()).toBe('Z"\n');
  });

  it.each(CORRUPT)('%s: show, start and complete exit 2 naming the file; the file is unchanged', (label, make) => {
    const content = make();
    const file = writeFile(repo.dir, `.agents/workflow/runs/feat/${label.replace(/\W+/g, '-')}.yaml`, '');
    writeFileSync(file, content);
    for (const args of [
      ['show'],
      ['start', '--node', 'dev_implement'],
      ['complete', '--node', 'dev_implement'],
      ['complete', '--node', 'dev_implement', '--force'],
    ]) {
      const r = state(repo.dir, args[0] as string, file, ...args.slice(1));
      const { error } = expectRefused(r, 2);
      expect(error, `${args[0]}: ${r.stderr}`).toContain(file);
      expect(bytes(file).equals(content), `${args[0]} changed the file`).toBe(true);
    }
    const j = state(repo.dir, 'start', file, '--node', 'cto_breakdown', '--json');
    expect(j.code).toBe(2);
    expect(j.json).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^(unreadable_file|invalid_run_state)$/), details: { file } } });
    expect(bytes(file).equals(content)).toBe(true);
    expect(existsSync(`${file}.lock`), 'the lock is released').toBe(false);
    expect(readdirSync(dirname(file)).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('the first problem is named (YAML position or schema field)', () => {
    const file = writeFile(repo.dir, 'schema-bad.yaml', valid.toString('utf8').replace(/^status: \w+$/m, 'status: paused'));
    expect(state(repo.dir, 'show', file).stderr).toContain(`${file}: is not a valid run-state: status:`);
    const list = writeFile(repo.dir, 'list.yaml', '- a\n');
    expect(state(repo.dir, 'show', list).stderr).toContain('is not a run-state (expected a YAML mapping');
    const syntax = writeFile(repo.dir, 'syntax.yaml', 'version: 1\nrun_id: "x\n');
    expect(state(repo.dir, 'show', syntax).stderr).toMatch(/invalid YAML at \d+:\d+/);
  });

  it('a missing run-state is exit 2 with a try: line that lists runs as printed', () => {
    const r = state(repo.dir, 'start', 'nope.yaml', '--node', 'cto_breakdown');
    const { error, hint, label } = expectRefused(r, 2);
    expect(error).toContain('nope.yaml');
    expect(label).toBe('try');
    expect(pasteInBash(hint as string, repo.dir).code).toBe(0);
    // --json: error.try holds the command (a reader can tell a command from words)
    expect(state(repo.dir, 'start', 'nope.yaml', '--node', 'cto_breakdown', '--json').json.error).toMatchObject({ hint, try: hint });
  });

  it('a hint in words is labelled hint:, never try: (only a try: line runs as printed)', () => {
    const file = writeFile(repo.dir, 'bad-shape.yaml', 'version: 1\nrun_id: x\nstatus: 5\ncurrent_node: a\n');
    const { hint, label } = expectRefused(state(repo.dir, 'start', file, '--node', 'cto_breakdown'), 2);
    expect(hint).toMatch(/restore the file/);
    expect(label).toBe('hint');
    const json = state(repo.dir, 'start', file, '--node', 'cto_breakdown', '--json').json.error;
    expect(json.hint).toBe(hint);
    expect(json).not.toHaveProperty('try');
  });

  it('workflow validate and state init on a garbage template exit 2', () => {
    const garbage = randomGarbage();
    const path = writeFile(repo.dir, 'garbage.yaml', '');
    writeFileSync(path, garbage);
    for (const argv of [['workflow', 'validate', path], ['workflow', 'state', 'init', path], ['workflow', 'graph', path]]) {
      const { error } = expectRefused(cli(argv, { cwd: repo.dir }), 2);
      expect(error).toContain(path);
    }
    expect(bytes(path).equals(garbage)).toBe(true);
  });
});
