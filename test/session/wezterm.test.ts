/** WezTerm cannot run here: argument building, list parsing, and the backend against a fake `wezterm` on PATH. */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OperationError, UsageError } from '../../src/errors.js';
import { WeztermBackend, parseWeztermList, weztermSendSteps, weztermSpawnArgs } from '../../src/session/wezterm.js';
import { tmuxSessionName } from '../../src/session/tmux-args.js';
import { tempDir } from '../helpers/repo.js';

const tmp = tempDir('agent-team-wezterm-');
afterAll(() => tmp.cleanup());

describe('wezterm argument building', () => {
  it('spawn: cwd, optional new window, the shell after --, env through env(1)', () => {
    expect(weztermSpawnArgs({ workerId: 'dev-001', cwd: '/w t', stateDir: '/s' }, '/bin/zsh')).toEqual(['cli', 'spawn', '--cwd', '/w t', '--', '/bin/zsh']);
    expect(weztermSpawnArgs({ workerId: 'dev-001', cwd: '/w', stateDir: '/s', newWindow: true, env: { A: '1 2', B: '$x' } }, '/bin/bash')).toEqual([
      'cli', 'spawn', '--cwd', '/w', '--new-window', '--', 'env', 'A=1 2', 'B=$x', '/bin/bash',
    ]);
  });

  it('send-text: text on stdin, --no-paste for one line, paste for several, then a --no-paste CR', () => {
    expect(weztermSendSteps('7', '--help; echo $HOME')).toEqual([
      { args: ['cli', 'send-text', '--pane-id', '7', '--no-paste'], input: '--help; echo $HOME' },
      { args: ['cli', 'send-text', '--pane-id', '7', '--no-paste'], input: '\r' },
    ]);
    expect(weztermSendSteps('7', 'a\nb')).toEqual([
      { args: ['cli', 'send-text', '--pane-id', '7'], input: 'a\nb' },
      { args: ['cli', 'send-text', '--pane-id', '7', '--no-paste'], input: '\r' },
    ]);
    expect(weztermSendSteps('7', '')).toEqual([{ args: ['cli', 'send-text', '--pane-id', '7', '--no-paste'], input: '\r' }]);
  });

  it('list: parses the JSON array and rejects anything else', () => {
    const panes = parseWeztermList(JSON.stringify([{ window_id: 0, tab_id: 1, pane_id: 7, cursor_x: 3, tty_name: '/dev/pts/4', is_dead: false }, { nope: 1 }]));
    expect(panes).toEqual([{ window_id: 0, tab_id: 1, pane_id: 7, cursor_x: 3, tty_name: '/dev/pts/4', is_dead: false }]);
    expect(() => parseWeztermList('not json')).toThrow(OperationError);
    expect(() => parseWeztermList('{}')).toThrow(OperationError);
  });
});

