/**
 * One contract for every session backend that can run here (issue 13 item 4): open, type literally,
 * liveness, the foreground check ("never type into a shell"), ownership by project and worker, capture,
 * attach command, kill. tmux runs on a private socket (killed in afterAll); the process backend on
 * real detached shells; the WezTerm backend against `test/helpers/fake-wezterm.mjs`, a `wezterm cli`
 * stand-in whose panes are real shells on another private tmux server (WezTerm itself cannot run here;
 * its argument building and list parsing are also pinned in wezterm.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PaneOwner, SessionBackend } from '../../src/session/backend.js';
import { ProcessBackend } from '../../src/session/process.js';
import { TmuxBackend } from '../../src/session/tmux.js';
import { WeztermBackend } from '../../src/session/wezterm.js';
import { waitFor } from '../../src/session/wait.js';
import { tempDir } from '../helpers/repo.js';
import { hasTmux } from '../helpers/private-tmux.js';

const socket = `agent-team-contract-${process.pid}-${Date.now()}`;
const tmuxEnv: NodeJS.ProcessEnv = { ...process.env, AGENT_TEAM_TMUX_SOCKET: socket };
delete tmuxEnv.TMUX;
delete tmuxEnv.TMUX_PANE;

const tmp = tempDir('agent-team-contract-');

// `wezterm` on PATH is the fake, its panes on their own private tmux server
const weztermSocket = `${socket}-wezterm`;
const weztermBin = join(tmp.dir, 'bin');
mkdirSync(weztermBin, { recursive: true });
symlinkSync(join(import.meta.dirname, '..', 'helpers', 'fake-wezterm.mjs'), join(weztermBin, 'wezterm'));
const weztermEnv: NodeJS.ProcessEnv = { ...tmuxEnv, PATH: `${weztermBin}${delimiter}${process.env.PATH ?? ''}`, FAKE_WEZTERM_TMUX_SOCKET: weztermSocket, SHELL: '/bin/bash' };

const cases: Array<{ name: string; make: () => SessionBackend; skip: boolean }> = [
  { name: 'tmux', make: () => new TmuxBackend({ env: tmuxEnv }), skip: !hasTmux },
  { name: 'process', make: () => new ProcessBackend({ timeoutMs: 3000 }), skip: false },
  { name: 'wezterm (fake wezterm cli over tmux)', make: () => new WeztermBackend({ env: weztermEnv }), skip: !hasTmux },
];

afterAll(() => {
  for (const s of [socket, weztermSocket]) {
    spawnSync('tmux', ['-L', s, 'kill-server']);
    rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, s), { force: true });
  }
  tmp.cleanup();
});

/**
 * Pause between two looks at a pane, ms: each look runs the backend's client (tmux; for the fake WezTerm a
 * node process and a tmux client), so the default 15 ms made these waits the file's main CPU cost.
 */
const POLL_MS = 100;

/** A text a shell would expand, split or run if it ever went through one. */
const TRICKY = `quotes "d" 'q' $HOME \`touch tick-ran\` $(touch dollar-ran); touch semi-ran`;

