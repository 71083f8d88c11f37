/**
 * Issue 8, the agy adapter end to end with the stand-in agent speaking like the Antigravity CLI (`--agy`:
 * hooks from the workspace's `.agents/hooks.json`, camelCase payload, `--conversation <id>`), registered
 * `like: agy`; built CLI, real git, real tmux on a private server. The hooks file is the worker's alone
 * (excluded, never committed, the project's tracked files untouched), its events give activity and the
 * conversation id, a typed task is delivered, and a reopened worker resumes its conversation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { hasTmux, privateTmux } from '../helpers/private-tmux.js';
import { git, writeFile } from '../helpers/repo.js';
import { AGENT, makeProject, waitForText, type Project } from '../worker/support.js';

const server = privateTmux('agy-e2e');

describe.skipIf(!hasTmux)('agy: hooks in the worktree .agents/hooks.json, with the stand-in agent as agy (tmux)', () => {
  let project: Project;
  let env: Record<string, string | undefined>;
  const agentLog = () => join(project.home, 'agy.log');
  const events = () => join(project.root, '.agents/workers/dev-001/events.jsonl');
  const run = (...args: string[]) => cli([...args, '--json'], { cwd: project.root, env });
  const status = () => run('worker', 'status').json.workers.find((w: { id: string }) => w.id === 'dev-001');

  beforeAll(() => {
    project = makeProject();
    writeFile(project.root, '.agents/config.yaml', `providers:\n    agyish: { command: "node ${AGENT} --agy --log ${join(project.home, 'agy.log')}", like: agy }\n`);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'stand-in agy');
    expect(cli(['trust'], { cwd: project.root, env: { AGENT_TEAM_HOME: project.home } }).code).toBe(0);
    env = server.controllerEnv(project.home);
  });

  afterAll(() => {
    server.kill();
    project?.cleanup();
  });

  it('open installs the hooks for this worktree only; agy reports its start and conversation id', async () => {
    expect(run('worker', 'create', 'dev', '--provider', 'agyish').code).toBe(0);
    const opened = run('worker', 'open', 'dev-001');
    expect(opened.code, opened.stderr).toBe(0);
    const worktree = join(project.root, '.worktrees/dev-001');
    const hooks = JSON.parse(readFileSync(join(worktree, '.agents/hooks.json'), 'utf8'));
    expect(Object.keys(hooks)).toEqual(['agent-team']);
    expect(hooks['agent-team'].PreInvocation[0].command).toMatch(/\/\.agents\/workers\/dev-001\/hook'? busy$/);
    // the worker's alone: not in the project, not seen by git in the worktree
    expect(existsSync(join(project.root, '.agents/hooks.json'))).toBe(false);
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    await waitForText(events(), '"event":"session-start"');
    expect(status()).toMatchObject({ activity: 'ready' });
    expect(status().session_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a typed task is delivered; the hooks say working, then idle', async () => {
    const r = run('worker', 'assign', 'dev-001', 'Add an agy file');
    expect(r.code, r.stderr).toBe(0);
    // a busy event (PreInvocation) or the text leaving the input box, whichever came first
    expect(['confirmed', 'submitted']).toContain(r.json.delivery);
    await waitForText(agentLog(), 'replied:');
    const lines = await waitForText(events(), '"event":"turn-end"');
    expect(lines).toMatch(/"event":"busy"/);
    expect(status()).toMatchObject({ activity: 'idle' });
    // the agent's commit did not take the hooks file along
    expect(git(join(project.root, '.worktrees/dev-001'), 'show', '--stat', '--format=', 'HEAD')).not.toContain('hooks.json');
  });

  it('reopening resumes the conversation with --conversation', async () => {
    const before = status().session_id;
    expect(run('worker', 'close', 'dev-001').code).toBe(0);
    const reopened = run('worker', 'open', 'dev-001');
    expect(reopened.code, reopened.stderr).toBe(0);
    expect(reopened.json).toMatchObject({ resumed: true, session_id: before });
    expect(reopened.json.launch_command).toContain(`--conversation ${before}`);
    await waitForText(agentLog(), `resumed session ${before}`);
  });
});
