/**
 * A failing check says what failed (finding 4 of the session-4 user play): a check command's full output
 * is kept in a file next to the run-state (bounded, its path recorded on the node and in the log), and
 * the summary the fix task gets names that file and holds the failing part — for `node --test` (TAP),
 * the `not ok` blocks with the test's name and assertion, not only the totals at the end. Built CLI, real
 * git repository, a real `node --test` project; no agent (the fix node is the controller's).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTeam, type Team } from '../controller/support.js';

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

const FLOW = `version: 1
name: checked
roles:
    dev: { role: dev }
entry: check
nodes:
    - id: check
      type: controller_task
      task: Run the tests
      command: node --test
      branches:
          - { when: passed, next: done }
          - { when: failed, next: fix }
    - id: fix
      type: controller_task
      task: "Fix what failed, then commit: {{nodes.check.summary}}"
      end: true
    - id: done
      type: controller_task
      end: true
`;

// one failing test among many passing ones: the end of the output is only passing tests and totals
const TESTS = `import { test } from 'node:test';
import assert from 'node:assert/strict';
const sum = (a, b) => a + b + (a === 2 ? 1 : 0);
for (let i = 0; i < 30; i++) test(\`adds \${i}\`, () => assert.equal(sum(i === 2 ? 3 : i, 0), i === 2 ? 3 : i));
test('sum of two and two', () => assert.equal(sum(2, 2), 4));
for (let i = 0; i < 30; i++) test(\`still adds \${i}\`, () => assert.equal(sum(5, i), 5 + i));
`;

describe('a failing check keeps its output', () => {
  it('keeps the full output next to the run-state and gives the fix task the not ok block and the file', async () => {
    team = await makeTeam({ backend: 'process', workflows: { checked: FLOW }, playbook: [], files: { 'test/sum.test.mjs': TESTS, 'package.json': '{ "type": "module" }\n' } });
    const file = team.init('checked', 'c1');
    const report = team.run(file);
    expect(report.next, report.why).toMatchObject({ node: { id: 'fix' } });
    const state = team.show(file);
    const kept = state.node_states.check.check_output as string;
    expect(kept).toBe('.agents/workflow/runs/checked/c1.checks/check-1.log');
    const output = readFileSync(join(team.root, kept), 'utf8');
    expect(output).toContain('not ok 31 - sum of two and two');
    expect(output).toContain('# pass 60');
    expect(report.steps.find((s: { node: string; action: string }) => s.node === 'check' && s.action === 'check')).toMatchObject({ detail: expect.stringContaining(`output: ${kept}`) });

    const task = report.next.task as string;
    expect(task).toContain(kept);
    expect(task).toContain('not ok 31 - sum of two and two');
    expect(task).toMatch(/5 !== 4|Expected values to be strictly equal/);
    expect(task.length).toBeLessThan(4000);
  }, 60_000);

  it('bounds the kept output, keeping its start and its end', async () => {
    const noisy = `version: 1
name: noisy
roles:
    dev: { role: dev }
entry: check
nodes:
    - id: check
      type: controller_task
      task: Run it
      command: "echo FIRST; seq 1 40000 | sed 's/$/ xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/'; echo 'Error: LAST' >&2; exit 3"
      branches:
          - { when: passed, next: done }
          - { when: failed, next: done }
    - id: done
      type: controller_task
      task: "{{nodes.check.summary}}"
      end: true
`;
    team = await makeTeam({ backend: 'process', workflows: { noisy }, playbook: [] });
    const file = team.init('noisy', 'n1');
    const report = team.run(file);
    expect(report.next, report.why).toMatchObject({ node: { id: 'done' } });
    const kept = join(team.root, team.show(file).node_states.check.check_output);
    expect(existsSync(kept)).toBe(true);
    const output = readFileSync(kept, 'utf8');
    expect(output.length).toBeLessThanOrEqual(300_000);
    expect(output.startsWith('FIRST\n')).toBe(true);
    expect(output).toMatch(/left out/);
    expect(output.trimEnd().endsWith('Error: LAST')).toBe(true);
    expect(report.next.task).toContain('Error: LAST');
  }, 60_000);
});
