#!/usr/bin/env node
// Startup and scaling benchmark of the built CLI (issue #5). Plain JS, run by `npm run bench`, which
// builds dist/ first; this script builds nothing. Every figure comes from ONE run: each case is timed
// interleaved with the baseline `node -e 0` (same number of runs, same moment), and ratios are medians
// over medians. Writes bench/results.json and prints a table.
//
// Environment knobs: BENCH_RUNS (default 21 timed runs per case), BENCH_WARMUP (default 3),
// BENCH_KEEP=1 (keep the temp repositories and print where they are), BENCH_TASK_SECONDS (T of the
// parallel-runs section, default 10), BENCH_PARALLEL=0 (skip that section), BENCH_ONLY=startup,workers,parallel
// (run only the named sections; results go to bench/results-<sections>.json instead).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'agent-team.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const NODE = process.execPath;
const started = performance.now();
const SECTIONS = ['startup', 'workers', 'parallel'];
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const unknownSection = ONLY.find((x) => !SECTIONS.includes(x));
if (unknownSection) {
  console.error(`bench: BENCH_ONLY names an unknown section ${unknownSection}; use a comma-separated list of ${SECTIONS.join(', ')}`);
  process.exit(2);
}
/** Whether the section `name` runs: all of them unless BENCH_ONLY names some. */
const want = (name) => ONLY.length === 0 || ONLY.includes(name);

if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('bench: dist/ is missing; run `npm run bench` (it builds first) or `npm run build`');
  process.exit(2);
}

const temp = mkdtempSync(join(tmpdir(), 'agent-team-bench-'));
const tmuxSocket = `agent-team-bench-${process.pid}`; // a tmux -L socket name, as AGENT_TEAM_TMUX_SOCKET expects
const baseEnv = {
  ...process.env,
  NO_COLOR: '1',
  FORCE_COLOR: undefined,
  TMUX: undefined,
  TMUX_PANE: undefined,
  WEZTERM_PANE: undefined,
  AGENT_TEAM_TMUX_SOCKET: tmuxSocket,
};
delete baseEnv.FORCE_COLOR;
delete baseEnv.TMUX;
delete baseEnv.TMUX_PANE;
delete baseEnv.WEZTERM_PANE;

// ---------------------------------------------------------------------------------------------------
// helpers

const gitEnv = { ...baseEnv, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };
function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A fresh git repository with one commit, under the bench temp folder. */
function makeRepo(name) {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'commit.gpgsign', 'false');
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

