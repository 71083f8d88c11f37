/**
 * awaitAgentStart (src/worker/preflight.ts) against a scripted pane: what holds the terminal, poll by
 * poll. The launch line `agent … "$(cat task.txt)"` runs `cat` first; between `cat` ending and the agent's
 * exec the shell (or its fork, still named like the shell) holds the terminal for a moment. Seen in the
 * bench under load: `worker assign` failed with "exited right after it started" while the agent started
 * fine. A shell that stays in front (the agent really quit) is still an exit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PaneForeground, PaneInfo, SessionBackend } from '../../src/session/backend.js';
import { awaitAgentStart } from '../../src/worker/preflight.js';
import { cli } from '../helpers/cli.js';
import { makeProject, type Project } from './support.js';

/** A pane whose foreground follows `script` (one entry per `foreground` call, the last one repeats). */
function scriptedPane(script: PaneForeground[]): SessionBackend & { calls: number; killed: boolean } {
  const pane = {
    name: 'tmux' as const,
    calls: 0,
    killed: false,
    async foreground(): Promise<PaneForeground> {
      const f = script[Math.min(pane.calls, script.length - 1)] as PaneForeground;
      pane.calls++;
      return f;
    },
    async capture(): Promise<string[]> {
      return ['$ agent'];
    },
    async kill(): Promise<void> {
      pane.killed = true;
    },
    async spawn(): Promise<PaneInfo> {
      throw new Error('not used');
    },
    async sendText(): Promise<void> {},
    async isAlive(): Promise<boolean> {
      return true;
    },
    async aliveMany(): Promise<Map<string, boolean>> {
      return new Map();
    },
    async owns(): Promise<boolean> {
      return true;
    },
    async notify(): Promise<boolean> {
      return false;
    },
    async attachCommand(): Promise<string | undefined> {
      return undefined;
    },
    async setTitle(): Promise<void> {},
  };
  return pane;
}

const cat: PaneForeground = { kind: 'program', command: 'cat' };
const shell: PaneForeground = { kind: 'shell', command: 'bash' };
const agent: PaneForeground = { kind: 'program', command: 'node' };

let project: Project;
afterEach(() => project?.cleanup());

function worker(): { root: string; owner: { root: string; workerId: string } } {
  project = makeProject();
  expect(cli(['worker', 'create', 'dev', '--provider', 'scripted'], { cwd: project.root, env: { AGENT_TEAM_HOME: project.home } }).code).toBe(0);
  return { root: project.root, owner: { root: project.root, workerId: 'dev-001' } };
}

describe('awaitAgentStart', () => {
  it('takes the shell in front for a moment between `cat` of the task and the agent for what it is, not an exit', async () => {
    const { root, owner } = worker();
    const pane = scriptedPane([cat, shell, shell, agent]);
    const ready = async () => pane.calls >= 6; // the agent reports once it runs
    await expect(awaitAgentStart(root, pane, '%1', owner, { provider: 'claude', command: 'claude "$(cat task.txt)"' }, { settleMs: 60_000, ready })).resolves.toBe('node');
    expect(pane.killed).toBe(false);
  });

  it('still calls a shell that stays in front an exit: pane closed, agent_exited', async () => {
    const { root, owner } = worker();
    const pane = scriptedPane([agent, shell]);
    await expect(awaitAgentStart(root, pane, '%1', owner, { provider: 'claude', command: 'claude' }, { settleMs: 60_000 })).rejects.toMatchObject({ code: 'agent_exited', exitCode: 1 });
    expect(pane.killed).toBe(true);
  });
});
