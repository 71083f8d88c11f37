/**
 * Main moved during a run and conflicts with a worker's branch (finding 3 of the session-4 user play),
 * end to end with the built CLI, real git and the scripted stand-in agents on the headless process
 * backend: a developer changes `inc.js` while a person commits another `inc.js` on main; QA builds on
 * the developer. Bringing QA's worktree up to main conflicts: the node is blocked (not an error), and
 * `state next` offers `[resolve]` (QA's worker is asked to merge main into its branch and resolve) and
 * `[retry]`. Before `[retry]` goes first after the resolve reply, the merge is checked with
 * `git merge-base --is-ancestor` (finding 9): a worker that replied without merging gets `[resolve]` first
 * again, with the reason in `message`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTeam, type PlaybookStep, type Team } from '../controller/support.js';
import { pasteInBash } from '../helpers/paste.js';
import { git, writeFile } from '../helpers/repo.js';

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

const FLOW = `version: 1
name: flow
roles:
    dev: { role: dev }
    qa: { role: qa }
entry: dev_implement
nodes:
    - id: dev_implement
      type: assign_role_task
      actor: dev
      task: Write the counter
      next: qa_verify
    - id: qa_verify
      type: verify_or_test
      actor: qa
      builds_on: [dev_implement]
      task: Check the counter
      branches:
          - { when: passed, next: done }
          - { when: failed, next: done }
    - id: done
      type: controller_task
      end: true
`;

const DEV: PlaybookStep = { match: 'Write the counter', files: { 'inc.js': 'dev\n' }, commit: 'Dev counter', reply: 'Task completed: counter' };
const CHECK: PlaybookStep = { match: 'Check the counter', run: 'grep -q dev inc.js && grep -q main inc.js', reply: 'Task completed: checked' };

/**
 * Runs the flow until QA's task is blocked by main's new `inc.js`; returns the run-state path and the
 * blocked step. `qaFirst`: QA's worker was opened before main moved (its branch is at the old main, so
 * bringing it up to main conflicts); else it is created from the new main and merging the developer's
 * branch into it conflicts (a builds_on conflict, whose `[resolve]` goes to the developer).
 */
async function blockedOnMain(resolver: PlaybookStep, qaFirst: boolean): Promise<{ file: string; next: any }> {
  team = await makeTeam({ backend: 'process', workflows: { flow: FLOW }, playbook: [DEV, resolver, CHECK] });
  writeFile(team.root, 'inc.js', 'base\n');
  git(team.root, 'add', 'inc.js');
  git(team.root, 'commit', '-q', '-m', 'base counter');
  if (qaFirst) {
    team.ok(['worker', 'create', 'qa', '--yes']);
    team.ok(['worker', 'open', 'qa-001']);
  }
  const file = team.init('flow', 'u1');
  expect(team.run(file).stopped).toBe('waiting');
  await team.waitForReply(file, 'dev_implement');
  // a person commits on main meanwhile, touching the same file
  writeFile(team.root, 'inc.js', 'main\n');
  git(team.root, 'commit', '-q', '-am', 'main counter');
  const report = team.run(file);
  expect(report.stopped, report.why).toBe('blocked');
  expect(report.why).toMatch(/conflicts in inc\.js/);
  const next = team.next(file);
  expect(next).toMatchObject({ kind: 'blocked', node: { id: 'qa_verify' } });
  return { file, next };
}

describe('main moved and conflicts with a worker branch', () => {
  it('blocks the node with [resolve] (merge main into the branch) and [retry]; pasted as printed, they resolve it', async () => {
    const resolver: PlaybookStep = {
      match: 'conflicts in inc.js',
      run: "git merge -q --no-edit main || { printf 'dev\\nmain\\n' > inc.js && git add inc.js && git commit -q --no-edit; }",
      reply: 'Task completed: merged main',
    };
    const { file, next } = await blockedOnMain(resolver, true);
    expect(next.choices.map((c: { outcome: string }) => c.outcome)).toEqual(['resolve', 'retry']);
    const resolve = next.choices[0].command as string;
    expect(resolve).toMatch(/^agent-team worker assign qa-001 /);
    expect(resolve).toContain('git merge main');
    expect(resolve).toContain('--node qa_verify');
    expect(next.done_when).toContain('team/qa-001 holds main');

    const sent = pasteInBash(resolve, team!.root, team!.env);
    expect(sent.code, sent.stderr).toBe(0);
    const waited = team!.ok(['workflow', 'run', file, '--wait', '--timeout', '60s']);
    expect(waited).toMatchObject({ stopped: 'blocked', next: { kind: 'blocked', node: { id: 'qa_verify' } } });
    expect(waited.next.message).toContain('qa-001 replied: Task completed: merged main');
    expect(waited.next.choices.map((c: { outcome: string }) => c.outcome)).toEqual(['retry', 'resolve']);

    const retried = pasteInBash(waited.next.choices[0].command, team!.root, team!.env);
    expect(retried.code, retried.stderr).toBe(0);
    const again = team!.run(file);
    expect(again.stopped, again.why).toBe('waiting');
    expect(readFileSync(join(team!.root, '.worktrees/qa-001/inc.js'), 'utf8')).toBe('dev\nmain\n');
    const replied = await team!.waitForReply(file, 'qa_verify');
    expect(replied.node_states.qa_verify.reply).toMatchObject({ outcome: 'passed' });
  }, 120_000);

  it('a builds_on [resolve] to a developer whose branch main conflicts with is given; a done reply without the merge offers [resolve] first again', async () => {
    const { file, next } = await blockedOnMain({ match: 'conflicts in inc.js', reply: 'Task completed: all good' }, false);
    expect(next.choices[0].command).toMatch(/^agent-team worker assign dev-001 /);
    // dev-001's worktree is clean and main conflicts with it: the resolve task is given all the same
    const sent = pasteInBash(next.choices[0].command, team!.root, team!.env);
    expect(sent.code, sent.stderr).toBe(0);
    const waited = team!.ok(['workflow', 'run', file, '--wait', '--timeout', '60s']);
    expect(waited).toMatchObject({ stopped: 'blocked', next: { kind: 'blocked', node: { id: 'qa_verify' } } });
    expect(waited.next.message).toContain('dev-001 replied: Task completed: all good');
    expect(waited.next.message).toContain('team/qa-001 is not merged into team/dev-001');
    expect(waited.next.choices.map((c: { outcome: string }) => c.outcome)).toEqual(['resolve', 'retry']);
  }, 120_000);
});
