#!/usr/bin/env node
// `npm run demo`: two whole agent-team runs, end to end, on this machine, with no AI provider and no
// network. In a temp git repository holding a small package and its tests, the controller loop
// (`agent-team workflow run`) drives:
// 1. the `demo` workflow of this repository's .agents/: a CTO worker writes a plan (merged), a developer
//    worker implements slugify(), the check `npm test` fails, the developer fixes it, the check passes,
//    the code is merged, and a person confirms the end;
// 2. the shipped `parallel` preset: the CTO splits the next requirement into two tasks, two developer
//    workers implement them at once (for_each: one instance per task, each on its own worker, worktree
//    and branch; the stand-in takes 2.5 s per task, so both are at work together), the join waits for
//    both, a QA worker runs the tests on both branches merged into its own (builds_on), and the merge
//    train merges every branch all or nothing before main moves.
//
// The workers are played by a SCRIPTED STAND-IN AGENT (test/agent/scripted-agent.mjs with
// test/demo/playbook.json), not an AI: it reads what is typed into its pane and answers through the
// real CLI (commit, then `agent-team reply-main`). Panes are real tmux sessions on a private socket
// when tmux is installed, else headless processes (AGENT_TEAM_BACKEND=process).
//
// Exit 0 only when both runs are `completed` and the merged code passes its tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'agent-team.js');
const AGENT = join(ROOT, 'test', 'agent', 'scripted-agent.mjs');
const PLAYBOOK = join(ROOT, 'test', 'demo', 'playbook.json');
const started = Date.now();
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\u001b[1m${s}\u001b[22m` : s);
const dim = (s) => (color ? `\u001b[2m${s}\u001b[22m` : s);
const say = (s = '') => process.stdout.write(`${s}\n`);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

function hasTmux() {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

const backendName = process.env.AGENT_TEAM_BACKEND || (hasTmux() ? 'tmux' : 'process');
const socket = `agent-team-demo-${process.pid}`;
const env = { ...process.env, AGENT_TEAM_BACKEND: backendName, AGENT_TEAM_TMUX_SOCKET: socket, NO_COLOR: '1' };
delete env.TMUX;
delete env.TMUX_PANE;
delete env.WEZTERM_PANE;

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...env, GIT_AUTHOR_NAME: 'Demo', GIT_AUTHOR_EMAIL: 'demo@example.invalid', GIT_COMMITTER_NAME: 'Demo', GIT_COMMITTER_EMAIL: 'demo@example.invalid' } }).trim();
}

/** Runs the real CLI; returns parsed JSON (with --json) or throws with its stderr. */
function agentTeam(cwd, args, extraEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`agent-team ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return args.includes('--json') ? JSON.parse(r.stdout) : r.stdout;
}

function write(root, rel, text) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

async function sleep(ms) {
  await new Promise((r) => setTimeout(r, ms));
}

// ── 1. A temp project: a package whose test describes slugify(), not yet implemented ──────────────
const repo = mkdtempSync(join(tmpdir(), 'agent-team-demo-'));
// The user's agent-team home (trust records, global roles) for this demo only, so the demo never touches ~/.agents.
env.AGENT_TEAM_HOME = mkdtempSync(join(tmpdir(), 'agent-team-demo-home-'));
say(bold('agent-team demo'));
say(`Workers are played by a scripted stand-in agent (test/agent/scripted-agent.mjs), not an AI.`);
say(`Backend: ${backendName}${backendName === 'tmux' ? ` (private socket: tmux -L ${socket})` : ''}. Project: ${repo}`);
say();
git(repo, 'init', '-q', '-b', 'main');
write(repo, 'package.json', `${JSON.stringify({ name: 'slugify-demo', version: '1.0.0', private: true, type: 'module', scripts: { test: 'node --test test/' } }, null, 2)}\n`);
write(repo, 'src/slugify.js', "/** Turns text into a URL slug. */\nexport function slugify(text) {\n  throw new Error('not implemented');\n}\n");
write(
  repo,
  'test/slugify.test.js',
  [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { slugify } from '../src/slugify.js';",
    '',
    "test('lowercases words and joins them with dashes', () => assert.equal(slugify('Hello World'), 'hello-world'));",
    "test('collapses punctuation', () => assert.equal(slugify('a, b & c'), 'a-b-c'));",
    "test('trims leading and trailing dashes', () => assert.equal(slugify('  Ship it!  '), 'ship-it'));",
    '',
  ].join('\n'),
);
cpSync(join(ROOT, '.agents', 'teams'), join(repo, '.agents', 'teams'), { recursive: true });
cpSync(join(ROOT, '.agents', 'workflow', 'demo.yaml'), join(repo, '.agents', 'workflow', 'demo.yaml'));
// Every worker the run creates uses the scripted stand-in provider.
write(repo, '.agents/config.yaml', `default_provider: scripted\nproviders:\n    scripted: "node ${AGENT} --playbook ${PLAYBOOK} --log ${join(repo, '.agents', 'stand-in.log')}"\n`);
write(repo, '.gitignore', 'node_modules/\n.agents/workflow/runs/\n.agents/workers/\n.agents/stand-in.log\n.agents/controller-inbox.log\n.worktrees/\n');
git(repo, 'add', '-A');
git(repo, 'commit', '-q', '-m', 'slugify package: tests first, no implementation');

// ── 2. The controller's pane: where `reply-main` messages from workers arrive ─────────────────────
process.env.AGENT_TEAM_TMUX_SOCKET = socket;
const { getBackend } = await import(join(ROOT, 'dist', 'session', 'index.js'));
const backend = getBackend(backendName, env);
const inbox = join(repo, '.agents', 'controller-inbox.log');
mkdirSync(join(repo, '.agents', 'controller'), { recursive: true });
const controller = await backend.spawn({ workerId: 'controller', cwd: repo, stateDir: join(repo, '.agents', 'controller'), env: {} });
await backend.sendText(controller.paneId, `cat >> ${inbox}`);
const paneEnv = backendName === 'tmux' ? { TMUX_PANE: controller.paneId } : { AGENT_TEAM_PANE: controller.paneId };

/**
 * Part 2: the `parallel` preset on the same project. Returns true when the run completed with the two
 * tasks done by two distinct workers at once, joined, verified together and merged by the train, and
 * main passes its tests; throws with what went wrong otherwise.
 */
async function parallelPart() {
  say();
  say(bold('Part 2: the parallel preset — tasks in parallel on distinct workers, a join, a merge train'));
  write(
    repo,
    'test/capitalize.test.js',
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { capitalize } from '../src/capitalize.js';\n\ntest('upper-cases the first letter', () => assert.equal(capitalize('hello world'), 'Hello world'));\n",
  );
  write(
    repo,
    'test/reverse.test.js',
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { reverse } from '../src/reverse.js';\n\ntest('reverses the characters', () => assert.equal(reverse('abc'), 'cba'));\n",
  );
  say(bold('$ agent-team workflow create team --preset parallel --cto-role cto --dev-role dev --qa-role qa'));
  agentTeam(repo, ['workflow', 'create', 'team', '--preset', 'parallel', '--cto-role', 'cto', '--dev-role', 'dev', '--qa-role', 'qa']);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'string helpers: tests first; the parallel workflow');
  // the preset's merge train has a check command: a new command, so the project is trusted again
  say(bold('$ agent-team trust'));
  say(agentTeam(repo, ['trust']).trim());
  const requirement = 'Two string helpers whose tests are written: capitalize() and reverse()';
  const stateFile = agentTeam(repo, ['workflow', 'state', 'init', '.agents/workflow/team.yaml', '--run-id', 'team-run', '--param', `requirement=${requirement}`, '--json']).path;
  say(bold(`$ agent-team workflow state init .agents/workflow/team.yaml --param requirement='${requirement}'`) + dim(`  → ${stateFile}`));

  const deadline = Date.now() + 110_000;
  let approved = false;
  for (;;) {
    if (Date.now() > deadline) throw new Error('the parallel run did not complete in time');
    // --wait: while workers work, block until the run needs the controller (woken by file changes);
    // --yes only once the person approved the merge shown to them (it approves the merges awaiting approval)
    const report = agentTeam(repo, ['workflow', 'run', stateFile, ...(approved ? ['--yes'] : []), '--wait', '--timeout', '60s', '--json'], paneEnv);
    approved = false;
    for (const s of report.steps) say(`  ${dim(elapsed())} ${s.node}: ${s.detail.split('\n')[0]}`);
    say(`  ${dim(elapsed())} ${bold(`[${report.stopped}]`)} ${report.why.split('\n')[0]}`);
    if (report.stopped === 'completed') break;
    if (report.stopped === 'timeout') continue;
    const node = report.next.node?.id;
    if (report.stopped === 'decision' && node === 'implemented') {
      // the controller's own node: review what the developers delivered, with the conflict forecast
      const conflicts = (report.next.forecast ?? []).filter((f) => f.files?.length);
      say(`  ${dim(elapsed())} ${bold('[controller]')} reviews the delivered tasks; conflict forecast: ${conflicts.length ? conflicts.map((f) => `${f.branch} × ${f.with}: ${f.files.join(', ')}`).join('; ') : 'none'}`);
      agentTeam(repo, ['workflow', 'state', 'complete', stateFile, '--node', 'implemented', '--summary', 'both tasks delivered; no conflicts forecast']);
      continue;
    }
    if (report.stopped === 'confirmation' && report.next.node?.type === 'merge') {
      say(`  ${dim(elapsed())} ${bold('[person]')} is shown the merge (${report.next.message.split('\n')[0]}) and approves it`);
      approved = true;
      continue;
    }
    if (report.stopped === 'confirmation' && node === 'controller_finish') {
      say(`  ${dim(elapsed())} ${bold('[person]')} reviews the merged result and approves`);
      agentTeam(repo, ['workflow', 'state', 'confirm', stateFile, '--node', 'controller_finish', '--summary', 'approved in the demo']);
      continue;
    }
    throw new Error(`the parallel run stopped for the controller unexpectedly: ${report.why}\n${JSON.stringify(report.next, null, 2)}`);
  }

  const state = agentTeam(repo, ['workflow', 'state', 'show', stateFile, '--json']);
  const instances = Object.entries(state.node_states).filter(([id]) => id.startsWith('dev_implement/'));
  const workers = instances.map(([, ns]) => ns.worker);
  say();
  say(bold('What ran in parallel'));
  for (const [id, ns] of instances) say(`  ${id.padEnd(16)} ${ns.worker}  ${ns.status}  ${String(ns.item ?? '').slice(0, 70)}`);
  // at work at the same time: each instance was given out before the other one completed
  const spans = instances.map(([, ns]) => [Date.parse(ns.assignment?.at ?? ns.started_at), Date.parse(ns.completed_at)]);
  const overlapped = spans.length === 2 && Math.max(spans[0][0], spans[1][0]) < Math.min(spans[0][1], spans[1][1]);
  say(`  both at work at the same time: ${overlapped ? 'yes' : 'no (a worker finished before the other one started)'}`);
  say(`  dev_implement: ${state.node_states.dev_implement.outcome} (${(state.node_states.dev_implement.outcomes ?? []).join(', ')}); qa_verify: ${state.node_states.qa_verify.outcome}`);
  say(`  merge_all: ${(state.node_states.merge_all.summary ?? '').split('\n')[0]}`);
  say();
  say(bold('Graph (Mermaid)'));
  say(agentTeam(repo, ['workflow', 'graph', '.agents/workflow/team.yaml', '--state', stateFile]).trimEnd());
  const testRun = spawnSync('npm', ['test', '--silent'], { cwd: repo, encoding: 'utf8', env });
  say();
  say(bold(`Merged code on main: npm test → exit ${testRun.status}`));
  say(git(repo, 'log', '--oneline', '--graph', '-10').split('\n').map((l) => `  ${l}`).join('\n'));
  const checks = [
    [state.status === 'completed', `the run is ${state.status}`],
    [instances.length === 2 && new Set(workers).size === 2, `two instances on two distinct workers (${workers.join(', ')})`],
    [state.node_states.dev_implement.outcome === 'passed' && state.node_states.qa_verify.outcome === 'passed', 'both tasks passed, and QA passed them together'],
    [state.node_states.merge_all.status === 'completed' && /merged/.test(state.node_states.merge_all.summary ?? ''), 'the merge train merged the branches'],
    [testRun.status === 0, `npm test on main exits ${testRun.status}`],
  ];
  const failed = checks.filter(([pass]) => !pass).map(([, what]) => what);
  if (failed.length) throw new Error(`part 2: ${failed.join('; ')}`);
  say(bold(`Part 2 passed in ${elapsed()}: ${checks.map(([, what]) => what).join('; ')}.`));
  return true;
}

// ── 3. The run ─────────────────────────────────────────────────────────────────────────────────────
let ok = false;
try {
  say(bold('$ agent-team workflow validate .agents/workflow/demo.yaml'));
  say(agentTeam(repo, ['workflow', 'validate', '.agents/workflow/demo.yaml']).trim());
  // The stand-in provider's launch command (and any template command:) comes from the project: trust it.
  say(bold('$ agent-team trust'));
  say(agentTeam(repo, ['trust']).trim());
  const requirement = 'slugify(text): lowercase, runs of other characters become one dash, no leading or trailing dash';
  const init = agentTeam(repo, ['workflow', 'state', 'init', '.agents/workflow/demo.yaml', '--run-id', 'demo-run', '--param', `requirement=${requirement}`, '--json']);
  const stateFile = init.path;
  say(bold(`$ agent-team workflow state init .agents/workflow/demo.yaml --param requirement='${requirement}'`) + dim(`  → ${stateFile}`));

  const deadline = Date.now() + 110_000;
  let approved = false;
  for (let round = 0; Date.now() < deadline; round++) {
    // --yes only once the person approved the merge shown to them (it approves the merges awaiting approval)
    const report = agentTeam(repo, ['workflow', 'run', stateFile, ...(approved ? ['--yes'] : []), '--json'], paneEnv);
    approved = false;
    for (const s of report.steps) say(`  ${dim(elapsed())} ${s.node}: ${s.detail.split('\n')[0]}`);
    say(`  ${dim(elapsed())} ${bold(`[${report.stopped}]`)} ${report.why.split('\n')[0]}`);
    if (report.stopped === 'completed') {
      ok = true;
      break;
    }
    if (report.stopped === 'waiting') {
      // Wait for the worker's reply to be recorded on the node (reply-main does that).
      const node = report.next.node.id;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for a reply on ${node}`);
        const state = agentTeam(repo, ['workflow', 'state', 'show', stateFile, '--json']);
        if (state.node_states[node]?.reply || state.current_node !== node) break;
        await sleep(100);
      }
      continue;
    }
    if (report.stopped === 'confirmation' && report.next.node?.type === 'merge') {
      say(`  ${dim(elapsed())} ${bold('[person]')} is shown the merge (${report.next.message.split('\n')[0]}) and approves it`);
      approved = true;
      continue;
    }
    if (report.stopped === 'confirmation' && report.next.node?.id === 'controller_finish') {
      say(`  ${dim(elapsed())} ${bold('[person]')} reviews the merged result and approves`);
      agentTeam(repo, ['workflow', 'state', 'confirm', stateFile, '--node', 'controller_finish', '--summary', 'approved in the demo']);
      continue;
    }
    throw new Error(`the run stopped for the controller unexpectedly: ${report.why}\n${JSON.stringify(report.next, null, 2)}`);
  }
  if (!ok) throw new Error('the run did not complete in time');

  // ── 4. What happened ─────────────────────────────────────────────────────────────────────────────
  const state = agentTeam(repo, ['workflow', 'state', 'show', stateFile, '--json']);
  say();
  say(bold('Timeline (decision_log)'));
  for (const e of state.decision_log) {
    const extra = [e.outcome && `outcome=${e.outcome}`, e.next_node && `→ ${e.next_node}`, e.worker && `worker=${e.worker}`].filter(Boolean).join(' ');
    say(`  ${e.timestamp}  ${e.node.padEnd(18)} ${e.action.padEnd(8)} ${extra}`);
  }
  say();
  say(bold('Graph (Mermaid)'));
  say(agentTeam(repo, ['workflow', 'graph', '.agents/workflow/demo.yaml', '--state', stateFile]).trimEnd());
  say();
  say(bold('Controller inbox (what workers typed with reply-main)'));
  try {
    say(readFileSync(inbox, 'utf8').trimEnd().split('\n').map((l) => `  ${l}`).join('\n'));
  } catch {
    say('  (empty)');
  }
  say();
  say(bold('What the fix was told (the dev_fix assignment, with the failing check filled in)'));
  const fixVisit = state.decision_log.find((e) => e.node === 'dev_fix' && e.action === 'start');
  say(`  ${fixVisit ? `dev_fix started by ${fixVisit.worker ?? 'a worker'}` : 'no fix needed'}`);
  const dev = agentTeam(repo, ['worker', 'status', '--json']).workers.find((w) => w.role === 'dev');
  if (dev) {
    const changes = join(repo, '.worktrees', dev.id, '.tasks', 'changes');
    for (const name of readdirSync(changes).sort()) {
      const text = readFileSync(join(changes, name, 'change.yaml'), 'utf8');
      say(`  ${name}: ${/^status: (.*)$/m.exec(text)?.[1] ?? '?'} — ${(/^description: (.*)$/m.exec(text)?.[1] ?? '').slice(0, 160)}`);
    }
  }
  say();
  const testRun = spawnSync('npm', ['test', '--silent'], { cwd: repo, encoding: 'utf8', env });
  say(bold(`Merged code on main: npm test → exit ${testRun.status}`));
  say(git(repo, 'log', '--oneline', '--graph', '-12').split('\n').map((l) => `  ${l}`).join('\n'));
  say();
  say(bold('Files'));
  say(`  run-state: ${stateFile}`);
  say(`  workflow:  ${join(repo, '.agents/workflow/demo.yaml')}`);
  say(`  workers:   ${join(repo, '.agents/workers/')} (configs), ${join(repo, '.worktrees/')} (worktrees)`);
  ok = state.status === 'completed' && testRun.status === 0;
  if (!ok) throw new Error(`part 1 ended with the run ${state.status} and npm test exiting ${testRun.status}`);
  say();
  say(bold(`Part 1 passed in ${elapsed()}: run completed, merged code passes its tests.`));
  ok = await parallelPart();
  say();
  say(ok ? bold(`Demo passed in ${elapsed()}: both runs completed, merged code passes its tests.`) : bold('Demo FAILED'));
} catch (err) {
  process.stderr.write(`demo failed: ${err.message}\n`);
  try {
    process.stderr.write(`stand-in log:\n${readFileSync(join(repo, '.agents', 'stand-in.log'), 'utf8')}\n`);
  } catch {
    // no log yet
  }
  ok = false;
} finally {
  // Stop every pane we started: workers, then the controller pane.
  try {
    for (const w of agentTeam(repo, ['worker', 'status', '--json']).workers ?? []) {
      spawnSync(process.execPath, [BIN, 'worker', 'close', w.id], { cwd: repo, env, stdio: 'ignore' });
    }
  } catch {
    // best effort
  }
  await backend.kill(controller.paneId).catch(() => undefined);
  if (backendName === 'tmux') spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
}
process.exit(ok ? 0 : 1);
