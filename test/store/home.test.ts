/**
 * One rule for the user's agent-team home: `$AGENT_TEAM_HOME` (resolved to an absolute path), else
 * `~/.agents` — the folder the Go version already reads global roles from. Global roles (`<home>/roles`)
 * and trust records (`<home>/trust.yaml`) both live there, so one variable moves both.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentTeamHome } from '../../src/store/paths.js';
import { trustFile } from '../../src/trust/store.js';
import type { SessionBackend } from '../../src/session/backend.js';
import { globalRolesDir } from '../../src/worker/roles.js';
import { paneEnv } from '../../src/worker/session.js';

describe('the agent-team home', () => {
  it.each([
    ['unset', {}, join(homedir(), '.agents')],
    ['empty', { AGENT_TEAM_HOME: '' }, join(homedir(), '.agents')],
    ['absolute', { AGENT_TEAM_HOME: '/tmp/agent-team-home-x' }, '/tmp/agent-team-home-x'],
    ['relative', { AGENT_TEAM_HOME: 'some/home' }, resolve('some/home')],
  ])('%s AGENT_TEAM_HOME: global roles and trust records share one home', (_name, env, home) => {
    expect(agentTeamHome(env)).toBe(home);
    expect(globalRolesDir(env)).toBe(join(home, 'roles'));
    expect(trustFile(env)).toBe(join(home, 'trust.yaml'));
    expect(dirname(trustFile(env))).toBe(dirname(globalRolesDir(env)));
  });

  it('a worker pane gets the same home, absolute (its shell starts in another folder)', () => {
    const backend = { name: 'process' } as SessionBackend;
    expect(paneEnv('dev-001', backend, { AGENT_TEAM_HOME: 'some/home' }).AGENT_TEAM_HOME).toBe(resolve('some/home'));
    expect(paneEnv('dev-001', backend, { AGENT_TEAM_HOME: '/abs/home' }).AGENT_TEAM_HOME).toBe('/abs/home');
    expect(paneEnv('dev-001', backend, {})).not.toHaveProperty('AGENT_TEAM_HOME');
  });
});
