/**
 * The shipped `branching` preset, run to the end by `workflow run` with the scripted stand-in agents
 * (issue 9 "Done when"): started with `--param requirement="…"`; the CTO's plan reaches the dev's task;
 * QA runs the project's tests on the dev's code merged into its own worktree (builds_on); the dev's first
 * commit fails them, the fix task carries QA's failing summary, the second commit passes; the merge node
 * merges exactly the verified commit; the merged main passes its tests.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/repo.js';
import { makeTeam, type Team } from './support.js';

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

const TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greet } from '../src/greet.js';

test('greets by name', () => assert.equal(greet('Ada'), 'Hello, Ada!'));
`;

describe('the branching preset, dev-first, through the fix loop', () => {
  it('delivers the requirement: QA tests the dev code, the fix is told what failed, the verified code is merged', async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: {},
      files: {
        'test/greet.test.js': TEST,
        'src/greet.js': 'export function greet(name) {\n  throw new Error("todo");\n}\n',
        // the preset's roles, played by the stand-in
        ...Object.fromEntries(['cto', 'vite-react-dev', 'qa'].map((role) => [`.agents/teams/${role}/system.md`, `You are the ${role}.\n`])),
      },
      playbook: [
        { match: 'Break down the requirement', reply: 'Task completed: plan: one function greet(name) in src/greet.js' },
        { match: 'Implement and commit', files: { 'src/greet.js': 'export function greet(name) {\n  return `Hello ${name}`;\n}\n' }, commit: 'Implement greet', reply: 'Task completed: greet implemented' },
        { match: 'Run the tests', run: 'node --test test/', reply: 'Task completed: tests ran' },
        { match: 'Fix what failed', files: { 'src/greet.js': 'export function greet(name) {\n  return `Hello, ${name}!`;\n}\n' }, commit: 'Fix greet punctuation', reply: 'Task completed: greet fixed' },
      ],
    });
    const t = team;
    t.ok(['workflow', 'create', 'deliver', '--preset', 'branching']);
    git(t.root, 'add', '.agents/workflow/deliver.yaml');
    git(t.root, 'commit', '-q', '-m', 'Add the delivery workflow');
    const requirement = 'greet(name) returns "Hello, <name>!"';
    const init = t.ok(['workflow', 'state', 'init', '.agents/workflow/deliver.yaml', '--run-id', 'd1', '--param', `requirement=${requirement}`]);
    expect(init.params).toEqual({ requirement });
    const file = '.agents/workflow/runs/deliver/d1.yaml';

    let verifiedHead: string | undefined;
    const trace: string[] = [];
    for (let round = 0; round < 30; round++) {
      const report = t.run(file, true);
      trace.push(...report.steps.map((s: { node: string; action: string }) => `${s.node}:${s.action}`), `[${report.stopped}]`);
      if (report.stopped === 'completed') break;
      if (report.stopped === 'waiting') {
        const node = report.next.node.id;
        const s = await t.waitForReply(file, node, 30_000);
        if (node === 'qa_verify' && s.node_states.qa_verify?.reply?.outcome === 'passed') verifiedHead = s.node_states.qa_verify.reply.head;
        continue;
      }
      if (report.stopped === 'confirmation' && report.next.node.id === 'controller_dispatch') {
        expect(report.next.task).toContain('plan: one function greet(name)');
        t.ok(['workflow', 'state', 'confirm', file, '--node', 'controller_dispatch', '--outcome', 'dev_first']);
        continue;
      }
      if (report.stopped === 'confirmation' && report.next.node.id === 'merge_code') {
        // the person approves the merge shown; the next `run --yes` merges it (--yes approves only the merges
        // awaiting approval when the call starts)
        expect(report.why).toMatch(/needs approval/);
        continue;
      }
      if (report.stopped === 'confirmation' && report.next.node.id === 'controller_finish') {
        t.ok(['workflow', 'state', 'confirm', file, '--node', 'controller_finish', '--summary', 'merged and checked']);
        continue;
      }
      throw new Error(`unexpected stop: ${report.stopped} ${report.why}\n${trace.join(' ')}`);
    }
    const state = t.show(file);
    expect(state.status, trace.join(' ')).toBe('completed');
    // the fix loop ran once: QA failed the first commit, passed the fix
    expect(state.node_states.qa_verify).toMatchObject({ outcome: 'passed', visits: 2, history: [expect.objectContaining({ outcome: 'failed' })] });
    expect(state.node_states.dev_fix.visits).toBe(1);
    // every task carried the requirement; the fix task carried QA's failing summary
    const devChanges = join(t.root, '.worktrees/vite-react-dev-001/.tasks/changes');
    const descriptions = readdirSync(devChanges).sort().map((n) => readFileSync(join(devChanges, n, 'change.yaml'), 'utf8'));
    expect(descriptions).toHaveLength(2);
    expect(descriptions[0]).toContain('Hello, <name>!');
    expect(descriptions[1]).toMatch(/Fix what failed, then commit: .*`node --test test\/` failed: not ok 1 - greets by name/);
    expect(descriptions.every((d) => /status: done/.test(d))).toBe(true);
    // QA's worktree held the dev's fix when it passed; exactly that commit is on main now
    expect(verifiedHead).toBeDefined();
    expect(git(t.root, 'merge-base', '--is-ancestor', verifiedHead as string, 'main')).toBe('');
    expect(git(t.root, 'rev-parse', 'team/qa-001')).toBe(verifiedHead);
    expect(readFileSync(join(t.root, 'src/greet.js'), 'utf8')).toContain('`Hello, ${name}!`');
    const tests = spawnSync(process.execPath, ['--test', 'test/'], { cwd: t.root, encoding: 'utf8' });
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    expect(trace).toContain('merge_code:merge');
  }, 240_000);
});
