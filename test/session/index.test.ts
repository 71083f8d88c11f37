/** Backend choice (env table), pane-id routing, controller pane, and waitFor. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  controllerPaneId,
  detectBackend,
  getBackend,
  paneBackendName,
  waitFor,
  WaitTimeoutError,
} from '../../src/session/index.js';
import { tempDir } from '../helpers/repo.js';

const tmp = tempDir('agent-team-detect-');
const withTmux = join(tmp.dir, 'with-tmux');
const without = join(tmp.dir, 'without');
mkdirSync(withTmux);
mkdirSync(without);
writeFileSync(join(withTmux, 'tmux'), '#!/bin/sh\n');
chmodSync(join(withTmux, 'tmux'), 0o755);
writeFileSync(join(without, 'tmux'), 'not executable');
afterAll(() => tmp.cleanup());

describe('detectBackend', () => {
  const table: Array<[string, NodeJS.ProcessEnv, string]> = [
    ['forced tmux', { AGENT_TEAM_BACKEND: 'tmux', PATH: without }, 'tmux'],
    ['forced wezterm beats TMUX', { AGENT_TEAM_BACKEND: 'wezterm', TMUX: '/tmp/t,1,0', PATH: withTmux }, 'wezterm'],
    ['forced process beats everything', { AGENT_TEAM_BACKEND: 'process', TMUX: '/tmp/t,1,0', WEZTERM_PANE: '3', PATH: withTmux }, 'process'],
    ['empty AGENT_TEAM_BACKEND is unset', { AGENT_TEAM_BACKEND: '', PATH: without }, 'process'],
    ['inside tmux', { TMUX: '/tmp/t,1,0', TMUX_PANE: '%1', PATH: without }, 'tmux'],
    ['inside tmux inside wezterm', { TMUX: '/tmp/t,1,0', WEZTERM_PANE: '3', PATH: without }, 'tmux'],
    ['inside wezterm', { WEZTERM_PANE: '3', PATH: withTmux }, 'wezterm'],
    ['tmux on PATH', { PATH: `${without}:${withTmux}` }, 'tmux'],
    ['non-executable tmux file', { PATH: without }, 'process'],
    ['no PATH at all', {}, 'process'],
  ];
  it.each(table)('%s', (_name, env, expected) => {
    expect(detectBackend(env)).toBe(expected);
  });

  it('refuses an unknown AGENT_TEAM_BACKEND with exit code 2 and the choices', () => {
    const error = (() => {
      try {
        detectBackend({ AGENT_TEAM_BACKEND: 'screen' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ exitCode: 2, code: 'unknown_backend' });
    expect((error as Error).message).toContain('tmux, wezterm, process');
    expect(() => getBackend(undefined, { AGENT_TEAM_BACKEND: 'Tmux' })).toThrow(UsageError);
  });
});

describe('getBackend, pane ids and the controller pane', () => {
  it('getBackend returns the named or detected backend', () => {
    expect(getBackend('tmux', {}).name).toBe('tmux');
    expect(getBackend('wezterm', {}).name).toBe('wezterm');
    expect(getBackend('process', {}).name).toBe('process');
    expect(getBackend(undefined, { PATH: without }).name).toBe('process');
  });

  it('a pane id names its backend', () => {
    expect(paneBackendName('%12')).toBe('tmux');
    expect(paneBackendName('7')).toBe('wezterm');
    expect(paneBackendName('proc:123:/repo/.agents/workers/dev-001')).toBe('process');
    expect(paneBackendName('proc:123:relative')).toBeUndefined();
    expect(paneBackendName('')).toBeUndefined();
  });

  it('controllerPaneId reads TMUX_PANE, WEZTERM_PANE, then AGENT_TEAM_PANE', () => {
    expect(controllerPaneId({ TMUX_PANE: '%4', WEZTERM_PANE: '2' })).toBe('%4');
    expect(controllerPaneId({ WEZTERM_PANE: '2', AGENT_TEAM_PANE: 'proc:1:/x' })).toBe('2');
    expect(controllerPaneId({ AGENT_TEAM_PANE: 'proc:1:/x' })).toBe('proc:1:/x');
    expect(controllerPaneId({ TMUX_PANE: '%4', WEZTERM_PANE: '2' }, 'wezterm')).toBe('2');
    expect(controllerPaneId({ TMUX_PANE: '%4' }, 'process')).toBeUndefined();
    expect(controllerPaneId({ TMUX_PANE: '' })).toBeUndefined();
    expect(controllerPaneId({})).toBeUndefined();
  });
});

describe('waitFor', () => {
  it('resolves with the first truthy value, checking again after each interval', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), { timeoutMs: 1000, intervalMs: 1 });
    expect(value).toBe('after 3');
    expect(await waitFor(async () => 0 as number | false)).toBe(0);
  });

  it('throws WaitTimeoutError after the bound, naming what it waited for', async () => {
    const started = Date.now();
    const error = await waitFor(() => false, { timeoutMs: 50, intervalMs: 10, description: 'pane %1 to show a prompt' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe('timed out after 50 ms waiting for pane %1 to show a prompt');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('passes errors from the condition through at once', async () => {
    await expect(waitFor(() => { throw new Error('boom'); }, { timeoutMs: 1000 })).rejects.toThrow('boom');
  });
});
