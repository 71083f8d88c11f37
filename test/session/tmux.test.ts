/** The tmux backend against a real tmux server on a private socket (killed in afterAll). */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationError, UsageError } from '../../src/errors.js';
import { tmuxArg, tmuxSessionName } from '../../src/session/tmux-args.js';
import { TmuxBackend } from '../../src/session/tmux.js';
import { waitFor } from '../../src/session/wait.js';
import { tempDir } from '../helpers/repo.js';
import { shellQuote } from '../../src/shell-quote.js';

const socket = `agent-team-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const env: NodeJS.ProcessEnv = { ...process.env, AGENT_TEAM_TMUX_SOCKET: socket };
delete env.TMUX;
delete env.TMUX_PANE;
const tmp = tempDir('agent-team-tmux-');
const backend = new TmuxBackend({ env });
let workerSeq = 0;

/** tmux on the private socket only. */
function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();
}

async function spawnWorker(extra: { env?: Record<string, string> } = {}) {
  const workerId = `dev-${String(++workerSeq).padStart(3, '0')}`;
  const pane = await backend.spawn({ workerId, cwd: tmp.dir, stateDir: tmp.dir, ...extra });
  return { workerId, ...pane };
}

/** A text that a shell would expand, split or run if it ever went through one. */
const TRICKY = [
  `first "double" and 'single' quotes`,
  'home $HOME and `touch backtick-ran` and $(touch dollar-ran)',
  'semi; touch semicolon-ran; echo done',
  '  indented \\ backslash * glob ~ tilde',
].join('\n');

beforeAll(() => {
  expect(socket).not.toBe('default');
});

afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  // tmux leaves the socket file of a server that exited on its own.
  rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  tmp.cleanup();
});

describe('tmux names and arguments', () => {
  it('session names carry the project: repo name, 4 hex of the root hash, worker id; only safe characters', () => {
    expect(tmuxSessionName('/home/me/shop', 'dev-001')).toMatch(/^shop-[0-9a-f]{4}-dev-001$/);
    expect(tmuxSessionName('/home/me/shop', 'dev-001')).not.toBe(tmuxSessionName('/home/you/shop', 'dev-001'));
    expect(tmuxSessionName('/srv/my.app: "v2"', 'qa-002')).toMatch(/^my_app___v2_-[0-9a-f]{4}-qa-002$/);
    expect(tmuxSessionName(undefined, 'dev-001')).toBe('dev-001');
  });

  it('an argument ending in ; is escaped (tmux would end the command there)', () => {
    expect(tmuxArg('/tmp/x;')).toBe('/tmp/x\\;');
    expect(tmuxArg('/tmp/x\\;')).toBe('/tmp/x\\\\;');
    expect(tmuxArg('/tmp/a;b')).toBe('/tmp/a;b');
  });
});

describe('tmux backend', () => {
  // how fast is measured by `npm run bench` (worker open), never asserted here: the machine may be shared
  it('spawns a named session in cwd with env, ready', async () => {
    const pane = await spawnWorker({ env: { AGENT_TEAM_TEST_VAR: 'a b $c' } });
    expect(pane.paneId).toMatch(/^%\d+$/);
    expect(pane.ready).toBe(true);
    expect(spawnSync('tmux', ['-L', socket, 'has-session', '-t', `=${pane.workerId}`]).status).toBe(0);
    expect(tmux('display-message', '-p', '-t', pane.paneId, '#{session_name} #{pane_current_path}')).toBe(`${pane.workerId} ${tmp.dir}`);
    const out = join(tmp.dir, 'env-out');
    await backend.sendText(pane.paneId, `printf %s "$AGENT_TEAM_TEST_VAR" > ${out}`);
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8') === 'a b $c', { timeoutMs: 5000, description: 'env-out' });
    await backend.kill(pane.paneId);
  });

  it('refuses a second session for the same worker and a worker id tmux cannot name', async () => {
    const pane = await spawnWorker();
    await expect(backend.spawn({ workerId: pane.workerId, cwd: tmp.dir, stateDir: tmp.dir })).rejects.toMatchObject({ code: 'pane_exists' });
    await expect(backend.spawn({ workerId: 'a.b', cwd: tmp.dir, stateDir: tmp.dir })).rejects.toBeInstanceOf(UsageError);
    await expect(backend.spawn({ workerId: 'dev-999', cwd: join(tmp.dir, 'missing'), stateDir: tmp.dir })).rejects.toMatchObject({ code: 'cwd_missing' });
    await backend.kill(pane.paneId);
  });

  it('lists the panes tagged as an owner (recorded or not), never another project\'s or an untagged one', async () => {
    const root = join(tmp.dir, 'proj a');
    const other = join(tmp.dir, 'proj b');
    const mine = await backend.spawn({ workerId: 'dev-501', root, cwd: tmp.dir, stateDir: tmp.dir });
    const theirs = await backend.spawn({ workerId: 'dev-501', root: other, cwd: tmp.dir, stateDir: tmp.dir });
    tmux('new-session', '-d', '-s', 'untagged-dev-501');
    expect(await backend.ownedPanes({ root, workerId: 'dev-501' })).toEqual([mine.paneId]);
    expect(await backend.ownedPanes({ root: other, workerId: 'dev-501' })).toEqual([theirs.paneId]);
    expect(await backend.ownedPanes({ root, workerId: 'dev-502' })).toEqual([]);
    await backend.kill(mine.paneId);
    await backend.kill(theirs.paneId);
    tmux('kill-session', '-t', '=untagged-dev-501');
  });

  it('a same-named session not made for the worker: refused, left alone, the hint names the exact kill-session', async () => {
    const root = join(tmp.dir, 'proj c');
    const name = tmuxSessionName(root, 'dev-503');
    tmux('new-session', '-d', '-s', name);
    const error = await backend.spawn({ workerId: 'dev-503', root, cwd: tmp.dir, stateDir: tmp.dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'pane_exists' });
    expect((error as OperationError).hint).toContain(`tmux -L ${shellQuote(socket)} kill-session -t =${name}`);
    expect(spawnSync('tmux', ['-L', socket, 'has-session', '-t', `=${name}`]).status).toBe(0);
    tmux('kill-session', '-t', `=${name}`);
  });

  it('delivers multi-line text with quotes, $HOME, backticks and ; literally to a line-mode program', async () => {
    const pane = await spawnWorker();
    const out = join(tmp.dir, 'cat-out');
    await backend.sendText(pane.paneId, `cat > ${out}`);
    await waitFor(() => backend.isAlive(pane.paneId), { timeoutMs: 5000, description: 'cat to run' });
    // Someone scrolled the pane: the text must still arrive, and Enter must not be eaten by copy mode.
    tmux('copy-mode', '-t', pane.paneId);
    expect(tmux('display-message', '-p', '-t', pane.paneId, '#{pane_in_mode}')).toBe('1');
    await backend.sendText(pane.paneId, TRICKY);
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8') === `${TRICKY}\n`, { timeoutMs: 5000, description: 'cat-out' }).catch(() => undefined);
    expect(readFileSync(out, 'utf8')).toBe(`${TRICKY}\n`);
    for (const marker of ['backtick-ran', 'dollar-ran', 'semicolon-ran']) expect(existsSync(join(tmp.dir, marker))).toBe(false);
    await backend.kill(pane.paneId);
  });

  it('delivers multi-line text as one bracketed paste (LF kept) then Enter to a raw-mode program', async () => {
    const pane = await spawnWorker();
    const out = join(tmp.dir, 'raw-out');
    const readyFile = join(tmp.dir, 'raw-ready');
    const script = join(tmp.dir, 'raw.cjs');
    writeFileSync(
      script,
      `const fs = require('fs');