describe('wezterm backend with a fake wezterm', () => {
  const bin = join(tmp.dir, 'bin');
  const log = join(tmp.dir, 'calls.log');
  const list = join(tmp.dir, 'list.json');
  // Records each call's argv (one "[arg]" per argument) and stdin; answers spawn and list.
  const script = `#!/bin/sh
printf 'CALL' >> "${log}"; for a in "$@"; do printf ' [%s]' "$a" >> "${log}"; done; printf '\\n' >> "${log}"
case "$2" in
  spawn) echo 7 ;;
  list) sed "s/@TITLE7@/$(cat "${tmp.dir}/title-7" 2>/dev/null)/" "${list}" ;;
  set-tab-title) printf '%s' "$6" > "${tmp.dir}/title-$4" ;;
  send-text) printf 'STDIN[' >> "${log}"; cat >> "${log}"; printf ']\\n' >> "${log}" ;;
  kill-pane) [ "$4" = 7 ] || { echo "pane $4 not found" >&2; exit 1; } ;;
esac
`;
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'wezterm'), script);
  chmodSync(join(bin, 'wezterm'), 0o755);
  const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, SHELL: '/bin/bash' };
  const backend = new WeztermBackend({ env, readyTimeoutMs: 500 });

  it('spawn waits for the prompt, send-text types literally, alive and kill use list', async () => {
    writeFileSync(log, '');
    writeFileSync(list, JSON.stringify([
      { pane_id: 7, cursor_x: 5, cursor_y: 0, tty_name: null, is_dead: false },
      { pane_id: 8, cursor_x: 0, cursor_y: 0, tty_name: null, is_dead: true },
    ]));
    const pane = await backend.spawn({ workerId: 'dev-001', cwd: tmp.dir, stateDir: tmp.dir, env: { X: 'y' } });
    expect(pane).toEqual({ paneId: '7', busy: false, ready: true });
    await backend.sendText('7', 'line "one"\n$HOME `two`');
    expect(await backend.aliveMany(['7', '8', '9', '%1'])).toEqual(new Map([['7', true], ['8', false], ['9', false], ['%1', false]]));
    await backend.setTitle('7', '-dev 001');
    await backend.kill('7');
    await backend.kill('9');
    expect(readFileSync(log, 'utf8')).toBe(
      [
        `CALL [cli] [spawn] [--cwd] [${tmp.dir}] [--] [env] [X=y] [/bin/bash]`,
        'CALL [cli] [list] [--format] [json]',
        'CALL [cli] [send-text] [--pane-id] [7]',
        'STDIN[line "one"\n$HOME `two`]',
        'CALL [cli] [send-text] [--pane-id] [7] [--no-paste]',
        'STDIN[\r]',
        'CALL [cli] [list] [--format] [json]',
        'CALL [cli] [list] [--format] [json]',
        'CALL [cli] [set-tab-title] [--pane-id] [7] [--] [-dev 001]',
        'CALL [cli] [kill-pane] [--pane-id] [7]',
        'CALL [cli] [kill-pane] [--pane-id] [9]',
        'CALL [cli] [list] [--format] [json]',
        '',
      ].join('\n'),
    );
    await expect(backend.sendText('%1', 'x')).rejects.toBeInstanceOf(UsageError);
  });

  it('foreground: unknown without tty_name (typing is refused), gone for a dead or unlisted pane; no notify; attach line', async () => {
    writeFileSync(list, JSON.stringify([
      { pane_id: 7, tty_name: null, is_dead: false },
      { pane_id: 8, tty_name: null, is_dead: true },
    ]));
    expect(await backend.foreground('7')).toEqual({ kind: 'unknown' });
    expect(await backend.foreground('8')).toEqual({ kind: 'gone' });
    expect(await backend.foreground('9')).toEqual({ kind: 'gone' });
    expect(await backend.foreground('%1')).toEqual({ kind: 'gone' });
    expect(await backend.notify('7', 'hello')).toBe(false);
    expect(await backend.attachCommand('7')).toBe('wezterm cli activate-pane --pane-id 7');
  });

  it('owns: the tab title set at spawn names the project and the worker; another project, another worker or a reused id is not owned', async () => {
    rmSync(join(tmp.dir, 'title-7'), { force: true });
    writeFileSync(list, JSON.stringify([
      { pane_id: 7, tab_id: 3, tab_title: '@TITLE7@', cursor_x: 5, tty_name: null, is_dead: false },
      { pane_id: 8, tab_id: 4, tab_title: '', tty_name: null, is_dead: false },
    ]));
    const root = join(tmp.dir, 'my repo');
    mkdirSync(root, { recursive: true });
    const mine = { root, workerId: 'dev-001' };
    await backend.spawn({ workerId: 'dev-001', root, cwd: tmp.dir, stateDir: tmp.dir });
    const mark = tmuxSessionName(root, 'dev-001');
    expect(readFileSync(join(tmp.dir, 'title-7'), 'utf8')).toBe(mark);
    expect(await backend.owns('7', mine)).toBe(true);
    expect(await backend.owns('7', { root: join(tmp.dir, 'other'), workerId: 'dev-001' })).toBe(false);
    expect(await backend.owns('7', { root, workerId: 'dev-002' })).toBe(false);
    expect(await backend.owns('8', mine)).toBe(false); // a pane of no project (a user's tab)
    expect(await backend.aliveMany(['7', '8'], new Map([['7', mine], ['8', mine]]))).toEqual(new Map([['7', true], ['8', false]]));
    expect(await backend.isAlive('7', { root, workerId: 'dev-002' })).toBe(false);
    expect(await backend.foreground('7', { root, workerId: 'dev-002' })).toEqual({ kind: 'gone' });
    // open's setTitle keeps the mark (it already names the worker); a tab without a title gets it
    await backend.setTitle('7', 'dev-001');
    expect(readFileSync(join(tmp.dir, 'title-7'), 'utf8')).toBe(mark);
    // WezTerm restarted: pane 7 is now somebody else's tab
    writeFileSync(join(tmp.dir, 'title-7'), tmuxSessionName(join(tmp.dir, 'other'), 'dev-001'));
    expect(await backend.owns('7', mine)).toBe(false);
    // a WezTerm too old to list tab titles: any listed, live pane counts (the documented fallback)
    writeFileSync(list, JSON.stringify([{ pane_id: 7, tty_name: null, is_dead: false }]));
    expect(await backend.owns('7', mine)).toBe(true);
  });
});
