#!/usr/bin/env node
// `npm run test:providers`: the real agent CLIs against agent-team's provider adapters (issue 8 item 8).
// Not part of `npm test`: it needs the npm registry once. Installs the pinned versions into a cache
// folder ($AGENT_TEAM_PROVIDER_CACHE, default ~/.cache/agent-team/providers), then, for each CLI, on a
// private tmux socket (`tmux -L agent-team-providers-<pid>`, killed at the end) in a fresh git repository
// with a fresh HOME (no API keys, whatever the network allows):
//   worker open   → ready, or attention with the dialog named (then the dialog is answered here, as a
//                   person would, with the adapter's documented key, so the rest can be checked)
//   worker assign → delivered (the agent's prompt event), or exit 1 with the reason
//   kill the agent → worker status says exited (and whether its hooks reported the exit: session-end)
//   worker open   → the conversation resumed, or the CLI's own "cannot resume" words
// Prints one line per check and a summary; exit 0 when every CLI gave a clear answer at every step
// (an expected offline failure, such as a login screen, is a clear answer), 1 otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/agent-team.js', import.meta.url));
const PINNED = {
  claude: '@anthropic-ai/claude-code@2.1.197',
  codex: '@openai/codex@0.171.0',
  gemini: '@google/gemini-cli@0.61.0',
  opencode: 'opencode-ai@1.18.33',
};
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// PROVIDERS_KEEP=1 (or --keep): keep each CLI's repository and HOME, with the worker's pane history saved as
// .agents/workers/dev-001/pane-history.txt before it is closed, and print where they are
const keep = process.argv.includes('--keep') || process.env.PROVIDERS_KEEP === '1';
const cache = process.env.AGENT_TEAM_PROVIDER_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agent-team', 'providers');
const socketBase = `agent-team-providers-${process.pid}`;
let socket = socketBase;
const sockets = [];

function installed(spec) {
  const at = spec.lastIndexOf('@');
  const name = spec.slice(0, at);
  try {
    return JSON.parse(readFileSync(join(cache, 'node_modules', name, 'package.json'), 'utf8')).version === spec.slice(at + 1);
  } catch {
    return false;
  }
}

function install() {
  mkdirSync(cache, { recursive: true });
  if (!existsSync(join(cache, 'package.json'))) writeFileSync(join(cache, 'package.json'), '{ "name": "agent-team-provider-cache", "private": true }\n');
  const missing = Object.values(PINNED).filter((spec) => !installed(spec));
  if (missing.length === 0) return;
  console.log(`installing into ${cache}: ${missing.join(' ')}`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', ...missing], { cwd: cache, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm install failed (exit ${r.status})`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

function agentTeam(cwd, env, ...args) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--json'], { cwd, env, encoding: 'utf8', input: '' });
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { code: r.status, json, stderr: r.stderr };
}

function events(root) {
  const file = join(root, '.agents/workers/dev-001/events.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

/** A fresh HOME as the CLI needs it to get past its very first screens offline (provider-notes.md). */
function prepareHome(provider, home, root) {
  if (provider === 'claude') {
    writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, lastOnboardingVersion: '2.1.197', projects: {} }));
  }
  if (provider === 'codex') {
    // a saved (fake) key moves codex past its ChatGPT sign-in chooser, as `codex login --with-api-key` does
    spawnSync(join(cache, 'node_modules/.bin/codex'), ['login', '--with-api-key'], { input: 'sk-agent-team-offline-test\n', env: { ...process.env, HOME: home, CODEX_HOME: join(home, '.codex') }, encoding: 'utf8', timeout: 30_000 });
  }
  void root;
}

/** Removes a temp folder a CLI may still be writing to: retried for up to ~10 s, then left with a note (never a crash). */
async function removeDir(dir) {
  for (let i = 0; ; i++) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      return;
    } catch (err) {
      if (i >= 8) {
        console.log(`     (left ${dir}: ${err.code ?? err.message})`);
        return;
      }
      await sleep(1000);
    }
  }
}

/**
 * What the CLI printed after its launch command line: the non-blank lines below the last line that holds
 * `marker` (the resume flag, or the command), at most 6. [] when the marker is not there.
 */
function afterCommand(lines, marker) {
  if (!marker) return [];
  let at = -1;
  lines.forEach((l, i) => {
    if (l.includes(marker)) at = i;
  });
  return at < 0 ? [] : lines.slice(at + 1).map((l) => l.trim()).filter(Boolean).slice(0, 6);
}

/** The keys a person presses to get past a dialog (never sent by agent-team itself). */
const ANSWER = { trust: '1', consent: '2' };