function write(root, rel, content) {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** Runs the CLI synchronously (untimed setup). Returns { code, stdout, stderr }. */
function cli(cwd, args, env = {}) {
  const r = spawnSync(NODE, [BIN, ...args], { cwd, env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Wall time (ms) of one synchronous spawn; throws when the exit code is not `expect`. */
/**
 * CPU time (user + system, all threads) of a Node process, written at exit by a `--require` preload given
 * to every timed `node` (baseline and case alike): on a machine shared with other work, wall times swing
 * with the load and CPU times much less, so each start-up row also shows the CPU ratio.
 */
const CPU_PRELOAD = join(temp, 'cpu-preload.cjs');
const CPU_FILE = join(temp, 'cpu.txt');
writeFileSync(CPU_PRELOAD, "process.on('exit', () => { const c = process.cpuUsage(); require('node:fs').writeFileSync(process.env.AGENT_TEAM_BENCH_CPU, String((c.user + c.system) / 1000)); });\n");
/** CPU ms of the last `node` process timed by {@link timeOnce}. */
let lastCpuMs = NaN;

function timeOnce(argv, cwd, env, expect = 0) {
  const args = argv[0] === NODE ? ['--require', CPU_PRELOAD, ...argv.slice(1)] : argv.slice(1);
  rmSync(CPU_FILE, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], args, { cwd, env: { ...baseEnv, AGENT_TEAM_BENCH_CPU: CPU_FILE, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== expect) {
    throw new Error(`${argv.slice(1).join(' ')} exited ${r.status} (expected ${expect}): ${String(r.stderr).trim().split('\n')[0]}`);
  }
  lastCpuMs = argv[0] === NODE && existsSync(CPU_FILE) ? Number(readFileSync(CPU_FILE, 'utf8')) : NaN;
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

const BASELINE = [NODE, '-e', '0'];

/**
 * Times `measure()` (returns ms) `runs` times after `warmup` untimed runs, interleaved with the baseline
 * `node -e 0` so both see the same machine load. `prepare()` runs untimed before each measure.
 */
function bench({ runs = RUNS, warmup = WARMUP, prepare, measure, cwd }) {
  const samples = [];
  const base = [];
  const cpu = [];
  const baseCpu = [];
  for (let i = 0; i < warmup + runs; i++) {
    prepare?.(i);
    const b = timeOnce(BASELINE, cwd ?? temp, {});
    const bc = lastCpuMs;
    const m = measure(i);
    if (i >= warmup) {
      samples.push(m);
      base.push(b);
      cpu.push(lastCpuMs);
      baseCpu.push(bc);
    }
  }
  return { median: median(samples), baseline: median(base), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length, cpu: median(cpu), baselineCpu: median(baseCpu) };
}

const results = [];
const notes = [];

/** Records a row. `target` is { kind: 'ratio'|'abs', limit, against } */
function record(row) {
  results.push(row);
  const status = row.skipped ? 'skip' : row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL';
  const ratio = row.ratio === undefined || row.ratio === null ? '' : `${row.ratio.toFixed(2)}×`;
  const value = row.skipped ? 'skipped' : row.display ?? `${row.median_ms.toFixed(1)} ms`;
  process.stderr.write(`  ${row.name.padEnd(52)} ${value.padStart(10)}  ${ratio.padStart(7)}  ${status}\n`);
}

function ratioRow(name, r, limit, extra = {}) {
  const ratio = r.median / r.baseline;
  const cpu = { cpu_ms: round(r.cpu, 2), baseline_cpu_ms: round(r.baselineCpu, 2), cpu_ratio: round(r.cpu / r.baselineCpu, 3) };
  return { name, median_ms: round(r.median, 2), baseline_ms: round(r.baseline, 2), ratio: round(ratio, 3), ...cpu, target: `≤ ${limit} × node -e 0`, pass: ratio <= limit, runs: r.runs, min_ms: round(r.min, 2), max_ms: round(r.max, 2), ...extra };
}

function skip(name, target, why) {
  notes.push(`${name}: not available (${why})`);
  record({ name, skipped: true, target, why });
}

// ---------------------------------------------------------------------------------------------------
// fixtures

const PRESET = readFileSync(join(ROOT, 'presets', 'branching.yaml'), 'utf8');

/** A valid chain template of `n` nodes (n0 → n1 → … → n{n-1}, the last an end). */
function chainTemplate(n) {
  const lines = ['version: 1', 'name: big', 'roles:', '    dev:', '        role: dev', 'entry: n0', 'nodes:'];
  for (let i = 0; i < n; i++) {
    lines.push(`    - id: n${i}`, '      type: assign_role_task', '      actor: dev', `      task: Step ${i} of the generated chain`);
    lines.push(i === n - 1 ? '      end: true' : `      next: n${i + 1}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A run-state of the chain template with `entries` decision-log entries, current node n{cur}. */
function bigRunState(n, entries, cur) {
  const ts = (k) => new Date(Date.UTC(2026, 0, 1) + k * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const out = [
    'version: 1',
    'run_id: 20260101-000000-big',
    'workflow_file: .agents/workflow/big.yaml',
    'workflow_name: big',
    'status: ready',
    `current_node: n${cur}`,
    'pending_confirmation: ""',
    'blocking_reason: ""',
    'role_worker_map:',
    '    dev: dev-001',
    'node_states:',
  ];
  for (let i = 0; i < n; i++) {
    out.push(`    n${i}:`);
    if (i < cur) {
      out.push('        status: completed', `        started_at: "${ts(i)}"`, `        completed_at: "${ts(i)}"`, '        worker: dev-001', `        updated_at: "${ts(i)}"`, '        visits: 1');
    } else if (i === cur) {
      out.push('        status: pending', `        updated_at: "${ts(i)}"`, '        visits: 1');
    } else {
      out.push('        status: pending');
    }
  }
  out.push('decision_log:');
  for (let k = 0; k < entries; k++) {
    const node = `n${Math.min(cur - 1, k % Math.max(cur, 1))}`;
    const action = k % 2 === 0 ? 'start' : 'complete';
    out.push(`    - timestamp: "${ts(k)}"`, `      node: ${node}`, `      action: ${action}`);
    if (action === 'complete') out.push(`      next_node: n${Math.min(n - 1, Number(node.slice(1)) + 1)}`, `      summary: finished step ${k} of the run`);
    out.push('      worker: dev-001');
  }
  out.push(`created_at: "${ts(0)}"`, `updated_at: "${ts(entries)}"`);
  return `${out.join('\n')}\n`;
}

/** Preload that reports the process's peak RSS (KiB) to the file in AGENT_TEAM_BENCH_RSS at exit. */
const RSS_PRELOAD = join(temp, 'rss-preload.cjs');
writeFileSync(
  RSS_PRELOAD,
  "process.on('exit', () => { try { require('node:fs').writeFileSync(process.env.AGENT_TEAM_BENCH_RSS, String(process.resourceUsage().maxRSS)); } catch {} });\n",
);

/** Peak RSS (MB) of one CLI run, via the preload above (works wherever Node runs; no /usr/bin/time). */
function peakRss(cwd, args, prepare) {
  const values = [];
  for (let i = 0; i < 3; i++) {
    prepare?.();
    const file = join(temp, `rss-${i}.txt`);
    rmSync(file, { force: true });
    const r = spawnSync(NODE, ['--require', RSS_PRELOAD, BIN, ...args], { cwd, env: { ...baseEnv, AGENT_TEAM_BENCH_RSS: file }, stdio: 'ignore' });
    if (r.status !== 0 || !existsSync(file)) throw new Error(`peak RSS run of ${args.join(' ')} failed (exit ${r.status})`);
    values.push((Number(readFileSync(file, 'utf8')) * 1024) / 1e6); // maxRSS is in KiB; report MB (10^6 bytes)
  }
  return Math.max(...values);
}

// ---------------------------------------------------------------------------------------------------
// 1. startup-bound commands against node -e 0
if (want('startup')) {

  process.stderr.write(`agent-team bench: node ${process.version}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, ${RUNS} runs (+${WARMUP} warm-up) per case\n\n`);

  const repo = makeRepo('cli');
  const presetFile = write(repo, '.agents/workflow/feature.yaml', PRESET.replace('name: branching', 'name: feature'));
  const init = cli(repo, ['workflow', 'state', 'init', presetFile, '--run-id', 'bench', '--param', 'requirement=Bench a transition', '--json']);
  if (init.code !== 0) throw new Error(`state init failed: ${init.stderr}`);
  const stateFile = JSON.parse(init.stdout).path;
  const pristineState = readFileSync(stateFile);

  const run = (args, opts = {}) => ({ cwd: repo, measure: () => timeOnce([NODE, BIN, ...args], repo, {}, opts.expect ?? 0), ...opts });

  record(ratioRow('--version', bench(run(['--version'])), 1.3));
  record(ratioRow('workflow validate <preset>', bench(run(['workflow', 'validate', presetFile])), 1.3));
  // What the compile cache saves (bin/agent-team.js): the same command with it turned off.
  {
    const off = bench({ cwd: repo, measure: () => timeOnce([NODE, BIN, 'workflow', 'validate', presetFile], repo, { NODE_DISABLE_COMPILE_CACHE: '1' }) });
    record({ ...ratioRow('  same, NODE_DISABLE_COMPILE_CACHE=1 (reference)', off, 1.3), target: '(reference)', pass: undefined });
  }
  record(ratioRow('workflow state show', bench(run(['workflow', 'state', 'show', stateFile])), 1.3));

  const probeNext = cli(repo, ['workflow', 'state', 'next', stateFile]);
  if (!/unknown command/.test(probeNext.stderr)) {
    try {
      // `next` also asks git and the session backend (issue 13: target 1.6 ×)
      record(ratioRow('workflow state next', bench(run(['workflow', 'state', 'next', stateFile])), 1.6));
    } catch (err) {
      skip('workflow state next', '≤ 1.6 × node -e 0', (err).message);
    }
  } else {
    skip('workflow state next', '≤ 1.6 × node -e 0', 'the command does not exist in this build');
  }

  // One transition: `start` then `complete` of the entry node, on a fresh copy of the run each time.
  function transitionCase(cwd, file, pristine, node) {
    const restore = () => writeFileSync(file, pristine);
    const start = bench({
      cwd,
      prepare: restore,
      measure: () => timeOnce([NODE, BIN, 'workflow', 'state', 'start', file, '--node', node], cwd, {}),
    });
    const complete = bench({
      cwd,
      prepare: () => {
        restore();
        const r = cli(cwd, ['workflow', 'state', 'start', file, '--node', node]);
        if (r.code !== 0) throw new Error(`start failed: ${r.stderr}`);
      },
      measure: () => timeOnce([NODE, BIN, 'workflow', 'state', 'complete', file, '--node', node], cwd, {}),
    });
    restore();
    return { start, complete };
  }

  const presetTransition = transitionCase(repo, stateFile, pristineState, 'cto_breakdown');
  record(ratioRow('workflow state start (preset run)', presetTransition.start, 1.3));
  record(ratioRow('workflow state complete (preset run)', presetTransition.complete, 1.3));

  // The floor of any transition: bare Node plus one durable write of a run-state (temp file, fsync,
  // rename, fsync of the folder), which DESIGN.md requires. On a disk where fsync is slow this alone
  // can exceed 1.3 × node -e 0; the row shows how much of a transition's time it is.
  const floorScript = join(temp, 'durable-write.cjs');
  writeFileSync(
    floorScript,
    `const fs = require('node:fs'); const p = process.argv[2]; const t = p + '.tmp'; const fd = fs.openSync(t, 'w');
  fs.writeFileSync(fd, fs.readFileSync(p)); fs.fsyncSync(fd); fs.closeSync(fd); fs.renameSync(t, p);
  const d = fs.openSync(require('node:path').dirname(p), 'r'); fs.fsyncSync(d); fs.closeSync(d);\n`,
  );
  const floor = bench({ cwd: repo, measure: () => timeOnce([NODE, floorScript, stateFile], repo, {}) });
  record({ ...ratioRow('floor: node + one durable write (reference)', floor, 1.3), target: '(reference)', pass: undefined });

  // ---------------------------------------------------------------------------------------------------
  // 2. a transition on a 1,000-node template whose run has a 10,000-entry decision_log

  const bigRepo = makeRepo('big');
  write(bigRepo, '.agents/workflow/big.yaml', chainTemplate(1000));
  const bigState = write(bigRepo, '.agents/workflow/runs/big/big.yaml', bigRunState(1000, 10_000, 500));
  const bigPristine = readFileSync(bigState);
  {
    const check = cli(bigRepo, ['workflow', 'state', 'show', bigState, '--json']);
    if (check.code !== 0) throw new Error(`generated big run-state does not load: ${check.stderr}`);
    const parsed = JSON.parse(check.stdout);
    if (parsed.decision_log.length !== 10_000 || Object.keys(parsed.node_states).length !== 1000) throw new Error('generated big run-state has the wrong shape');
    if (check.stderr.trim() !== '') notes.push(`big run-state show warned: ${check.stderr.trim().split('\n')[0]}`);
  }
  const bigRuns = Math.max(7, Math.round(RUNS / 2));
  const bigStart = bench({
    cwd: bigRepo,
    runs: bigRuns,
    warmup: 1,
    prepare: () => writeFileSync(bigState, bigPristine),
    measure: () => timeOnce([NODE, BIN, 'workflow', 'state', 'start', bigState, '--node', 'n500'], bigRepo, {}),
  });
  writeFileSync(bigState, bigPristine);
  const bigRatio = bigStart.median / presetTransition.start.median;
  record({
    name: 'state start, 1,000 nodes + 10,000-entry log',
    median_ms: round(bigStart.median, 2),
    baseline_ms: round(presetTransition.start.median, 2),
    ratio: round(bigRatio, 3),
    cpu_ms: round(bigStart.cpu, 2),
    cpu_ratio: round(bigStart.cpu / presetTransition.start.cpu, 3),
    target: '≤ 3 × the same transition on a preset run',
    pass: bigRatio <= 3,
    runs: bigStart.runs,
    min_ms: round(bigStart.min, 2),
    max_ms: round(bigStart.max, 2),
    state_file_bytes: bigPristine.length,
  });
  const rss = peakRss(bigRepo, ['workflow', 'state', 'start', bigState, '--node', 'n500'], () => writeFileSync(bigState, bigPristine));
  writeFileSync(bigState, bigPristine);
  record({ name: 'peak RSS of that transition (max of 3)', median_ms: null, peak_rss_mb: round(rss, 1), display: `${rss.toFixed(1)} MB`, target: '≤ 150 MB', pass: rss <= 150 });

  // The YAML library question (issue 13): the project names `yaml`; src/store/yaml-file.ts also uses
  // `js-yaml` for run-state data. Same 1.4 MB run-state, read and written in-process by each library, runs
  // interleaved; the second row estimates the transition above if `yaml` did both jobs.
  {
    const requireHere = createRequire(import.meta.url);
    const jsYaml = requireHere('js-yaml');
    const YAML = requireHere('yaml');
    const text = bigPristine.toString('utf8');
    const data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
    const time = (f) => {
      const t0 = performance.now();
      f();
      return performance.now() - t0;
    };
    const js = [];
    const ya = [];
    for (let i = 0; i < Math.max(5, Math.round(RUNS / 3)); i++) {
      js.push(time(() => jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA })) + time(() => jsYaml.dump(data, { indent: 2, lineWidth: -1, noRefs: true, quotingType: '"' })));
      ya.push(time(() => YAML.parse(text, { uniqueKeys: true, maxAliasCount: 100 })) + time(() => YAML.stringify(data, { indent: 2, lineWidth: 0 })));
    }
    const ratio = median(ya) / median(js);
    record({ name: 'read + write that run-state: yaml vs js-yaml', median_ms: round(median(ya), 2), baseline_ms: round(median(js), 2), ratio: round(ratio, 3), target: '(reference)', pass: undefined });
    const estimate = (bigStart.median - median(js) + median(ya)) / bigStart.median;
    record({ name: 'that transition with yaml only (estimate)', median_ms: round(bigStart.median - median(js) + median(ya), 2), baseline_ms: round(bigStart.median, 2), ratio: round(estimate, 3), target: '(reference: js-yaml stays when > 1.5 ×)', pass: undefined });
    notes.push(estimate > 1.5 ? `yaml alone would make the large-run transition ${estimate.toFixed(2)} × slower: js-yaml stays, behind src/store/yaml-file.ts` : `yaml alone would cost only ${estimate.toFixed(2)} × on the large-run transition: js-yaml can go`);
  }

}

// ---------------------------------------------------------------------------------------------------
// 3. workers: `worker open` until the launch command is typed, until a claude-like agent is ready, and
// until a first task is confirmed delivered; `worker status` with 1 vs 100 workers
if (want('workers')) {

  // The panes' shells start from a HOME of their own: this measures agent-team, not the machine user's
  // shell start-up files (this machine's ~/.bashrc runs `pyenv init`, ~0.15-0.3 s; the reference row
  // below times it). It also keeps `agent-team trust` records out of the user's ~/.agents.
  const benchHome = join(temp, 'home');
  mkdirSync(benchHome, { recursive: true });
  const workerEnv = { HOME: benchHome, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };

  function setUpWorkerRepo(name) {
    const dir = makeRepo(name);
    write(dir, '.agents/teams/bench/SKILL.md', '---\nname: bench\ndescription: benchmark role\n---\n\n# bench\n\nDo nothing.\n');
    write(dir, '.agents/config.yaml', 'providers:\n    bench: "sleep 600"\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'bench role');
    cli(dir, ['trust'], workerEnv); // the launch command comes from .agents/config.yaml
    return dir;
  }

  /** The stand-in agent as a claude-like provider (`like: claude`: hooks, session id, first task on the command line). */
  function useStandIn(dir) {
    const agent = fileURLToPath(new URL('../test/agent/scripted-agent.mjs', import.meta.url));
    write(dir, '.agents/config.yaml', `providers:\n    bench: { command: "node ${agent} --log ${join(dir, 'agent.log')}", like: claude }\n`);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'stand-in provider');
    cli(dir, ['trust'], workerEnv);
  }

  function tmuxAvailable() {
    return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
  }

  /**
   * A session that keeps the bench's private tmux server up between runs, as the controller's own pane
   * does when the controller runs in tmux (without it every `worker open` would also start a server).
   */
  function keepTmuxServer() {
    spawnSync('tmux', ['-L', tmuxSocket, 'new-session', '-d', '-s', 'bench-controller', 'cat > /dev/null'], { env: { ...baseEnv, ...workerEnv }, stdio: 'ignore' });
  }

  /** Creates a worker with `worker create bench --provider bench`; returns its id. Throws on failure. */
  function createWorker(dir, env) {
    const r = cli(dir, ['worker', 'create', 'bench', '--provider', 'bench', '--json'], env);
    if (r.code !== 0) throw new Error(r.stderr.trim().split('\n')[0] || `worker create exited ${r.code}`);
    let id;
    try {
      const j = JSON.parse(r.stdout);
      id = j.worker_id ?? j.id ?? j.worker?.worker_id ?? j.worker?.id;
    } catch {
      // not JSON: look for the id in the text
    }
    id ??= /bench-\d{3}/.exec(r.stdout)?.[0];
    if (!id) throw new Error(`could not find the worker id in: ${r.stdout.trim()}`);
    return id;
  }

  /**
   * Times `argsFor(id)` (a `worker open` or `worker assign`) on fresh workers: one untimed warm-up run,
   * then max(5, RUNS/3) timed ones, each followed by `worker close`, each next to a `node -e 0` (the ratio
   * column: these rows' times move with the machine's load). `check(stdout)` throws on a bad result.
   */
  function timedOpens({ name, label, limitMs, dir, env, argsFor, check }) {
    const target = `≤ ${limitMs} ms`;
    const samples = [];
    const base = [];
    const runs = Math.max(5, Math.round(RUNS / 3));
    try {
      if (label === 'tmux') keepTmuxServer();
      for (let i = 0; i < runs + 1; i++) {
        const id = createWorker(dir, env);
        const t0 = process.hrtime.bigint();
        const r = spawnSync(NODE, [BIN, ...argsFor(id)], { cwd: dir, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r.status !== 0) throw new Error(String(r.stderr).trim().split('\n')[0] || `${argsFor(id).slice(0, 2).join(' ')} exited ${r.status}`);
        check?.(String(r.stdout));
        const b = timeOnce(BASELINE, temp, {});
        if (i > 0) {
          samples.push(ms);
          base.push(b);
        }
        cli(dir, ['worker', 'close', id], env);
      }
    } catch (err) {
      return skip(name, target, err.message);
    } finally {
      if (label === 'tmux') spawnSync('tmux', ['-L', tmuxSocket, 'kill-server'], { stdio: 'ignore' });
    }
    const m = median(samples);
    const b = median(base);
    record({ name, median_ms: round(m, 2), baseline_ms: round(b, 2), ratio: round(m / b, 2), target, pass: m <= limitMs, runs: samples.length, min_ms: round(Math.min(...samples), 2), max_ms: round(Math.max(...samples), 2) });
  }

  const backends = [
    { label: 'tmux', env: { ...workerEnv, AGENT_TEAM_BACKEND: 'tmux' } },
    { label: 'process', env: { ...workerEnv, AGENT_TEAM_BACKEND: 'process' } },
  ];

  /**
   * A plain provider (`sleep 600`, no events): `worker open` up to the launch command typed and the
   * program seen holding the pane (session 1's row). Such a provider cannot say it started, so a real
   * `worker open` also waits the settle bound (AGENT_TEAM_START_SETTLE_MS, default 1 s) on top; it is set
   * to 1 ms here so the row times agent-team's own work.
   */
  for (const { label, env } of backends) {
    const name = `worker open (${label}) → launch typed`;
    if (label === 'tmux' && !tmuxAvailable()) skip(name, '≤ 500 ms', 'tmux is not installed');
    else timedOpens({ name, label, limitMs: 500, dir: setUpWorkerRepo(`open-${label}`), env: { ...env, AGENT_TEAM_START_SETTLE_MS: '1' }, argsFor: (id) => ['worker', 'open', id] });
  }

  /** The stand-in agent as claude, default settle bound: `worker open` until its SessionStart hook says it is up. */
  for (const { label, env } of backends) {
    const name = `worker open → ready (${label}, stand-in agent as claude)`;
    if (label === 'tmux' && !tmuxAvailable()) {
      skip(name, '≤ 500 ms', 'tmux is not installed');
      continue;
    }
    const dir = setUpWorkerRepo(`ready-${label}`);
    useStandIn(dir);
    const check = (stdout) => {
      if (JSON.parse(stdout).activity?.activity !== 'ready') throw new Error(`the agent was not ready: ${stdout.slice(0, 200)}`);
    };
    timedOpens({ name, label, limitMs: 500, dir, env, argsFor: (id) => ['worker', 'open', id, '--json'], check });
  }

  /**
   * `worker assign` on a worker that is not open, with the stand-in agent as claude: worktree, change,
   * pane, launch command with the task on it, the agent's SessionStart and UserPromptSubmit hooks (each
   * one run of the hook program) — until the task is confirmed delivered.
   */
  for (const { label, env } of backends) {
    const name = `worker open → first task delivered (${label}, stand-in agent as claude)`;
    if (label === 'tmux' && !tmuxAvailable()) {
      skip(name, '≤ 500 ms', 'tmux is not installed');
      continue;
    }
    const dir = setUpWorkerRepo(`deliver-${label}`);
    useStandIn(dir);
    const check = (stdout) => {
      if (JSON.parse(stdout).delivery !== 'confirmed') throw new Error('the task was not confirmed');
    };
    timedOpens({ name, label, limitMs: 500, dir, env, argsFor: (id) => ['worker', 'assign', id, 'Nothing to do', '--json'], check });
  }

  /** Reference: the pane shell's start-up with this machine user's own start-up files, which the rows above leave out. */
  function shellRcCase() {
    const shell = process.env.SHELL || '/bin/bash';
    const name = `reference: ${shell.split('/').pop()} -l -i start-up with the user's rc files`;
    const own = [];
    const clean = [];
    for (let i = 0; i < WARMUP + 7; i++) {
      const a = timeOnce([shell, '-l', '-i', '-c', 'exit'], temp, {});
      const b = timeOnce([shell, '-l', '-i', '-c', 'exit'], temp, { HOME: benchHome });
      if (i >= WARMUP) {
        own.push(a);
        clean.push(b);
      }
    }
    record({ name, median_ms: round(median(own), 2), baseline_ms: round(median(clean), 2), target: `(reference: ${round(median(clean), 1)} ms without them)`, runs: own.length });
  }
  try {
    shellRcCase();
  } catch (err) {
    notes.push(`shell start-up reference: not measured (${err.message})`);
  }

  /** Writes `.agents/workers/<id>/worker.yaml` in the Go format (used when `worker create` is missing or for the bulk). */
  function writeWorkerYaml(dir, id) {
    write(
      dir,
      `.agents/workers/${id}/worker.yaml`,
      `worker_id: ${id}\nrole: bench\nprovider: bench\npane_id: ""\ncreated_at: "2026-01-01T00:00:00Z"\nworktree_created: false\n`,
    );
  }

  function statusCase() {
    const name = 'worker status, 100 workers vs 1';
    const target = '≤ 2 × the 1-worker time';
    const env = { ...workerEnv, AGENT_TEAM_BACKEND: 'tmux' };
    const one = setUpWorkerRepo('status-1');
    const hundred = setUpWorkerRepo('status-100');
    let created = 'worker create';
    try {
      createWorker(one, env);
      for (let i = 0; i < 100; i++) createWorker(hundred, env);
    } catch {
      created = 'worker.yaml files written directly (worker create unavailable)';
      rmSync(join(one, '.agents/workers'), { recursive: true, force: true });
      rmSync(join(hundred, '.agents/workers'), { recursive: true, force: true });
      writeWorkerYaml(one, 'bench-001');
      for (let i = 1; i <= 100; i++) writeWorkerYaml(hundred, `bench-${String(i).padStart(3, '0')}`);
    }
    const probe = cli(one, ['worker', 'status'], env);
    if (probe.code !== 0) return skip(name, target, probe.stderr.trim().split('\n')[0] || `worker status exited ${probe.code}`);
    const samples1 = [];
    const samples100 = [];
    const base = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const b = timeOnce(BASELINE, temp, {});
      const a = timeOnce([NODE, BIN, 'worker', 'status'], one, env);
      const c = timeOnce([NODE, BIN, 'worker', 'status'], hundred, env);
      if (i >= WARMUP) {
        samples1.push(a);
        samples100.push(c);
        base.push(b);
      }
    }
    const m1 = median(samples1);
    const m100 = median(samples100);
    record({ name: 'worker status, 1 worker', median_ms: round(m1, 2), baseline_ms: round(median(base), 2), ratio: round(m1 / median(base), 3), target: '(reference)', runs: RUNS });
    record({ name, median_ms: round(m100, 2), baseline_ms: round(m1, 2), ratio: round(m100 / m1, 3), target, pass: m100 / m1 <= 2, runs: RUNS, workers_made_with: created });
  }
  try {
    statusCase();
  } catch (err) {
    skip('worker status, 100 workers vs 1', '≤ 2 × the 1-worker time', err.message);
  }

}

// ---------------------------------------------------------------------------------------------------
// 4. parallel runs (issue 12): 4 independent tasks, the stand-in agent taking T seconds each
// (bench/parallel.js; BENCH_TASK_SECONDS sets T, BENCH_PARALLEL=0 skips this section)

if (want('parallel') && process.env.BENCH_PARALLEL !== '0') {
  const name = '4 tasks × T s: for_each (wall / T)';
  try {
    const { parallelCase } = await import('./parallel.js');
    const p = parallelCase();
    record({ name, median_ms: p.for_each_s * 1000, display: `${p.for_each_s} s`, ratio: p.for_each_ratio, target: '≤ 1.5 T', pass: p.pass, task_seconds: p.seconds });
    record({ name: '4 tasks × T s: sequential (wall / T)', median_ms: p.sequential_s * 1000, display: `${p.sequential_s} s`, ratio: p.sequential_ratio, target: '(reference: ≥ 4 T)', task_seconds: p.seconds });
    notes.push(`parallel runs: T = ${p.seconds} s; for_each is ${(p.sequential_s / p.for_each_s).toFixed(2)}× faster than the same 4 tasks in sequence`);
  } catch (err) {
    skip(name, '≤ 1.5 T', err.message);
  }
}

// ---------------------------------------------------------------------------------------------------
// report

const elapsed = (performance.now() - started) / 1000;
const baselineAll = median(results.filter((r) => r.baseline_ms && r.target?.includes('node -e 0')).map((r) => r.baseline_ms));
const header = ['command', 'median ms', 'ratio', 'CPU ratio', 'target', 'result'];
const rows = results.map((r) => [
  r.name,
  r.skipped ? '—' : r.display ?? r.median_ms?.toFixed(1) ?? '',
  r.skipped || r.ratio === undefined || r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
  r.cpu_ratio === undefined || r.cpu_ratio === null ? '' : `${r.cpu_ratio.toFixed(2)}×`,
  r.target,
  r.skipped ? 'not available' : r.pass === undefined ? '' : r.pass ? 'pass' : 'FAIL',
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
console.log('');
if (baselineAll !== undefined && !Number.isNaN(baselineAll)) console.log(`baseline node -e 0: median ${baselineAll.toFixed(1)} ms (measured interleaved with every case)`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
for (const n of notes) console.log(`note: ${n}`);
console.log(`total bench time: ${elapsed.toFixed(0)} s`);

const out = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model,
  runs: RUNS,
  warmup: WARMUP,
  baseline_node_e_0_ms: round(baselineAll, 2),
  results,
  notes,
  seconds: round(elapsed, 1),
};
writeFileSync(join(ROOT, 'bench', ONLY.length ? `results-${ONLY.join('-')}.json` : 'results.json'), `${JSON.stringify(out, null, 2)}\n`);

if (process.env.BENCH_KEEP === '1') console.log(`temp repositories kept in ${temp}`);
else rmSync(temp, { recursive: true, force: true });
