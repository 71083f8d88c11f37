#!/usr/bin/env node
// `npm run stress` (not part of `npm test`): repeats issue 11's kill / pause / symlink / concurrent-run
// experiments against the built CLI in temp repositories and prints, per experiment and in total,
// "N acknowledged, N recorded, 0 lost". An acknowledged update is a command that exited 0; it is
// recorded when the run-state holds it afterwards. Exit 1 when any acknowledged update was lost, a
// run-state was left unreadable, or a worker got two assignments.
//
//   node scripts/stress.mjs [--kills 200] [--paused 20] [--symlinked 100] [--pairs 20] [--only kills,paused,symlinked,pairs]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/agent-team.js');
const HOLDER = join(ROOT, 'test/store/hold-and-write.mjs');
const AGENT = join(ROOT, 'test/agent/scripted-agent.mjs');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const KILLS = Number(arg('kills', 200));
const PAUSED = Number(arg('paused', 20));
const SYMLINKED = Number(arg('symlinked', 100));
const PAIRS = Number(arg('pairs', 20));
const ONLY = arg('only', 'kills,paused,symlinked,pairs').split(',');

const GIT_ENV = { GIT_AUTHOR_NAME: 'Stress', GIT_AUTHOR_EMAIL: 'stress@example.com', GIT_COMMITTER_NAME: 'Stress', GIT_COMMITTER_EMAIL: 'stress@example.com' };
const ENV = { ...process.env, ...GIT_ENV, NO_COLOR: '1', TMUX: '', TMUX_PANE: '' };
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();
const temps = [];

function tempRepo() {
  const dir = mkdtempSync(join(tmpdir(), 'agent-team-stress-'));
  temps.push(dir);
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# stress\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'initial');
  return dir;
}

/** Runs the CLI; resolves { code, signal, stdout, stderr, json }. `onSpawn(child)` may signal it. */
function run(args, cwd, { env = {}, onSpawn } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    onSpawn?.(child);
    child.on('close', (code, signal) => {
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, signal, stdout, stderr, json, child });
    });
  });
}