async function check(provider) {
  const out = { provider, steps: [] };
  const say = (step, ok, text) => {
    out.steps.push({ step, ok, text });
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${provider.padEnd(8)} ${step.padEnd(8)} ${text}`);
  };
  const root = mkdtempSync(join(tmpdir(), `agent-team-${provider}-`));
  const home = mkdtempSync(join(tmpdir(), `agent-team-${provider}-home-`));
  execFileSync('git', ['init', '-q', '-b', 'main', root]);
  mkdirSync(join(root, '.agents/teams/dev'), { recursive: true });
  writeFileSync(join(root, '.agents/teams/dev/system.md'), 'You are a careful developer.\n');
  writeFileSync(join(root, 'README.md'), '# smoke\n');
  execFileSync('git', ['-C', root, 'add', '-A']);
  execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init']);
  prepareHome(provider, home, root);
  // the CLI comes from the cache, by absolute path (an override of the built-in keeps its adapter)
  const launch = { claude: 'claude --dangerously-skip-permissions', codex: 'codex --dangerously-bypass-approvals-and-sandbox', gemini: 'gemini --approval-mode yolo', opencode: 'opencode' }[provider];
  writeFileSync(join(root, '.agents/config.yaml'), `providers:\n  ${provider}: "${join(cache, 'node_modules/.bin')}/${launch}"\n`);
  execFileSync('git', ['-C', root, 'add', '-A']);
  execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'provider']);
  const env = {
    ...process.env,
    HOME: home,
    PATH: `${join(cache, 'node_modules/.bin')}:${process.env.PATH}`,
    AGENT_TEAM_BACKEND: 'tmux',
    AGENT_TEAM_TMUX_SOCKET: socket,
    AGENT_TEAM_HOME: join(home, '.agent-team'),
    TMUX: '',
    IS_SANDBOX: '1', // claude refuses --dangerously-skip-permissions as root without it
    AGENT_TEAM_DELIVERY_TIMEOUT_MS: '20000',
    NO_COLOR: '1',
  };
  for (const key of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY']) delete env[key];
  // one tmux server per CLI, started with this env: panes inherit the server's HOME and PATH
  socket = `${socketBase}-${provider}`;
  sockets.push(socket);
  env.AGENT_TEAM_TMUX_SOCKET = socket;
  const controller = spawnSync('tmux', ['-L', socket, 'new-session', '-d', '-s', `controller-${provider}`, '-P', '-F', '#{pane_id}', 'cat > /dev/null'], { env, encoding: 'utf8' }).stdout.trim();
  env.TMUX_PANE = controller;
  try {
    agentTeam(root, env, 'trust'); // the launch command (the cached CLI) comes from .agents/config.yaml
    agentTeam(root, env, 'worker', 'create', 'dev', '--provider', provider);
    // 1. open → ready, or attention with the dialog named
    let opened = agentTeam(root, env, 'worker', 'open', 'dev-001');
    const activity = opened.json?.activity;
    say('open', opened.code === 0 && activity !== undefined && activity.activity !== 'starting', opened.code === 0 ? `${activity?.activity}${activity?.dialog ? `: ${activity.dialog.name}` : ''}${activity?.reason && !activity?.dialog ? ` (${activity.reason})` : ''}` : `exit ${opened.code}: ${opened.json?.error?.message ?? opened.stderr.trim()}`);
    const pane = opened.json?.pane_id;
    // a person answers what agent-team never answers
    let last;
    for (let i = 0; i < 4 && pane; i++) {
      const st = agentTeam(root, env, 'worker', 'status').json?.workers?.[0];
      if (st?.activity !== 'attention' || !st.activity_reason) break;
      const kind = /trust/i.test(st.activity_reason) ? 'trust' : /bypass-permissions/i.test(st.activity_reason) ? 'consent' : undefined;
      if (!kind) break;
      // a digit picks the option; Enter only when the same screen is still up (it would answer the next one)
      const key = last === kind ? 'Enter' : ANSWER[kind];
      console.log(`     ${provider.padEnd(8)} (a person answers ${st.activity_reason}: key ${key})`);
      tmux('send-keys', '-t', pane, key);
      last = kind;
      await sleep(3000);
    }
    // 2. assign → delivered (prompt event) or a clear refusal
    const before = Date.now();
    const assigned = agentTeam(root, env, 'worker', 'assign', 'dev-001', 'Add a line to README.md saying hello');
    const prompt = events(root).find((e) => (e.event === 'prompt-submit' || e.event === 'busy') && Date.parse(e.at) >= before - 1000);
    if (assigned.code === 0) say('assign', true, `delivered (${assigned.json.delivery}${prompt ? `, ${prompt.event} event` : ''})`);
    else {
      const err = assigned.json?.error;
      const why = `${err?.message?.split('\n')[0] ?? assigned.stderr.trim()}`;
      say('assign', err?.code === 'not_delivered', `not delivered, exit ${assigned.code}: ${why}${err?.details?.screen ? ` | screen: ${err.details.screen.filter((l) => l.trim()).slice(-3).join(' / ')}` : ''}`);
    }
    // 3. kill the agent (its process group, the pane's shell stays) → exited
    const panePid = Number(tmux('display-message', '-p', '-t', pane, '#{pane_pid}').stdout.trim());
    const stat = readFileSync(`/proc/${panePid}/stat`, 'utf8');
    const tpgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[5]);
    const killedAt = Date.now();
    if (tpgid > 0 && tpgid !== panePid) {
      try {
        process.kill(-tpgid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    let exited;
    for (let i = 0; i < 100; i++) {
      exited = agentTeam(root, env, 'worker', 'status').json?.workers?.[0];
      if (exited?.activity === 'exited') break;
      await sleep(200);
    }
    // the hooks' word on the exit, said either way (gemini's hooks fire only in a folder it trusts)
    // the id the agent reported (its SessionStart hook may finish after the kill: it is not lost, hook-program.ts)
    const sessionBefore = agentTeam(root, env, 'worker', 'status').json?.workers?.[0]?.session_id;
    const ended = events(root).some((e) => e.event === 'session-end' && Date.parse(e.at) >= killedAt - 1000);
    const seen = [...new Set(events(root).map((e) => e.event))].join(', ');
    say('kill', exited?.activity === 'exited', `activity ${exited?.activity} (${ended ? 'session-end event' : 'no session-end event: its hooks did not report the exit'}; events so far: ${seen})`);
    // 4. open again → resumed, or the CLI's own words on why not. Judged by the agent's process and events
    // (worker status), and by what the CLI printed below its launch command line (the pane's history,
    // wrapped lines joined), never by the screen's last lines alone: they may still be the command line.
    opened = agentTeam(root, env, 'worker', 'open', 'dev-001');
    const resumeFlag = (command) => command?.match(/(--resume|resume|-s|--session-id|--conversation) \S+/)?.[0];
    if (opened.code !== 0) {
      // the agent quit at once (agent_exited): the pane is closed, its last lines come with the error
      const err = opened.json?.error;
      const said = afterCommand(err?.details?.lines ?? [], resumeFlag(err?.details?.launch_command) ?? err?.details?.launch_command);
      say('resume', err?.code === 'agent_exited' && said.length > 0, `${resumeFlag(err?.details?.launch_command) ?? 'launch'} of ${sessionBefore ?? '(no id recorded)'}: cannot resume offline — worker open exit ${opened.code} (${err?.code}), the CLI said: ${said.join(' / ') || '(nothing)'}`);
    } else {
      let st;
      for (let i = 0; i < 150; i++) {
        st = agentTeam(root, env, 'worker', 'status').json?.workers?.[0];
        if (st && st.activity !== 'starting') break;
        await sleep(200);
      }
      const flag = resumeFlag(opened.json.launch_command);
      const paneNow = opened.json.pane_id ?? pane;
      const said = afterCommand(tmux('capture-pane', '-p', '-J', '-S', '-300', '-t', paneNow ?? '').stdout.split('\n'), flag ?? opened.json.launch_command);
      // running with a known activity (ready, a dialog named…); still `starting` is no clear answer
      const running = st?.state === 'running' && st?.activity !== 'exited' && st?.activity !== 'starting';
      // still `starting` after the bound: show what the screen holds (the adapter's ready marker is not on it)
      const screenNow = st?.activity === 'starting' ? ` — its screen: ${tmux('capture-pane', '-p', '-t', paneNow ?? '').stdout.split('\n').map((l) => l.trim()).filter(Boolean).slice(-8).join(' / ')}` : '';
      const what = st?.state === 'running' && st?.activity !== 'exited' ? `running, activity ${st.activity}${st.activity_reason ? ` (${st.activity_reason})` : ''}${screenNow}` : `cannot resume offline — the agent exited, the CLI said: ${said.join(' / ') || '(nothing)'}`;
      if (opened.json.resumed) say('resume', running || said.length > 0, `${flag ?? 'resumed'} of ${sessionBefore ?? '(no id recorded)'}: ${what}`);
      else say('resume', running || said.length > 0, `no session id was recorded (the CLI reported none offline), so a new conversation started: ${what}`);
    }
  } catch (err) {
    say('error', false, err.stack ?? String(err));
  } finally {
    if (keep) {
      const paneNow = agentTeam(root, env, 'worker', 'status').json?.workers?.[0]?.pane_id;
      const history = paneNow ? tmux('capture-pane', '-p', '-J', '-S', '-', '-t', paneNow).stdout : '(no pane)\n';
      try {
        writeFileSync(join(root, '.agents/workers/dev-001/pane-history.txt'), history);
      } catch {
        // no worker folder
      }
    }
    spawnSync(process.execPath, [BIN, 'worker', 'close', 'dev-001'], { cwd: root, env });
    if (keep) {
      console.log(`     ${provider.padEnd(8)} (kept ${root} and ${home})`);
      return out;
    }
    // the CLI may still be writing its files for a while after its pane closed
    await removeDir(root);
    await removeDir(home);
  }
  return out;
}

install();
const results = [];
try {
  for (const provider of Object.keys(PINNED)) if (only.length === 0 || only.includes(provider)) results.push(await check(provider));
} finally {
  for (const s of sockets) {
    socket = s;
    const path = tmux('display-message', '-p', '#{socket_path}').stdout.trim();
    tmux('kill-server');
    if (path) rmSync(path, { force: true });
  }
}
const failed = results.flatMap((r) => r.steps.filter((s) => !s.ok).map((s) => `${r.provider} ${s.step}`));
console.log(failed.length ? `\n${failed.length} check(s) without a clear answer: ${failed.join(', ')}` : `\nall ${results.length} CLIs gave a clear answer at every step`);
process.exit(failed.length ? 1 : 0);