describe.each(cases)('session backend contract: $name', ({ name, make, skip }) => {
  const backend = make();
  const root = join(tmp.dir, name.split(' ')[0] as string);
  let seq = 0;
  const open = async () => {
    const owner: PaneOwner = { root, workerId: `dev-${String(++seq).padStart(3, '0')}` };
    const stateDir = join(root, '.agents', 'workers', owner.workerId);
    spawnSync('mkdir', ['-p', stateDir]);
    const pane = await backend.spawn({ workerId: owner.workerId, root, cwd: root, stateDir });
    return { owner, ...pane };
  };

  it.skipIf(skip)('open, type literally, liveness and foreground follow the program, ownership, kill', async () => {
    const pane = await open();
    expect(pane.ready).toBe(true);
    expect(await backend.owns(pane.paneId, pane.owner)).toBe(true);
    expect(await backend.owns(pane.paneId, { ...pane.owner, root: `${root}-other` })).toBe(false);
    expect(await backend.owns(pane.paneId, { ...pane.owner, workerId: 'qa-001' })).toBe(false);
    // An idle shell: not alive, and the foreground check says shell (typing would run commands).
    expect(await backend.isAlive(pane.paneId, pane.owner)).toBe(false);
    expect(await backend.foreground(pane.paneId, pane.owner)).toMatchObject({ kind: 'shell' });

    const out = join(root, `cat-${pane.owner.workerId}`);
    await backend.sendText(pane.paneId, `cat > '${out}'`);
    await waitFor(async () => (await backend.foreground(pane.paneId, pane.owner)).kind === 'program', { timeoutMs: 10_000, intervalMs: POLL_MS, description: 'cat in front' });
    expect(await backend.foreground(pane.paneId, pane.owner)).toEqual({ kind: 'program', command: 'cat' });
    expect(await backend.isAlive(pane.paneId, pane.owner)).toBe(true);
    expect(await backend.isAlive(pane.paneId, { ...pane.owner, root: `${root}-other` })).toBe(false);
    expect(await backend.foreground(pane.paneId, { ...pane.owner, root: `${root}-other` })).toEqual({ kind: 'gone' });
    expect(await backend.aliveMany([pane.paneId, 'nope'], new Map([[pane.paneId, pane.owner]]))).toEqual(new Map([[pane.paneId, true], ['nope', false]]));

    await backend.sendText(pane.paneId, TRICKY);
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8') === `${TRICKY}\n`, { timeoutMs: 5000, description: 'cat output' }).catch(() => undefined);
    expect(readFileSync(out, 'utf8')).toBe(`${TRICKY}\n`);
    for (const marker of ['tick-ran', 'dollar-ran', 'semi-ran']) expect(existsSync(join(root, marker))).toBe(false);
    // a backend that chains liveness and capture in one call (tmux) agrees with asking both
    if (backend.look) {
      expect(await backend.look(pane.paneId, pane.owner, 10)).toEqual({ alive: true, screen: await backend.capture(pane.paneId, 10) });
      expect(await backend.look(pane.paneId, { ...pane.owner, root: `${root}-other` }, 10)).toEqual({ alive: false });
    }
    expect(await backend.attachCommand(pane.paneId)).toMatch(/^(tmux .*attach -t |tail -f |wezterm cli activate-pane --pane-id )/);

    await backend.kill(pane.paneId);
    await waitFor(async () => !(await backend.owns(pane.paneId, pane.owner)), { timeoutMs: 5000, intervalMs: POLL_MS, description: 'the pane to go' });
    expect(await backend.foreground(pane.paneId, pane.owner)).toEqual({ kind: 'gone' });
    expect(await backend.isAlive(pane.paneId, pane.owner)).toBe(false);
    if (backend.look) expect(await backend.look(pane.paneId, pane.owner, 10)).toEqual({ alive: false });
    await expect(backend.kill(pane.paneId)).resolves.toBeUndefined();
    await expect(backend.sendText(pane.paneId, 'x')).rejects.toMatchObject({ code: 'pane_gone' });
  });

  it.skipIf(skip)('liveness of several panes in one query (idle, busy, killed, foreign ids), and again once the program exits', async () => {
    const idle = await open();
    const busy = await open();
    const gone = await open();
    // a program that runs until told to stop (no fixed duration): node, waiting for a file
    const stop = join(root, `stop-${busy.owner.workerId}`);
    await backend.sendText(busy.paneId, `node -e "setInterval(() => { if (require('fs').existsSync('${stop}')) process.exit(0); }, 20)"`);
    await backend.kill(gone.paneId);
    await waitFor(() => backend.isAlive(busy.paneId), { timeoutMs: 10_000, intervalMs: POLL_MS, description: 'node to run' });
    const foreign = ['%99999', 'proc:999999:/nowhere', '7'];
    const alive = await backend.aliveMany([idle.paneId, busy.paneId, gone.paneId, ...foreign]);
    expect([...alive.entries()]).toEqual([[idle.paneId, false], [busy.paneId, true], [gone.paneId, false], ...foreign.map((id) => [id, false])]);

    writeFileSync(stop, '');
    await waitFor(async () => !(await backend.isAlive(busy.paneId)), { timeoutMs: 10_000, intervalMs: POLL_MS, description: 'node to exit' });
    // the pane outlives its program: still the worker's, its shell back in front
    expect(await backend.owns(busy.paneId, busy.owner)).toBe(true);
    expect(await backend.foreground(busy.paneId, busy.owner)).toMatchObject({ kind: 'shell' });
    await backend.kill(idle.paneId);
    await backend.kill(busy.paneId);
  });

  it.skipIf(skip)('refuses a folder that does not exist (cwd_missing), spawning nothing', async () => {
    const stateDir = join(root, '.agents', 'workers', 'dev-900');
    await expect(backend.spawn({ workerId: 'dev-900', root, cwd: join(root, 'missing'), stateDir })).rejects.toMatchObject({ code: 'cwd_missing', exitCode: 1 });
    expect(existsSync(stateDir)).toBe(false);
  });

  it.skipIf(skip)('capture shows the pane\'s last lines', async () => {
    const pane = await open();
    await backend.sendText(pane.paneId, 'echo contract-line-1; echo contract-line-2');
    await waitFor(async () => (await backend.capture(pane.paneId, 10)).includes('contract-line-2'), { timeoutMs: 5000, intervalMs: POLL_MS, description: 'the output' });
    const lines = await backend.capture(pane.paneId, 10);
    expect(lines.indexOf('contract-line-1')).toBeLessThan(lines.indexOf('contract-line-2'));
    expect(await backend.capture(pane.paneId, 1)).toHaveLength(1);
    await backend.kill(pane.paneId);
  });
});
