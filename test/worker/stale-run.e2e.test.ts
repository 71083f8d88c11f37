/**
 * `workflow run` over tmux when an interrupted open left the worker's own tagged session behind with no
 * pane recorded (issue #8/#11's Ctrl-C after "created worker"): the run closes it and opens the worker
 * afresh instead of failing on "tmux session … already exists". Built CLI, real git, real tmux on a
 * private server, the scripted stand-in agent.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tmuxSessionName } from '../../src/session/tmux-args.js';
import { hasTmux, makeTeam, workerYaml, type Team, SOLO_PLAYBOOK, SOLO_TEMPLATE } from '../controller/support.js';

let team: Team | undefined;
afterEach(async () => {
  await team?.cleanup();
  team = undefined;
});


describe.skipIf(!hasTmux)('workflow run and a stale worker session', () => {
  it('closes the worker own session left with only a shell and no recorded pane, then opens the worker afresh', async () => {
    team = await makeTeam({ backend: 'tmux', workflows: { solo: SOLO_TEMPLATE }, playbook: SOLO_PLAYBOOK });
    const t = team;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', t.socket, ...args], { encoding: 'utf8' }).trim();
    const first = t.init('solo', 'r1', '--param', 'task=farewell');
    expect(t.run(first).stopped).toBe('waiting');
    await t.waitForReply(first, 'build');
    expect(t.at(['workflow', 'state', 'cancel', first, '--reason', 'cancelled by the person', '--json']).code).toBe(0);
    expect(t.at(['worker', 'close', 'dev-001', '--json']).code).toBe(0);

    // What an open interrupted right after tmux made the session leaves: tagged as dev-001's, nothing recorded.
    const root = realpathSync(t.root);
    const stale = tmux('new-session', '-d', '-s', tmuxSessionName(root, 'dev-001'), '-c', root, '-P', '-F', '#{pane_id}');
    tmux('set-option', '-p', '-t', stale, '@agent_team_root', root);
    tmux('set-option', '-p', '-t', stale, '@agent_team_worker', 'dev-001');
    expect(workerYaml(t, 'dev-001')).toMatch(/pane_id: ""/);

    const second = t.init('solo', 'r2', '--param', 'task=hello');
    const report = t.run(second);
    expect(report.stopped).toBe('waiting');
    expect(t.show(second).node_states.build.worker).toBe('dev-001');
    expect(tmux('list-panes', '-a', '-F', '#{pane_id}').split('\n')).not.toContain(stale);
    await t.waitForReply(second, 'build');
  }, 120_000);
});