process.stdin.setRawMode(true);
process.stdout.write('\\x1b[?2004h');
fs.writeFileSync(${JSON.stringify(out)}, '');
process.stdin.on('data', (d) => fs.appendFileSync(${JSON.stringify(out)}, d));
fs.writeFileSync(${JSON.stringify(readyFile)}, 'ok');
setInterval(() => {}, 1000);
`,
    );
    await backend.sendText(pane.paneId, `'${process.execPath}' '${script}'`);
    await waitFor(() => existsSync(readyFile), { timeoutMs: 10_000, description: 'raw-mode script' });
    await backend.sendText(pane.paneId, TRICKY);
    const expected = `\x1b[200~${TRICKY}\x1b[201~\r`;
    await waitFor(() => readFileSync(out, 'utf8') === expected, { timeoutMs: 5000, description: 'raw-out' }).catch(() => undefined);
    expect(readFileSync(out, 'utf8')).toBe(expected);
    await backend.kill(pane.paneId);
  });

  it('a pane is a worker\'s only when its @agent_team_root and @agent_team_worker tags match (owns, owner-aware aliveMany)', async () => {
    const owner = { root: tmp.dir, workerId: 'own-001' };
    const pane = await backend.spawn({ workerId: owner.workerId, root: owner.root, cwd: tmp.dir, stateDir: tmp.dir });
    expect(tmux('display-message', '-p', '-t', pane.paneId, '#{session_name}')).toBe(tmuxSessionName(tmp.dir, 'own-001'));
    await backend.sendText(pane.paneId, `node -e "setInterval(()=>{},1000)"`);
    await waitFor(() => backend.isAlive(pane.paneId), { timeoutMs: 10_000, description: 'node to run' });
    expect(await backend.owns(pane.paneId, owner)).toBe(true);
    expect(await backend.owns(pane.paneId, { ...owner, workerId: 'qa-001' })).toBe(false);
    expect(await backend.owns(pane.paneId, { ...owner, root: `${tmp.dir}-other` })).toBe(false);
    expect(await backend.isAlive(pane.paneId, owner)).toBe(true);
    expect(await backend.isAlive(pane.paneId, { ...owner, root: '/elsewhere' })).toBe(false);
    const alive = await backend.aliveMany([pane.paneId], new Map([[pane.paneId, { ...owner, workerId: 'qa-001' }]]));
    expect(alive.get(pane.paneId)).toBe(false);
    expect(await backend.foreground(pane.paneId, { ...owner, root: '/elsewhere' })).toEqual({ kind: 'gone' });
    // A pane nobody tagged (made by an earlier version, or by hand) is nobody's.
    const untagged = tmux('new-session', '-d', '-s', 'own-001', '-P', '-F', '#{pane_id}');
    expect(await backend.owns(untagged, { root: tmp.dir, workerId: 'own-001' })).toBe(false);
    await backend.kill(untagged);
    await backend.kill(pane.paneId);
    expect(await backend.owns(pane.paneId, owner)).toBe(false);
  });

  it('foreground: the shell at its prompt, then the program it runs; capture, attachCommand and notify', async () => {
    const pane = await spawnWorker();
    expect(await backend.foreground(pane.paneId)).toMatchObject({ kind: 'shell' });
    await backend.sendText(pane.paneId, `node -e "console.log('line one'); setInterval(()=>{},1000)"`);
    await waitFor(async () => (await backend.foreground(pane.paneId)).kind === 'program', { timeoutMs: 10_000, description: 'node in front' });
    expect(await backend.foreground(pane.paneId)).toEqual({ kind: 'program', command: 'node' });
    await waitFor(async () => (await backend.capture(pane.paneId, 5)).includes('line one'), { timeoutMs: 5000, description: 'the output' });
    expect((await backend.capture(pane.paneId, 1)).length).toBe(1);
    expect(await backend.attachCommand(pane.paneId)).toBe(`tmux -L ${socket} attach -t ${pane.workerId}`);
    // No client is attached to a detached session: nobody can be shown a message.
    expect(await backend.notify(pane.paneId, 'hello')).toBe(false);
    await backend.kill(pane.paneId);
    expect(await backend.foreground(pane.paneId)).toEqual({ kind: 'gone' });
    expect(await backend.capture(pane.paneId, 5)).toEqual([]);
    expect(await backend.attachCommand(pane.paneId)).toBeUndefined();
  });

  it('kill ends the session and is quiet when the pane is already gone', async () => {
    const pane = await spawnWorker();
    await backend.kill(pane.paneId);
    expect(spawnSync('tmux', ['-L', socket, 'has-session', '-t', `=${pane.workerId}`]).status).not.toBe(0);
    await expect(backend.kill(pane.paneId)).resolves.toBeUndefined();
    await expect(backend.kill('not-a-pane')).resolves.toBeUndefined();
  });

  it('setTitle sets the pane title; sendText to a gone or foreign pane is a typed error', async () => {
    const pane = await spawnWorker();
    await backend.setTitle(pane.paneId, 'dev: build the thing');
    expect(tmux('display-message', '-p', '-t', pane.paneId, '#{pane_title}')).toBe('dev: build the thing');
    await backend.kill(pane.paneId);
    const error = await backend.sendText(pane.paneId, 'hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error).toMatchObject({ code: 'pane_gone' });
    await expect(backend.sendText('proc:1:/x', 'hello')).rejects.toBeInstanceOf(UsageError);
  });

  it('newWindow opens a window named after the worker in the current session', async () => {
    const controller = await spawnWorker();
    const socketPath = tmux('display-message', '-p', '-t', controller.paneId, '#{socket_path}');
    const inside = new TmuxBackend({ env: { ...env, TMUX: `${socketPath},1,0`, TMUX_PANE: controller.paneId } });
    const pane = await inside.spawn({ workerId: 'win-001', cwd: tmp.dir, stateDir: tmp.dir, newWindow: true });
    expect(tmux('display-message', '-p', '-t', pane.paneId, '#{session_name} #{window_name}')).toBe(`${controller.workerId} win-001`);
    expect(tmux('list-windows', '-t', `=${controller.workerId}`).split('\n')).toHaveLength(2);
    await inside.kill(pane.paneId);
    await backend.kill(controller.paneId);
  });

  it('spawn with a command runs it as the pane\'s own program in one tmux call: nothing typed, tags and title on the new pane, a shell kept after it exits', async () => {
    const controller = await spawnWorker();
    // a client with TMUX_PANE set: an untargeted option would land on the controller's pane
    const inside = new TmuxBackend({ env: { ...env, TMUX_PANE: controller.paneId } });
    const owner = { root: tmp.dir, workerId: 'cmd-001' };
    const go = join(tmp.dir, 'cmd-go');
    const out = join(tmp.dir, 'cmd-env');
    const program = `require('fs').writeFileSync(${JSON.stringify(out)}, process.env.AGENT_TEAM_TEST_VAR + ' ' + process.cwd()); setInterval(() => { if (require('fs').existsSync(${JSON.stringify(go)})) process.exit(0); }, 20)`;
    const command = `${shellQuote(process.execPath)} -e ${shellQuote(program)}`;
    const pane = await inside.spawn({ ...owner, cwd: tmp.dir, stateDir: tmp.dir, env: { AGENT_TEAM_TEST_VAR: 'a b $c' }, command });
    expect(pane.commandStarted).toBe(true);
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8') !== '', { timeoutMs: 10_000, description: 'the pane command to run' });
    expect(readFileSync(out, 'utf8')).toBe(`a b $c ${tmp.dir}`);
    expect(await inside.owns(pane.paneId, owner)).toBe(true);
    expect(tmux('display-message', '-p', '-t', controller.paneId, `#{@agent_team_worker}|#{pane_title}`)).not.toContain('cmd-001');
    expect(tmux('display-message', '-p', '-t', pane.paneId, '#{pane_title}')).toBe('cmd-001');
    expect(await inside.isAlive(pane.paneId, owner)).toBe(true);
    expect(await inside.foreground(pane.paneId, owner)).toMatchObject({ kind: 'program' });
    // nothing was typed: the command line never appears on the screen
    expect((await inside.capture(pane.paneId)).join('\n')).not.toContain('setInterval');
    // the program ends: the pane keeps an interactive shell, which is not "alive" and holds the terminal
    writeFileSync(go, '');
    await waitFor(async () => (await inside.foreground(pane.paneId, owner)).kind === 'shell', { timeoutMs: 10_000, description: 'the shell back in front' });
    expect(await inside.isAlive(pane.paneId, owner)).toBe(false);
    const shellOut = join(tmp.dir, 'cmd-shell');
    await inside.sendText(pane.paneId, `printf kept > ${shellOut}`);
    await waitFor(() => existsSync(shellOut), { timeoutMs: 10_000, description: 'the kept shell to run a line' });
    expect(readFileSync(shellOut, 'utf8')).toBe('kept');
    await inside.kill(pane.paneId);
    await backend.kill(controller.paneId);
  });

  it('a server with no sessions ("no current target" in tmux 3.3a) owns nothing and answers without throwing', async () => {
    // With exit-empty off the server outlives its last session: list-panes then fails with "no current
    // target", as it does for a moment after the last session is killed on a default server.
    const empty = `${socket}-empty`;
    const other = new TmuxBackend({ env: { ...env, AGENT_TEAM_TMUX_SOCKET: empty } });
    try {
      execFileSync('tmux', ['-L', empty, 'new-session', '-d', '-s', 'x', ';', 'set-option', '-g', 'exit-empty', 'off']);
      const paneId = execFileSync('tmux', ['-L', empty, 'display-message', '-p', '-t', 'x', '#{pane_id}'], { encoding: 'utf8' }).trim();
      execFileSync('tmux', ['-L', empty, 'kill-session', '-t', 'x']);
      const listed = spawnSync('tmux', ['-L', empty, 'list-panes', '-a'], { encoding: 'utf8' });
      expect(listed.status).not.toBe(0);
      expect(await other.owns(paneId, 'x')).toBe(false);
      expect(await other.isAlive(paneId)).toBe(false);
      expect(await other.aliveMany([paneId, '%99'])).toEqual(new Map([[paneId, false], ['%99', false]]));
      await expect(other.kill(paneId)).resolves.toBeUndefined();
    } finally {
      spawnSync('tmux', ['-L', empty, 'kill-server']);
    }
  });
});
