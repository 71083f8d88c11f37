// Bench section "4 independent tasks, the stand-in agent taking T seconds each" (issue 12): wall time
// of a run whose node has `for_each` over 4 items (4 workers at once) against the same 4 tasks as 4
// sequential nodes, both driven by `agent-team workflow run --wait` with the scripted stand-in agent as a
// claude-like provider (test/agent/scripted-agent.mjs, `like: claude`, `delay_ms` = T) on the headless
// process backend. Target: for_each
// ≤ 1.5 T (sequential ≥ 4 T). Run alone with `node bench/parallel.js` (after `npm run build`);
// BENCH_TASK_SECONDS sets T (default 10).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'agent-team.js');
const AGENT = join(ROOT, 'test', 'agent', 'scripted-agent.mjs');
const NODE = process.execPath;
const TASKS = ['t1', 't2', 't3', 't4'];

const EACH = `version: 1
name: each
roles:
    dev: { role: dev }
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      for_each: { items: [${TASKS.join(', ')}] }
      task: "Build task {{item}}"
      next: done
    - id: done
      type: controller_task
      end: true
`;

const SEQUENTIAL = `version: 1
name: sequential
roles:
    dev: { role: dev }
entry: build_t1
nodes:
${TASKS.map((t, i) => `    - id: build_${t}
      type: assign_role_task
      actor: dev
      task: "Build task ${t}"
      next: ${i + 1 < TASKS.length ? `build_${TASKS[i + 1]}` : 'done'}
`).join('')}    - id: done
      type: controller_task
      end: true
`;

function write(root, rel, content) {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** Runs one workflow to its `done` node; returns the wall time in seconds from the first `workflow run`. */
function timeRun(temp, name, yaml, seconds, env) {
  const dir = join(temp, name);
  mkdirSync(dir, { recursive: true });
  const gitEnv = { ...env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };
  const git = (...args) => execFileSync('git', args, { cwd: dir, env: gitEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  const playbook = write(dir, '../' + name + '-playbook.json', JSON.stringify({ steps: TASKS.map((t) => ({ match: `task ${t}`, files: { [`${t}.txt`]: `${t}\n` }, commit: `Build ${t}`, reply: `Task completed: ${t}`, delay_ms: seconds * 1000 })) }));
  write(dir, '.agents/teams/dev/system.md', 'You build things.\n');
  // like: claude — the stand-in speaks claude's hooks (start, prompt received, turn ended), as a real agent does
  write(dir, '.agents/config.yaml', `default_provider: scripted\nproviders:\n    scripted: { command: "node ${AGENT} --playbook ${playbook} --log ${join(temp, `${name}-agent.log`)}", like: claude }\n`);
  write(dir, '.agents/workflow/' + name + '.yaml', yaml);
  write(dir, '.gitignore', '.agents/workflow/runs/\n.agents/workers/\n.worktrees/\n');
  write(dir, 'README.md', '# bench\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'setup');
  const limit = seconds * TASKS.length * 4 + 120; // seconds
  const cli = (...args) => spawnSync(NODE, [BIN, ...args], { cwd: dir, env: gitEnv, encoding: 'utf8', timeout: (limit + 30) * 1000 });
  // the stand-in agent is a provider from .agents/config.yaml: the project must be trusted first
  const trusted = cli('trust', '--json');
  if (trusted.status !== 0) throw new Error(`trust: ${trusted.stderr}`);
  const init = cli('workflow', 'state', 'init', `.agents/workflow/${name}.yaml`, '--run-id', 'bench', '--json');
  if (init.status !== 0) throw new Error(`state init: ${init.stderr}`);
  const file = JSON.parse(init.stdout).path;
  const t0 = performance.now();
  try {
    // as a controller drives it: `workflow run --wait` acts, then blocks until the run needs the controller
    for (;;) {
      const r = cli('workflow', 'run', file, '--wait', '--timeout', `${limit}s`, '--json');
      if (r.status !== 0) throw new Error(`workflow run: ${r.stderr || r.stdout}`);
      if (/^current_node: done$/m.test(readFileSync(file, 'utf8'))) return (performance.now() - t0) / 1000;
      if ((performance.now() - t0) / 1000 > limit) throw new Error(`${name} did not finish: ${r.stdout}`);
    }
  } finally {
    // stop the stand-in agents (process backend: each pane is a process group recorded as proc:<pid>:…)
    for (const id of TASKS.map((_, i) => `dev-${String(i + 1).padStart(3, '0')}`)) {
      try {
        const yaml = readFileSync(join(dir, '.agents/workers', id, 'worker.yaml'), 'utf8');
        const pid = /pane_id:\s*"?proc:(\d+):/.exec(yaml)?.[1];
        if (pid) process.kill(-Number(pid), 'SIGKILL');
      } catch {
        // no such worker or already gone
      }
    }
  }
}

/**
 * Measures both runs with tasks of `seconds` s each. Returns { seconds, for_each_s, sequential_s,
 * for_each_ratio, sequential_ratio, pass } (ratios are wall time / T).
 */
export function parallelCase(seconds = Number(process.env.BENCH_TASK_SECONDS ?? 10)) {
  const temp = mkdtempSync(join(tmpdir(), 'agent-team-bench-parallel-'));
  const env = { ...process.env, NO_COLOR: '1', AGENT_TEAM_BACKEND: 'process', AGENT_TEAM_HOME: join(temp, 'home') };
  for (const k of ['FORCE_COLOR', 'TMUX', 'TMUX_PANE', 'WEZTERM_PANE', 'AGENT_TEAM_PANE', 'AGENT_TEAM_WORKER_ID']) delete env[k];
  try {
    const each = timeRun(temp, 'each', EACH, seconds, env);
    const sequential = timeRun(temp, 'sequential', SEQUENTIAL, seconds, env);
    const round = (x) => Math.round(x * 100) / 100;
    return { seconds, for_each_s: round(each), sequential_s: round(sequential), for_each_ratio: round(each / seconds), sequential_ratio: round(sequential / seconds), pass: each <= 1.5 * seconds };
  } finally {
    if (process.env.BENCH_KEEP !== '1') rmSync(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = parallelCase();
  console.log(`4 independent tasks, stand-in agent ${r.seconds} s each: for_each ${r.for_each_s} s (${r.for_each_ratio} T, target ≤ 1.5 T: ${r.pass ? 'pass' : 'FAIL'}); sequential ${r.sequential_s} s (${r.sequential_ratio} T)`);
  console.log(JSON.stringify(r));
}
