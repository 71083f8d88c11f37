/**
 * `execution_mode: manual`: `workflow run` only prints the next step — at every point of a run (before
 * a worker exists, while waiting, with a reply pending, at a check, at a merge) the run-state stays byte
 * for byte the same, no worker is created and nothing is merged — while a controller following
 * `workflow state next` still gets the run to completion with the commands it prints, including running
 * a node's `command:` itself (there is no `workflow run` to do it in manual mode).
 * Headless process backend.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seenPaths } from './skill-table.js';

// the paths seen are this file's own (test files may share one process: isolate is off for e2e)
beforeAll(() => seenPaths.clear());
import { controllerTree, followNext, makeTeam, type Team } from './support.js';

const MANUAL = `version: 1
name: manual
roles:
    dev: { role: dev }
defaults:
    execution_mode: manual
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: Write the greeting file
      next: check
    - id: check
      type: verify_or_test
      actor: dev
      command: grep -q hello greeting.txt
      branches:
          - { when: passed, next: merge_dev }
          - { when: failed, next: fix }
    - id: fix
      type: assign_role_task
      actor: dev
      task: Fix the greeting file
      next: check
    - id: merge_dev
      type: merge
      actor: dev
      end: true
`;

describe('execution_mode: manual', () => {
  let team: Team;
  beforeAll(async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: { manual: MANUAL },
      playbook: [
        { match: 'Write the greeting file', files: { 'greeting.txt': 'hi\n' }, commit: 'Add greeting', reply: 'Task completed: greeting written' },
        { match: 'Fix the greeting file', files: { 'greeting.txt': 'hello\n' }, commit: 'Say hello', reply: 'Task completed: fixed' },
      ],
    });
  });
  afterAll(async () => {
    await team?.cleanup();
  });

  it('workflow run only prints: nothing created, assigned, run or merged, the run-state unchanged byte for byte', () => {
    const file = team.init('manual', 'm0');
    const before = team.bytes(file);
    const report = team.run(file, true);
    expect(report).toMatchObject({ ok: true, stopped: 'manual', steps: [], run_status: 'ready' });
    expect(report.why).toMatch(/manual/);
    expect(team.bytes(file)).toBe(before);
    expect(report.next).toEqual(team.next(file));
    expect(report.next).toMatchObject({ kind: 'act', node: { id: 'build' } });
    expect(report.next.commands[0]).toBe('agent-team worker create dev --yes');
    expect(team.workers()).toEqual([]);
    expect(existsSync(join(team.root, '.worktrees'))).toBe(false);
  });

  it('a controller following next completes the run; workflow run changes nothing at any step', async () => {
    const file = team.init('manual', 'm1');
    const head = controllerTree(team).head;
    let runs = 0;
    const checks: string[] = [];
    const trace = await followNext(team, file, {
      beforeStep() {
        // while a worker may still reply, its reply-main writes the run-state too: compare only when it cannot
        const now = team.show(file);
        const ns = now.node_states[now.current_node];
        if (['build', 'fix'].includes(now.current_node) && ['running', 'waiting'].includes(ns?.status) && !ns.reply) return;
        const before = team.bytes(file);
        const tree = controllerTree(team);
        const workers = team.workers();
        const report = team.run(file, true);
        expect(report.stopped).toBe(now.status === 'completed' ? 'completed' : 'manual');
        expect(report.steps).toEqual([]);
        expect(team.bytes(file), `workflow run in manual mode changed the run-state (step ${runs})`).toBe(before);
        expect(controllerTree(team)).toEqual(tree);
        expect(team.workers()).toEqual(workers);
        runs++;
      },
      choose(step) {
        // the check is the controller's to run in manual mode: run it where the node says, read the exit code
        expect(step.node.id).toBe('check');
        expect(step.check_command).toBe('grep -q hello greeting.txt');
        expect(step.message).toContain('.worktrees/dev-001');
        expect(step.commands.join('\n')).not.toMatch(/workflow run/);
        let passed = true;
        try {
          execFileSync('/bin/sh', ['-c', step.check_command], { cwd: join(team.root, '.worktrees/dev-001'), stdio: 'ignore' });
        } catch {
          passed = false;
        }
        checks.push(passed ? 'passed' : 'failed');
        return { outcome: passed ? 'passed' : 'failed', summary: `\`${step.check_command}\` ${passed ? 'exited 0' : 'failed'}` };
      },
    });
    expect(trace.filter((t) => !t.endsWith(':wait'))).toEqual([
      'build:act',
      'build:act',
      'check:decide',
      'fix:act',
      'fix:act',
      'check:decide',
      'merge_dev:confirm',
      '-:completed',
    ]);
    expect(checks).toEqual(['failed', 'passed']);
    expect(runs).toBeGreaterThanOrEqual(trace.length - 4);
    const state = team.show(file);
    expect(state.status).toBe('completed');
    expect(state.node_states.check).toMatchObject({ outcome: 'passed', visits: 2 });
    expect(readFileSync(join(team.root, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(controllerTree(team)).toMatchObject({ status: '', merging: false });
    expect(controllerTree(team).head).not.toBe(head);
    expect(seenPaths.has('workflow run')).toBe(false);
  });
});