async function ok(args, cwd, env) {
  const r = await run(args, cwd, { env });
  if (r.code !== 0) throw new Error(`agent-team ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

async function newRun(dir, id) {
  return (await ok(['workflow', 'state', 'init', join(dir, '.agents/workflow/feat.yaml'), '--run-id', id, '--json'], dir)).json.path;
}

/** The decision_log summaries of a run-state, or throws when it does not read (a torn or lost file). */
async function recorded(dir, file) {
  const r = await run(['workflow', 'state', 'show', file, '--json'], dir);
  if (r.code !== 0) throw new Error(`run-state unreadable: ${r.stderr}`);
  return new Set(r.json.decision_log.map((e) => e.summary ?? e.worker));
}

const totals = { acknowledged: 0, recorded: 0, lost: 0, failures: [] };
function report(name, acknowledged, found, extra = '') {
  const got = acknowledged.filter((a) => found.has(a)).length;
  const lost = acknowledged.length - got;
  totals.acknowledged += acknowledged.length;
  totals.recorded += got;
  totals.lost += lost;
  if (lost) totals.failures.push(`${name}: lost ${acknowledged.filter((a) => !found.has(a)).join(', ')}`);
  console.log(`${name}: ${acknowledged.length} acknowledged, ${got} recorded, ${lost} lost${extra ? ` (${extra})` : ''}`);
}

async function featRepo() {
  const dir = tempRepo();
  await ok(['workflow', 'create', 'feat', '--preset', 'branching'], dir);
  return dir;
}

// 1. SIGKILL during transitions: writers killed at spread-out moments; the survivors' updates must all be there.
async function kills() {
  const dir = await featRepo();
  const file = await newRun(dir, 'kills');
  const acknowledged = [];
  // How long one transition takes on this machine now: kills are spread over 30–140 % of it.
  const t0 = Date.now();
  const calibrate = ['c0', 'c1', 'c2', 'c3'];
  await Promise.all(calibrate.map((c) => ok(['workflow', 'state', 'wait', file, '--node', 'cto_breakdown', '--reason', c], dir)));
  acknowledged.push(...calibrate);
  const took = Date.now() - t0; // four at once, as below
  let killed = 0;
  let attempts = 0;
  let unreadable = 0;
  while (killed < KILLS) {
    const batch = Array.from({ length: 4 }, () => {
      const reason = `k${attempts++}`;
      const delay = Math.floor(took * (0.3 + Math.random() * 1.1));
      return run(['workflow', 'state', 'wait', file, '--node', 'cto_breakdown', '--reason', reason, '--json'], dir, {
        onSpawn: (child) =>
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGKILL');
              killed++;
            }
          }, delay),
      }).then((r) => ({ r, reason }));
    });
    for (const { r, reason } of await Promise.all(batch)) if (r.code === 0) acknowledged.push(reason);
    try {
      await recorded(dir, file);
    } catch {
      unreadable++;
    }
  }
  const found = await recorded(dir, file);
  const left = readdirSync(dirname(file)).filter((n) => n !== 'kills.yaml');
  if (unreadable) totals.failures.push(`kills: the run-state was unreadable ${unreadable} times`);
  report('SIGKILL during transitions', acknowledged, found, `${killed} SIGKILLs in ${attempts} writers (a transition took ~${Math.round(took)} ms); run-state unreadable 0 of ${Math.ceil(attempts / 4)} checks: ${unreadable === 0}; left in runs/: ${left.length ? left.join(' ') : 'nothing'}`);
  const doctor = await run(['doctor', '--fix', '--json'], dir);
  console.log(`  doctor --fix afterwards: ${doctor.json ? doctor.json.findings.map((f) => `${f.kind}${f.fixed ? ' (fixed)' : ''}`).join(', ') || 'nothing found' : doctor.stderr}`);
}

// 2. Paused holders: a writer holding the lock with the file read is SIGSTOPped; another writer must wait, not steal.
async function paused() {
  const dir = await featRepo();
  const file = await newRun(dir, 'paused');
  const acknowledged = [];
  let waited = 0;
  for (let i = 0; i < PAUSED; i++) {
    const holder = spawn(process.execPath, [HOLDER, file, `held-${i}`], { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
    const holderDone = new Promise((resolve) => holder.on('close', resolve));
    await new Promise((resolve) => holder.stdout.on('data', (d) => String(d).includes('read') && resolve()));
    holder.kill('SIGSTOP');
    let said = false;
    const other = run(['workflow', 'state', 'wait', file, '--node', 'cto_breakdown', '--reason', `other-${i}`], dir, {
      onSpawn: (child) => {
        const timer = setTimeout(() => holder.kill('SIGCONT'), 12_000); // past the 10 s age the old lock stole at
        child.stderr.on('data', (d) => {
          if (String(d).includes('waiting for pid')) {
            said = true;
            clearTimeout(timer);
            setTimeout(() => holder.kill('SIGCONT'), 500);
          }
        });
        child.on('close', () => clearTimeout(timer));
      },
    });
    const [holderCode, r] = await Promise.all([holderDone, other]);
    holder.kill('SIGCONT');
    if (holderCode === 0) acknowledged.push(`held-${i}`);
    if (r.code === 0) acknowledged.push(`other-${i}`);
    if (said) waited++;
  }
  report('paused holders (SIGSTOP)', acknowledged, await recorded(dir, file), `${PAUSED} holders paused; the other writer said whom it waited for ${waited} of ${PAUSED} times`);
}

// 3. Writers through a symlink and through the real path at once.
async function symlinked() {
  const dir = await featRepo();
  const file = await newRun(dir, 'real');
  const link = join(dirname(file), 'current.yaml');
  symlinkSync(file, link);
  const acknowledged = [];
  const failed = [];
  for (let start = 0; start < SYMLINKED; start += 25) {
    const batch = [];
    for (let i = start; i < Math.min(SYMLINKED, start + 25); i++) {
      batch.push(run(['workflow', 'state', 'wait', i % 2 ? link : file, '--node', 'cto_breakdown', '--reason', `s${i}`], dir).then((r) => ({ r, reason: `s${i}` })));
    }
    for (const { r, reason } of await Promise.all(batch)) (r.code === 0 ? acknowledged : failed).push(reason);
  }
  report('writers via a symlink and the real path', acknowledged, await recorded(dir, file), `${SYMLINKED} writers, half through current.yaml -> real.yaml; ${failed.length} refused`);
}

// 4. Pairs of concurrent `workflow run` on two runs of one template, one idle worker of the role.
// The template of test/controller/cross-run.e2e.test.ts (the same experiment, repeated here).
const SHARED = readFileSync(join(ROOT, 'test/fixtures/cross-run/shared.yaml'), 'utf8');

async function pairs() {
  let doubled = 0;
  let acknowledgedAssignments = 0;
  let errors = 0;
  const detail = [];
  for (let p = 0; p < PAIRS; p++) {
    const dir = tempRepo();
    const home = mkdtempSync(join(tmpdir(), 'agent-team-stress-home-'));
    temps.push(home);
    mkdirSync(join(dir, '.agents/teams/dev'), { recursive: true });
    writeFileSync(join(dir, '.agents/teams/dev/system.md'), 'You are a careful developer.\n');
    mkdirSync(join(dir, '.agents/workflow'), { recursive: true });
    writeFileSync(join(dir, '.agents/workflow/shared.yaml'), SHARED);
    writeFileSync(join(dir, '.agents/config.yaml'), `default_provider: scripted\nproviders:\n    scripted: "node ${AGENT} --log ${join(home, 'agent.log')}"\n`);
    writeFileSync(join(dir, '.gitignore'), '.agents/workflow/runs/\n.agents/workers/\n.worktrees/\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'setup');
    const env = { AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: join(home, 'global') };
    try {
      await ok(['trust', '--json'], dir, env); // the launch command comes from .agents/config.yaml
      await ok(['worker', 'create', 'dev', '--yes', '--json'], dir, env);
      const files = [];
      for (const id of ['r1', 'r2']) files.push((await ok(['workflow', 'state', 'init', '.agents/workflow/shared.yaml', '--run-id', id, '--json'], dir, env)).json.path);
      const reports = await Promise.all(files.map((f) => run(['workflow', 'run', f, '--json'], dir, { env })));
      const holders = [];
      for (const f of files) {
        const s = await run(['workflow', 'state', 'show', f, '--json'], dir, { env });
        const w = s.json?.node_states?.build?.worker;
        if (w) holders.push(w);
      }
      acknowledgedAssignments += holders.length;
      if (holders.length > 1 && new Set(holders).size < holders.length) doubled++;
      if (reports.some((r) => r.code !== 0)) {
        errors++;
        detail.push(reports.map((r) => (r.code === 0 ? 'ok' : `${r.code}: ${(r.json?.error?.message ?? r.stderr).split('\n')[0]}`)).join(' | '));
      }
    } catch (err) {
      errors++;
      detail.push(err.message.split('\n')[0]);
    } finally {
      await run(['worker', 'close', 'dev-001'], dir, { env });
    }
  }
  console.log(`concurrent workflow run pairs: ${PAIRS} pairs, ${acknowledgedAssignments} assignments, ${doubled} workers given two assignments, ${errors} pairs with a failed run`);
  for (const d of detail.slice(0, 5)) console.log(`  ${d}`);
  if (doubled) totals.failures.push(`pairs: ${doubled} workers got two assignments`);
}

const started = Date.now();
try {
  if (ONLY.includes('kills')) await kills();
  if (ONLY.includes('paused')) await paused();
  if (ONLY.includes('symlinked')) await symlinked();
  if (ONLY.includes('pairs')) await pairs();
} finally {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
}
console.log(`total: ${totals.acknowledged} acknowledged, ${totals.recorded} recorded, ${totals.lost} lost (${Math.round((Date.now() - started) / 1000)} s)`);
for (const f of totals.failures) console.log(`FAILED ${f}`);
process.exit(totals.failures.length ? 1 : 0);
