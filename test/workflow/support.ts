/** Shared helpers for the workflow tests: fixture positions, temp repos with a template, file snapshots. */
import { cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { cli, type CliResult } from '../helpers/cli.js';
import { tempDir, tempRepo, writeFile } from '../helpers/repo.js';

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

/** The bytes `workflow create <name> --preset <preset>` writes, by `name\0preset` (one CLI run per test file each). */
const created = new Map<string, string>();

/**
 * A temp git repo with `.agents/workflow/<name>.yaml` as `workflow create <name> --preset <preset>` writes
 * it (no TTY: the template file only). The CLI runs once per name and preset in a test file; later repos get
 * the same bytes written directly (the tests of `workflow create` itself spawn it every time).
 */
export function repoWithWorkflow(name = 'feat', preset = 'branching'): { dir: string; cleanup: () => void; template: string } {
  const key = `${name}\0${preset}`;
  let text = created.get(key);
  if (text === undefined) {
    const scratch = tempDir();
    try {
      const r = cli(['workflow', 'create', name, '--preset', preset], { cwd: scratch.dir });
      if (r.code !== 0) throw new Error(`workflow create failed: ${r.stderr}`);
      text = readFileSync(r.stdout.trim(), 'utf8');
    } finally {
      scratch.cleanup();
    }
    created.set(key, text);
  }
  const repo = tempRepo();
  return { ...repo, template: writeFile(repo.dir, `.agents/workflow/${name}.yaml`, text) };
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

/**
 * A copy of the folder `dir` (a temp repository built once by a test file's `beforeAll`, `.git` included)
 * in a new temp folder, so each test starts from the same point without rebuilding it. Paths inside
 * run-states and templates are relative to the root, so they hold in the copy; worktrees (absolute paths
 * in `.git/worktrees`) do not copy.
 */
export function copyOf(dir: string): { dir: string; cleanup: () => void } {
  const copy = tempDir();
  cpSync(dir, copy.dir, { recursive: true });
  return copy;
}

/**
 * The run-state file at `file` parsed as YAML, read in-process: for tests that check what a transition
 * wrote rather than what `state show` prints (the field names are the file's, as in `state show --json`).
 */
export function readRun(file: string): any {
  return parse(readFileSync(file, 'utf8'));
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
