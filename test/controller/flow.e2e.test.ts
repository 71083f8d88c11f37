/**
 * Work that flows through a run (issue 9 items 3–6), end to end with the built CLI, real git and the
 * scripted stand-in agents on the headless process backend:
 * - builds_on: QA's worktree holds the dev's commit before QA's task is typed;
 * - evidence: a `done` reply without a new commit, or with uncommitted changes, does not complete a
 *   `requires_commits` node; `next` says what is missing and gives the `reply` that asks for a commit;
 * - the assignment is recorded once: after a crash between `worker assign` and `state wait`, `workflow
 *   run` waits instead of assigning again, and a stopped agent gets the same change again (no new one);
 * - a late reply to an older change is logged but never taken as the current visit's answer; the older
 *   change is marked superseded; a reply marks its change done;
 * - a run paused in `waiting` by the Go version gets no new worker.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/repo.js';
import { makeTeam, type Team } from './support.js';

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

const changesOf = (t: Team, id: string) => {
  const dir = join(t.root, '.worktrees', id, '.tasks/changes');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};
const changeYaml = (t: Team, id: string, name: string) => readFileSync(join(t.root, '.worktrees', id, '.tasks/changes', name, 'change.yaml'), 'utf8');

const BUILDS_ON = `version: 1
name: pair
roles:
    dev: { role: dev }
    qa: { role: qa }
entry: dev_implement
nodes:
    - id: dev_implement
      type: assign_role_task
      actor: dev
      task: Write greet.js
      requires_commits: true
      next: qa_verify
    - id: qa_verify
      type: verify_or_test
      actor: qa
      task: Check that greet.js is there
      builds_on: [dev_implement]
      branches:
          - { when: passed, next: done }
          - { when: failed, next: dev_implement }
    - id: done
      type: controller_task
      end: true
`;

describe('builds_on', () => {
  it("merges the dev's branch into QA's before QA's task is given", async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: { pair: BUILDS_ON },
      playbook: [
        { match: 'Write greet.js', files: { 'greet.js': 'export const greet = () => "hello";\n' }, commit: 'Add greet', reply: 'Task completed: greet.js' },
        { match: 'Check that greet.js', run: 'test -f greet.js', reply: 'Task completed: checked' },
      ],
    });
    const file = team.init('pair', 'p1');
    expect(team.run(file).stopped).toBe('waiting');
    await team.waitForReply(file, 'dev_implement');
    const devHead = git(team.root, 'rev-parse', 'team/dev-001');
    const report = team.run(file);
    expect(report.steps.map((s: { action: string }) => s.action)).toEqual(['complete', 'create', 'open', 'build_on', 'assign']);
    expect(git(join(team.root, '.worktrees/qa-001'), 'merge-base', '--is-ancestor', devHead, 'HEAD')).toBe('');
    const replied = await team.waitForReply(file, 'qa_verify');
    expect(replied.node_states.qa_verify.reply).toMatchObject({ outcome: 'passed', clean: true });
    expect(team.run(file).stopped).toBe('decision');
  }, 90_000);
});

const SOLO = `version: 1
name: solo
roles:
    dev: { role: dev }
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: "Build round {{nodes.build.visits}}"
      requires_commits: true
      next: check
    - id: check
      type: decision
      task: Again?
      branches:
          - { when: again, next: build }
          - { when: done, next: finish }
    - id: finish
      type: controller_task
      end: true
`;

describe('evidence for done', () => {
  it('a reply without a new commit, or with uncommitted changes, does not complete a requires_commits node', async () => {
    team = await makeTeam({ backend: 'process', workflows: { solo: SOLO }, playbook: [{ match: 'Build round 1', reply: 'Task completed: nothing to do' }] });
    const file = team.init('solo', 's1');
    team.run(file);
    await team.waitForReply(file, 'build');
    const before = team.bytes(file);
    let next = team.next(file);
    expect(next.kind).toBe('decide');
    expect(next.message).toMatch(/no new commit on team\/dev-001 since the assignment/);
    expect(next.commands).toEqual([expect.stringMatching(/^agent-team reply dev-001 .*Commit your work/)]);
    expect(team.run(file)).toMatchObject({ stopped: 'decision' });
    expect(team.bytes(file)).toBe(before);
    // a commit, but a file left uncommitted
    const tree = join(team.root, '.worktrees/dev-001');
    writeFileSync(join(tree, 'a.txt'), 'a\n');
    git(tree, 'add', 'a.txt');
    git(tree, 'commit', '-q', '-m', 'a');
    writeFileSync(join(tree, 'b.txt'), 'b\n');
    expect(team.replyMain('dev-001', 'Task completed: a').code).toBe(0);
    next = team.next(file);
    expect(next.message).toMatch(/uncommitted changes in dev-001's worktree/);
    git(tree, 'add', 'b.txt');
    git(tree, 'commit', '-q', '-m', 'b');
    expect(team.replyMain('dev-001', 'Task completed: a and b').code).toBe(0);
    expect(team.run(file).steps[0]).toMatchObject({ node: 'build', action: 'complete' });
  }, 90_000);
});

describe('assignments are recorded once', () => {
  it('after a crash between assign and wait, run waits instead of assigning again; a stopped agent gets the same change', async () => {
    team = await makeTeam({ backend: 'process', workflows: { solo: SOLO }, playbook: [{ match: 'Build round', files: { 'README.md/x': 'x' }, reply: 'never' }] });
    const file = team.init('solo', 's1');
    team.run(file);
    await team.waitForAgent('failed', 1).catch(() => undefined);
    const state = team.show(file);
    expect(state.node_states.build.assignment).toMatchObject({ worker: 'dev-001', change: expect.stringMatching(/^\.tasks\/changes\/.+\/$/) });
    expect(changesOf(team, 'dev-001')).toHaveLength(1);
    // the crash: the `wait` never happened
    const path = join(team.root, file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/(build:\n\s+status: )waiting/, '$1running').replace(/status: waiting\n/, 'status: running\n'));
    expect(team.show(file).node_states.build.status).toBe('running');
    expect(team.next(file).commands).toEqual([expect.stringMatching(/^agent-team workflow state wait .* --node build --worker dev-001/)]);
    const report = team.run(file);
    expect(report.stopped).toBe('waiting');
    expect(report.steps).toEqual([]);
    expect(team.show(file).node_states.build.status).toBe('waiting');
    expect(changesOf(team, 'dev-001')).toHaveLength(1);
    // the agent stops: the same change is typed again, no new change folder
    team.ok(['worker', 'close', 'dev-001']);
    const again = team.next(file);
    expect(again.commands).toEqual(['agent-team worker open dev-001', expect.stringMatching(/^agent-team worker assign dev-001 'Build round 1' --change \.tasks\/changes\/\S+\/$/)]);
    const resumed = team.run(file);
    expect(resumed.steps).toEqual([expect.objectContaining({ action: 'reopen' })]);
    expect(changesOf(team, 'dev-001')).toHaveLength(1);
  }, 90_000);

  it('a late reply to an older change is logged, not taken; the older open change is superseded; a reply marks its change', async () => {
    team = await makeTeam({ backend: 'process', workflows: { solo: SOLO }, playbook: [{ match: 'Build round', files: { 'README.md/x': 'x' }, reply: 'never' }] });
    const file = team.init('solo', 's1');
    team.run(file);
    const [first] = changesOf(team, 'dev-001');
    // the controller moves on without the worker's reply, and loops back
    team.ok(['workflow', 'state', 'complete', file, '--node', 'build', '--worker', 'dev-001']);
    team.ok(['workflow', 'state', 'complete', file, '--node', 'check', '--outcome', 'again']);
    expect(team.next(file).task).toBe('Build round 2');
    team.run(file);
    const changes = changesOf(team, 'dev-001');
    expect(changes).toHaveLength(2);
    expect(changeYaml(team, 'dev-001', first as string)).toMatch(/status: superseded/);
    const late = team.replyMain('dev-001', 'Task completed: round 1', '--change', first as string);
    expect(late.code, late.stderr).toBe(0);
    expect(late.json.recorded).toEqual([expect.objectContaining({ node: 'build', late: true })]);
    const s = team.show(file);
    expect(s.node_states.build.reply).toBeUndefined();
    expect(s.decision_log.at(-1)).toMatchObject({ action: 'reply', late: true });
    expect(team.next(file).kind).toBe('wait');
    // the answer to the current change counts (and marks it done)
    const tree = join(team.root, '.worktrees/dev-001');
    writeFileSync(join(tree, 'r2.txt'), 'r2\n');
    git(tree, 'add', 'r2.txt');
    git(tree, 'commit', '-q', '-m', 'round 2');
    const current = team.replyMain('dev-001', 'Task completed: round 2');
    expect(current.json.recorded).toEqual([expect.objectContaining({ node: 'build' })]);
    expect(current.json.change).toBe(`.tasks/changes/${changes[1]}/`);
    expect(changeYaml(team, 'dev-001', changes[1] as string)).toMatch(/status: done/);
    expect(team.run(file).steps[0]).toMatchObject({ node: 'build', action: 'complete', detail: expect.stringContaining('round 2') });
  }, 90_000);
});

const FIXTURES = fileURLToPath(new URL('../fixtures/go/', import.meta.url));

describe('a run paused in waiting by the Go version', () => {
  it('uses the worker whose open change matches the node, else stops listing candidates; never creates a worker', async () => {
    const template = readFileSync(join(FIXTURES, 'feature-delivery.yaml'), 'utf8');
    team = await makeTeam({ backend: 'process', workflows: { 'feature-delivery': template }, playbook: [{ match: '根据需求', files: { 'README.md/x': 'x' }, reply: 'never' }] });
    const t = team;
    const runs = join(t.root, '.agents/workflow/runs/feature-delivery');
    mkdirSync(runs, { recursive: true });
    copyFileSync(join(FIXTURES, 'run-waiting.yaml'), join(runs, 'go.yaml'));
    const file = '.agents/workflow/runs/feature-delivery/go.yaml';
    // two dev workers, neither recorded by the Go run
    const role = /dev:\s*\n\s*role:\s*(\S+)/.exec(template)?.[1] ?? 'vite-react-dev';
    mkdirSync(join(t.root, `.agents/teams/${role}`), { recursive: true });
    writeFileSync(join(t.root, `.agents/teams/${role}/system.md`), 'You build.\n');
    t.ok(['worker', 'create', role, '--yes']);
    t.ok(['worker', 'create', role, '--yes']);
    let next = t.next(file);
    expect(next.kind).toBe('decide');
    expect(next.message).toMatch(new RegExp(`candidates ${role}-001, ${role}-002`));
    expect(t.run(file).stopped).toBe('decision');
    expect(t.workers()).toEqual([`${role}-001`, `${role}-002`]);
    // the worker whose open change matches the node's task is the one
    const task = t.show(file) && /id: dev_implement[\s\S]*?task: (.+)/.exec(template)?.[1]?.trim().replace(/^"|"$/g, '');
    t.ok(['worker', 'assign', `${role}-002`, task as string]);
    next = t.next(file);
    expect(next.kind).toBe('wait');
    expect(next.node.worker === null || next.message.includes(`${role}-002`)).toBe(true);
    expect(next.message).toContain(`${role}-002`);
    expect(t.run(file).stopped).toBe('waiting');
    expect(t.workers()).toEqual([`${role}-001`, `${role}-002`]);
  }, 90_000);
});

describe('worktree_dir', () => {
  it('puts worker worktrees outside the repository; runs, replies and status work from there', async () => {
    team = await makeTeam({ backend: 'process', workflows: { solo: SOLO }, playbook: [{ match: 'Build round 1', files: { 'r1.txt': 'r1\n' }, commit: 'round 1', reply: 'Task completed: round 1' }] });
    const t = team;
    const outside = `${t.root}-worktrees`;
    writeFileSync(join(t.root, '.agents/config.yaml'), `${readFileSync(join(t.root, '.agents/config.yaml'), 'utf8')}worktree_dir: ../${outside.split('/').pop()}\n`);
    git(t.root, 'commit', '-q', '-am', 'worktrees outside the repository');
    const file = t.init('solo', 's1');
    t.run(file);
    await t.waitForReply(file, 'build');
    expect(existsSync(join(outside, 'dev-001', 'r1.txt'))).toBe(true);
    expect(existsSync(join(t.root, '.worktrees'))).toBe(false);
    expect(t.run(file).steps[0]).toMatchObject({ node: 'build', action: 'complete' });
    const status = t.ok(['worker', 'status']);
    expect(status).toMatchObject({ worktree_dir: outside, worktrees_inside_repository: false });
    expect(t.at(['worker', 'status']).stdout).toContain(`worktrees: ${outside}`);
    await t.cleanup();
    team = undefined;
    rmSync(outside, { recursive: true, force: true });
  }, 90_000);
});
