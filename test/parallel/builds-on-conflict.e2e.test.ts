/**
 * A builds_on conflict, end to end with the built CLI, real git and the scripted stand-in agents on the
 * headless process backend: two developers change the same file in parallel; QA builds on both. The
 * merge into QA's branch conflicts and blocks the node; `state next` then offers a line that sends the
 * conflict (branches and files named) to the developer whose branch conflicts, and the retry after it.
 * The `[resolve]` line ties the assignment to the blocked node (`--run`/`--node`): `workflow run --wait`
 * waits for that developer's reply, then offers `[retry]` first with it. Pasted as printed, they resolve
 * it: QA's branch holds both developers' work and QA gets its task.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTeam, type Team } from '../controller/support.js';
import { pasteInBash } from '../helpers/paste.js';
import { git, writeFile } from '../helpers/repo.js';

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

const PAIR = `version: 1
name: pair
roles:
    dev: { role: dev }
    qa: { role: qa }
entry: split
nodes:
    - id: split
      type: controller_task
      task: Split
      next: [left, right]
    - id: left
      type: assign_role_task
      actor: dev
      task: Write the left greeting
      next: qa_verify
    - id: right
      type: assign_role_task
      actor: dev
      task: Write the right greeting
      next: qa_verify
    - id: qa_verify
      type: verify_or_test
      actor: qa
      after: [left, right]
      builds_on: [left, right]
      task: Check both greetings
      branches:
          - { when: passed, next: done }
          - { when: failed, next: done }
    - id: done
      type: controller_task
      end: true
`;

describe('builds_on conflict', () => {
  it('blocks with the conflict named and offers a line that sends it to a developer, then the retry; pasted, they resolve it', async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: { pair: PAIR },
      playbook: [
        { match: 'Write the left greeting', files: { 'greet.txt': 'left\n' }, commit: 'Left greeting', reply: 'Task completed: left' },
        { match: 'Write the right greeting', files: { 'greet.txt': 'right\n' }, commit: 'Right greeting', reply: 'Task completed: right' },
        // the developer asked to resolve: merge the other branch, keep both lines, commit the merge
        // (it starts once the test has seen the run wait for it: the gate file, created by the test)
        { match: 'conflicts in greet.txt', run: "while [ ! -e ../../resolve-gate ]; do sleep 0.05; done; git merge -q --no-edit team/dev-001 || { printf 'left\\nright\\n' > greet.txt && git add greet.txt && git commit -q --no-edit; }", reply: 'Task completed: merged' },
        { match: 'Check both greetings', run: "grep -q left greet.txt && grep -q right greet.txt", reply: 'Task completed: checked' },
      ],
    });
    writeFile(team.root, 'greet.txt', 'base\n');
    git(team.root, 'add', 'greet.txt');
    git(team.root, 'commit', '-q', '-m', 'base greeting');
    const file = team.init('pair', 'c1');
    expect(team.at(['workflow', 'state', 'complete', file, '--node', 'split', '--json']).code).toBe(0);
    expect(team.run(file).stopped).toBe('waiting');
    await team.waitForReply(file, 'left');
    await team.waitForReply(file, 'right');
    const report = team.run(file);
    expect(report.stopped).toBe('blocked');
    expect(report.why).toMatch(/merging team\/dev-002 conflicts in greet\.txt/);

    const next = team.next(file);
    expect(next.kind).toBe('blocked');
    expect(next.node.id).toBe('qa_verify');
    const resolve = next.choices.find((c: { outcome: string }) => c.outcome === 'resolve');
    expect(resolve?.command).toMatch(/^agent-team worker assign dev-002 /);
    expect(resolve.command).toContain('team/dev-001');
    expect(resolve.command).toContain('conflicts in greet.txt');
    const retry = next.choices.find((c: { outcome: string }) => c.outcome === 'retry');
    expect(retry?.command).toMatch(/^agent-team workflow state start .* --node qa_verify/);

    // pasted as printed: the developer merges and resolves; the [resolve] is tied to the blocked node,
    // so `workflow run --wait` waits for that developer's reply and then offers the retry first, with it
    const sent = pasteInBash(resolve.command, team.root, team.env);
    expect(sent.code, sent.stderr).toBe(0);
    const pending = team.next(file);
    expect(pending).toMatchObject({ kind: 'wait', node: { id: 'qa_verify' }, commands: [] });
    expect(pending.message).toContain('waiting for dev-002 to resolve it');
    writeFile(team.root, 'resolve-gate', '');
    const waited = team.ok(['workflow', 'run', file, '--wait', '--timeout', '60s']);
    expect(waited.timed_out ?? false).toBe(false);
    expect(waited).toMatchObject({ stopped: 'blocked', next: { kind: 'blocked', node: { id: 'qa_verify' } } });
    expect(waited.next.message).toContain('dev-002 replied: Task completed: merged');
    expect(waited.next.choices.map((c: { outcome: string }) => c.outcome)).toEqual(['retry', 'resolve']);
    expect(waited.next.choices[0].command).toBe(retry.command);
    const recorded = team.show(file).node_states.qa_verify.builds_on_conflict.resolve;
    expect(recorded).toMatchObject({ worker: 'dev-002', change: expect.stringMatching(/^\.tasks\/changes\/.*resolve-a-merge-conflict/), reply: { message: expect.stringMatching(/^Task completed: merged/), status: 'done' } });
    expect(readFileSync(join(team.root, '.worktrees/dev-002', recorded.change, 'change.yaml'), 'utf8')).toContain('status: done');
    expect(readFileSync(join(team.root, '.worktrees/dev-002/greet.txt'), 'utf8')).toBe('left\nright\n');
    const retried = pasteInBash(waited.next.choices[0].command, team.root, team.env);
    expect(retried.code, retried.stderr).toBe(0);
    const again = team.run(file);
    expect(again.stopped, again.why).toBe('waiting');
    // QA's branch holds this run's work from the first try: it is built on again, never "started afresh"
    expect(again.steps.map((s: { action: string }) => s.action)).not.toContain('fresh_start');
    expect(readFileSync(join(team.root, '.worktrees/qa-001/greet.txt'), 'utf8')).toBe('left\nright\n');
    const replied = await team.waitForReply(file, 'qa_verify');
    expect(replied.node_states.qa_verify.reply).toMatchObject({ outcome: 'passed' });
  }, 120_000);
});
