/** Shared helpers for the workflow tests: fixture positions, temp repos with a template, file snapshots. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { cli, type CliResult } from '../helpers/cli.js';
import { tempRepo } from '../helpers/repo.js';

/**
 * The 1-based line and column of `search` in `text` (its `nth` occurrence, 1-based), plus `offset`
 * characters into it. Throws when it does not occur, so a fixture edit cannot silently shift expectations.
 */
export function lineCol(text: string, search: string, offset = 0, nth = 1): { line: number; col: number } {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(search, index + 1);
    if (index < 0) throw new Error(`fixture does not contain ${JSON.stringify(search)} (occurrence ${nth})`);
  }
  const at = index + offset;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return { line, col };
}

/**
 * Asserts a failed CLI run: exit code and exactly one `error:` line on stderr. Returns the error text and
 * the hint: a `try:` line (one command that runs as printed, `label: 'try'`) or a `hint:` line (words).
 */
export function expectRefused(r: CliResult, exitCode = 1): { error: string; hint?: string; label?: 'try' | 'hint' } {
  expect(r.code, `stderr: ${r.stderr}\nstdout: ${r.stdout}`).toBe(exitCode);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  const errors = lines.filter((l) => l.startsWith('error: '));
  expect(errors, r.stderr).toHaveLength(1);
  const hint = lines.find((l) => l.startsWith('try: ') || l.startsWith('hint: '));
  const label = hint === undefined ? undefined : hint.startsWith('try: ') ? 'try' : 'hint';
  return { error: (errors[0] as string).slice('error: '.length), hint: hint?.slice(`${label}: `.length), label };
}

/** A temp git repo with `.agents/workflow/<name>.yaml` created from `preset` by the CLI. */
export function repoWithWorkflow(name = 'feat', preset = 'branching'): { dir: string; cleanup: () => void; template: string } {
  const repo = tempRepo();
  const r = cli(['workflow', 'create', name, '--preset', preset], { cwd: repo.dir });
  if (r.code !== 0) throw new Error(`workflow create failed: ${r.stderr}`);
  return { ...repo, template: join(repo.dir, '.agents/workflow', `${name}.yaml`) };
}

/** The `--param` a shipped preset needs (its required `requirement`, issue 9 item 8). */
export const PRESET_PARAMS = ['--param', 'requirement=Add a login page'];

/** `state init` for `template` (JSON mode; a preset's required requirement param given); returns the run-state's absolute path. */
export function initRun(cwd: string, template: string, extra: string[] = []): string {
  const needs = /^params:\n\s+requirement:/m.test(readFileSync(resolve(cwd, template), 'utf8')) && !extra.includes('--param');
  const r = cli(['workflow', 'state', 'init', template, '--json', ...(needs ? PRESET_PARAMS : []), ...extra], { cwd });
  if (r.code !== 0) throw new Error(`state init failed (${r.code}): ${r.stderr}`);
  return r.json.path as string;
}

/** Runs a `workflow state <verb>` in JSON mode. */
export function state(cwd: string, verb: string, file: string, ...args: string[]): CliResult {
  return cli(['workflow', 'state', verb, file, ...args], { cwd });
}

/** `state show --json` parsed; fails the test when it does not exit 0. */
export function show(cwd: string, file: string): any {
  const r = cli(['workflow', 'state', 'show', file, '--json'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  return r.json;
}

/** The bytes of a file (for byte-for-byte comparisons). */
export function bytes(path: string): Buffer {
  return readFileSync(path);
}
