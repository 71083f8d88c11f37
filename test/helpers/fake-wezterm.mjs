#!/usr/bin/env node
// A stand-in for `wezterm cli` that runs real panes on a private tmux server, so the session backend
// contract (test/session/contract.test.ts) runs against the WezTerm backend too: real shells, real
// programs, real terminals. It answers the subcommands src/session/wezterm.ts calls, with WezTerm's
// argument and output shapes (https://wezterm.org/cli/cli/): spawn, list --format json, send-text,
// get-text, set-tab-title, kill-pane. Pane ids are tmux's numbers plus 100 (so they do not look like
// another backend's). The tmux socket name comes from FAKE_WEZTERM_TMUX_SOCKET.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const socket = process.env.FAKE_WEZTERM_TMUX_SOCKET;
if (!socket) {
  process.stderr.write('fake wezterm: FAKE_WEZTERM_TMUX_SOCKET is not set\n');
  process.exit(2);
}
const OFFSET = 100;
const tmux = (args, input) => spawnSync('tmux', ['-L', socket, ...args], { input, encoding: 'utf8' });
const [, sub, ...rest] = process.argv.slice(2);
const flag = (name) => {
  const i = rest.indexOf(name);
  return i < 0 ? undefined : rest[i + 1];
};
const target = () => `%${Number(flag('--pane-id')) - OFFSET}`;
const fail = (r) => {
  process.stderr.write(r.stderr || 'failed\n');
  process.exit(1);
};

switch (sub) {
  case 'spawn': {
    const command = rest.slice(rest.indexOf('--') + 1);
    const name = `w${process.pid}${Date.now()}`;
    const r = tmux(['new-session', '-d', '-s', name, '-x', '200', '-y', '50', '-c', flag('--cwd'), '-P', '-F', '#{pane_id}', '--', ...command]);
    if (r.status !== 0) fail(r);
    process.stdout.write(`${Number(r.stdout.trim().slice(1)) + OFFSET}\n`);
    break;
  }
  case 'list': {
    const r = tmux(['list-panes', '-a', '-F', '#{pane_id}\t#{window_id}\t#{pane_tty}\t#{pane_dead}\t#{cursor_x}\t#{cursor_y}\t#{@tab_title}']);
    const panes = r.status !== 0 ? [] : r.stdout.split('\n').filter(Boolean).map((line) => {
      const [pane, window, tty, dead, x, y, title] = line.split('\t');
      return { window_id: Number(window.slice(1)), tab_id: Number(window.slice(1)), pane_id: Number(pane.slice(1)) + OFFSET, tty_name: tty, is_dead: dead === '1', cursor_x: Number(x), cursor_y: Number(y), tab_title: title };
    });
    process.stdout.write(`${JSON.stringify(panes)}\n`);
    break;
  }
  case 'send-text': {
    const text = readFileSync(0, 'utf8');
    const r = text === '\r' ? tmux(['send-keys', '-t', target(), 'Enter']) : rest.includes('--no-paste') ? tmux(['send-keys', '-t', target(), '-l', '--', text]) : tmux(['load-buffer', '-b', 'fake', '-'], text);
    if (r.status !== 0) fail(r);
    if (text !== '\r' && !rest.includes('--no-paste')) {
      const p = tmux(['paste-buffer', '-p', '-d', '-b', 'fake', '-t', target()]);
      if (p.status !== 0) fail(p);
    }
    break;
  }
  case 'get-text': {
    const r = tmux(['capture-pane', '-p', '-t', target()]);
    if (r.status !== 0) fail(r);
    process.stdout.write(r.stdout);
    break;
  }
  case 'set-tab-title': {
    const r = tmux(['set-option', '-p', '-t', target(), '@tab_title', rest[rest.indexOf('--') + 1]]);
    if (r.status !== 0) fail(r);
    break;
  }
  case 'kill-pane': {
    const r = tmux(['kill-pane', '-t', target()]);
    if (r.status !== 0) fail(r);
    break;
  }
  default:
    process.stderr.write(`fake wezterm: unknown subcommand ${sub}\n`);
    process.exit(2);
}
