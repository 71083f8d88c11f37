/**
 * The controller's answer to a worker's question is kept on the change (finding 5 of the session-4 user
 * play): `reply <id>` records it in the change's change.yaml (`answers:`, time and text, next to the
 * question), and the change given again to a restarted worker carries it, so the worker is not asked the
 * same thing twice. `reply` to a closed worker records the answer all the same and prints a `try:` line
 * that, pasted as printed, reopens the worker with the task and the answer. Built CLI, real git, the
 * scripted stand-in agent (headless process backend); the stand-in asks unless its prompt holds the answer.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pasteInBash } from '../helpers/paste.js';
import { makeTeam, occurrences, oneTaskTemplate, type Team } from './support.js';

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});

const ASK = oneTaskTemplate('ask', 'Paint the door');

const PLAYBOOK = [
  // asks, unless the prompt holds the answer
  { match: 'Paint the door', skip_if: 'chartreuse', reply: 'Need decision: which colour?', status: 'needs-input' as const },
  { match: 'Paint the door', files: { 'door.txt': 'chartreuse\n' }, commit: 'Paint the door', reply: 'Task completed: painted chartreuse' },
];

/** Runs until dev-001 asked its question; returns the run-state path. */
async function asked(): Promise<string> {
  team = await makeTeam({ backend: 'process', workflows: { ask: ASK }, playbook: PLAYBOOK });
  const file = team.init('ask', 'k1');
  team.run(file);
  await team.waitForReply(file, 'build');
  expect(team.next(file)).toMatchObject({ kind: 'decide', message: 'dev-001 needs input: Need decision: which colour?' });
  return file;
}

/** The change.yaml of the worker's only change. */
function changeYaml(worker = 'dev-001'): Record<string, any> {
  const dir = join(team!.root, `.worktrees/${worker}/.tasks/changes`);
  const [name] = readdirSync(dir);
  return parse(readFileSync(join(dir, name as string, 'change.yaml'), 'utf8'));
}

/** How many times the worker asked its question on the run. */
function questions(file: string): number {
  return team!.show(file).decision_log.filter((e: { action: string; summary?: string }) => e.action === 'reply' && e.summary?.includes('which colour')).length;
}

describe('answers kept on the change', () => {
  it('records the answer in change.yaml and gives it with the change to the reopened worker, which does not ask again', async () => {
    const file = await asked();
    expect(team!.ok(['reply', 'dev-001', 'chartreuse'])).toMatchObject({ ok: true });
    await team!.waitForAgent('controller said: chartreuse');
    expect(changeYaml().answers).toEqual([{ at: expect.any(String), question: 'Need decision: which colour?', text: 'chartreuse' }]);
    // the agent stops before it acted on the answer: run --wait reopens it and gives it the change again
    team!.ok(['worker', 'close', 'dev-001']);
    const report = team!.ok(['workflow', 'run', file, '--wait', '--timeout', '60s']);
    expect(report.steps.map((s: { action: string }) => s.action)).toContain('reopen');
    expect(report.next, report.why).toMatchObject({ kind: 'decide', node: { id: 'done' } });
    expect(team!.show(file).node_states.build.reply.message).toBe('Task completed: painted chartreuse');
    expect(questions(file)).toBe(1);
    expect(occurrences(readFileSync(team!.agentLog, 'utf8'), 'assigned: Paint the door')).toBe(2);
  }, 120_000);

  it('reply to a closed worker keeps the answer and prints a try: line that reopens it with the task and the answer', async () => {
    const file = await asked();
    team!.ok(['worker', 'close', 'dev-001']);
    const refused = team!.at(['reply', 'dev-001', 'chartreuse', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json.error.code).toBe('not_running');
    expect(refused.json.error.message).toContain('the answer was recorded');
    expect(refused.json.error.try).toBe(`agent-team workflow run ${file} --wait`);
    expect(changeYaml().answers).toEqual([{ at: expect.any(String), question: 'Need decision: which colour?', text: 'chartreuse' }]);

    const pasted = pasteInBash(refused.json.error.try, team!.root, team!.env);
    expect(pasted.code, pasted.stderr).toBe(0);
    const state = team!.show(file);
    expect(state.node_states.build.reply.message).toBe('Task completed: painted chartreuse');
    expect(state.current_node).toBe('done');
    expect(changeYaml().status).toBe('done');
    expect(questions(file)).toBe(1);
  }, 120_000);

  it('a node reassigned to another worker gives it the answers given on the old change', async () => {
    const file = await asked();
    team!.ok(['reply', 'dev-001', 'chartreuse']);
    await team!.waitForAgent('controller said: chartreuse');
    team!.ok(['workflow', 'state', 'reassign', file, '--node', 'build', '--reason', 'dev-001 is too slow']);
    const report = team!.ok(['workflow', 'run', file, '--wait', '--timeout', '60s']);
    expect(report.next, report.why).toMatchObject({ kind: 'decide', node: { id: 'done' } });
    expect(team!.show(file).node_states.build).toMatchObject({ worker: 'dev-002', reply: { message: 'Task completed: painted chartreuse' } });
    expect(changeYaml('dev-002').answers).toEqual([{ at: expect.any(String), question: 'Need decision: which colour?', text: 'chartreuse' }]);
    expect(questions(file)).toBe(1);
  }, 120_000);

  it('outside a run, reply to a closed worker prints a try: line that gives it its open change again, with the answer', async () => {
    team = await makeTeam({ backend: 'process', workflows: { ask: ASK }, playbook: PLAYBOOK });
    team.ok(['worker', 'create', 'dev', '--yes']);
    team.ok(['worker', 'assign', 'dev-001', 'Paint the door']);
    await team.waitForAgent('replied: Need decision: which colour?');
    team.ok(['worker', 'close', 'dev-001']);
    const refused = team.at(['reply', 'dev-001', 'chartreuse', '--json']);
    expect(refused.code).toBe(1);
    const change = changeYaml().name as string;
    expect(refused.json.error.try).toBe(`agent-team worker assign dev-001 'Paint the door' --change .tasks/changes/${change}/`);
    const pasted = pasteInBash(refused.json.error.try, team.root, team.env);
    expect(pasted.code, pasted.stderr).toBe(0);
    await team.waitForAgent('replied: Task completed: painted chartreuse');
    expect(changeYaml()).toMatchObject({ status: 'done', answers: [{ question: 'Need decision: which colour?', text: 'chartreuse' }] });
  }, 120_000);
});
