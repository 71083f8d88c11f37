/**
 * Issue 11, finding 8: terminal escapes are shown, never executed. A stored reason with OSC 52 (clipboard
 * write), a screen clear and a title change comes out of every text command escaped; `validate` refuses
 * control characters in a task; `workflow run` on such a template stops before anything is opened.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { initRun, repoWithWorkflow } from '../workflow/support.js';
import '../workflow/fresh-build.js';

let repo: ReturnType<typeof repoWithWorkflow>;
beforeAll(() => {
  repo = repoWithWorkflow('feat', 'branching');
});
afterAll(() => repo?.cleanup());

const HOSTILE = 'CI failed\u001b]52;c;cm0gLXJmIH4K\u0007\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202edone';
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describe('stored fields in text output', () => {
  it('state next, state list and state show print a hostile reason escaped; errors too', () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'esc']);
    const block = cli(['workflow', 'state', 'block', file, '--node', 'cto_breakdown', '--reason', HOSTILE], { cwd: repo.dir });
    expect(block.code, block.stderr).toBe(0);
    for (const args of [['workflow', 'state', 'next', file], ['workflow', 'state', 'list'], ['workflow', 'state', 'show', file]]) {
      const r = cli(args, { cwd: repo.dir, env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      // our own colour codes (FORCE_COLOR) are allowed on both streams; nothing else from the data is
      const withoutOurColours = (text: string) => text.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, '');
      expect(withoutOurColours(r.stdout), args.join(' ')).not.toMatch(RAW);
      expect(withoutOurColours(r.stderr), args.join(' ')).not.toMatch(RAW);
    }
    const next = cli(['workflow', 'state', 'next', file], { cwd: repo.dir });
    expect(next.stdout).toContain('CI failed\\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b[2J');
    // --json keeps the exact value, with every control character escaped as JSON
    const json = cli(['workflow', 'state', 'show', file, '--json'], { cwd: repo.dir });
    expect(json.stdout).not.toMatch(RAW);
    expect(json.json.blocking_reason).toBe(HOSTILE);
    // an error message quoting user input
    const refused = cli(['workflow', 'state', 'start', file, '--node', `x${HOSTILE}`], { cwd: repo.dir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).not.toMatch(RAW);
  });
});

describe('templates with control characters', () => {
  const hostileTemplate = (text: string) => {
    const out = text.replace(/task: "Break down the requirement[^"\n]*"/, 'task: "Break down \\e]52;c;cm0gLXJmIH4K\\a the requirement: {{params.requirement}}"');
    expect(out, 'the preset\'s cto_breakdown task was replaced').not.toBe(text);
    return out;
  };

  it('validate refuses them with the code, the field and line:col', () => {
    const path = join(repo.dir, '.agents/workflow/hostile.yaml');
    const text = hostileTemplate(readFileSync(repo.template, 'utf8')).replace('name: feat', 'name: hostile');
    writeFileSync(path, text);
    const r = cli(['workflow', 'validate', path, '--json'], { cwd: repo.dir });
    expect(r.code, r.stdout).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('Break down')) + 1;
    expect(r.json.errors).toContainEqual(expect.objectContaining({ code: 'control_character', path: 'nodes[0].task', line }));
  });

  it('workflow run on a run whose template gained them stops before opening any worker', () => {
    const file = initRun(repo.dir, repo.template, ['--run-id', 'esc-run']);
    const original = readFileSync(repo.template, 'utf8');
    writeFileSync(repo.template, hostileTemplate(original));
    try {
      const r = cli(['workflow', 'run', file, '--yes', '--json'], { cwd: repo.dir, env: { AGENT_TEAM_BACKEND: 'process' } });
      expect(r.code, r.stderr).toBe(1);
      expect(r.json.error.message).toContain(repo.template);
      expect(r.json.error.message).toContain('control character');
      expect(existsSync(join(repo.dir, '.agents/workers')), 'no worker was created').toBe(false);
      expect(existsSync(join(repo.dir, '.worktrees')), 'no worktree was created').toBe(false);
    } finally {
      writeFileSync(repo.template, original);
    }
  });
});
