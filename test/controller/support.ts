/**
 * Shared setup for the controller-loop end-to-end tests: a real git repository with roles `dev` and `qa`,
 * `.agents/config.yaml` whose default provider is the scripted stand-in agent (with a playbook this file
 * writes and tests may rewrite), a controller pane on a private tmux socket (or the headless process
 * backend) that appends whatever is typed into it to a log, and the built CLI. Every `workflow state next`
 * and `workflow run` document seen goes through {@link expectTaught}: each printed command line must be
 * one the skill teaches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { getBackend } from '../../src/session/index.js';
import { startWatching } from '../../src/store/watch.js';
import { splitParam } from '../../src/workflow/params.js';
import { readRunState } from '../../src/workflow/run-state.js';
import { initRun } from '../../src/workflow/state-service.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { git, tempDir, tempRepo, writeFile } from '../helpers/repo.js';
import { trustInHome } from '../helpers/trust.js';
import { expectTaught, shellWords } from './skill-table.js';

/** Absolute path of the scripted stand-in agent. */
export const AGENT = fileURLToPath(new URL('../agent/scripted-agent.mjs', import.meta.url));

/** Whether tmux is installed. */
import { hasTmux } from '../helpers/private-tmux.js';

/** Whether tmux runs here (see test/helpers/private-tmux.ts). */
export { hasTmux };

/** One step of the stand-in agent's playbook (see test/agent/scripted-agent.mjs). */
export interface PlaybookStep {
  match: string;
  files?: Record<string, string>;
  commit?: string;
  reply?: string;
  outcome?: string;
  status?: 'done' | 'blocked' | 'needs-input';
  /** A verification command run in the worktree: exit 0 → outcome passed, else failed (its output goes into the reply). */
  run?: string;
  /** Used only for the first description it matches. */
  once?: boolean;
  /** Passed over when the prompt holds this text (e.g. the answer to the question the step asks). */
  skip_if?: string;
}

/** Options of {@link makeTeam}. */
export interface TeamOptions {
  backend: 'tmux' | 'process';
  /** Workflow templates: name → YAML, written to .agents/workflow/<name>.yaml. */
  workflows: Record<string, string>;
  playbook: PlaybookStep[];
  /** Extra files committed on main before anything runs. */
  files?: Record<string, string>;
}

/** A test project with its controller pane. */
export interface Team {
  root: string;
  backend: 'tmux' | 'process';
  socket: string;
  env: Record<string, string | undefined>;
  agentLog: string;
  controllerLog: string;
  playbookFile: string;
  controllerPane: string;
  /** Runs the CLI in the repository root (or `cwd`). */
  at(args: string[], cwd?: string): CliResult;
  /** Runs `<args> --json` and expects exit 0; returns the document. */
  ok(args: string[], cwd?: string): any;
  /** What `workflow state init .agents/workflow/<workflow>.yaml --run-id <runId> [--param k=v…]` does (in-process); returns the state file (relative). */
  init(workflow: string, runId: string, ...extra: string[]): string;
  /** `workflow state next <file> --json` (checked against the skill). */
  next(file: string): any;
  /** `workflow run <file> [--yes] --json` (its `next` checked against the skill). */
  run(file: string, yes?: boolean): any;
  /** The run-state as `workflow state show <file> --json` prints it (read in-process). */
  show(file: string): any;
  /** The run-state file's bytes. */
  bytes(file: string): string;
  /** `reply-main <message> <flags…> --json` from inside the worker's worktree, as the worker. */
  replyMain(worker: string, message: string, ...flags: string[]): CliResult;
  /** Waits (bounded) until a reply from `worker` is recorded on `node`, or the run moved past it. */
  waitForReply(file: string, node: string, timeoutMs?: number): Promise<any>;
  /** Waits (bounded) until the stand-in agent's log contains `text` `count` times. */
  waitForAgent(text: string, count?: number, timeoutMs?: number): Promise<string>;
  /** Rewrites the playbook (a restarted agent reads the new one). */
  setPlaybook(steps: PlaybookStep[]): void;
  /** Starts (again) a controller pane that appends what is typed into it to controllerLog; updates env. */
  startControllerPane(): Promise<string>;
  /** Kills every pane and process of the project: tmux kill-server, or SIGKILL to every process pane's group. */
  killEverything(): Promise<void>;
  /** Worker ids with a config folder. */
  workers(): string[];
  cleanup(): Promise<void>;
}

let counter = 0;

/** Counts occurrences of `needle` in `haystack`. */
export function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/**
 * Resolves with `condition()`'s first value other than `undefined`, looking again whenever one of `files`
 * changes (fs.watch through src/store/watch.ts, which latches a change made while `condition` runs) and
 * once a second as a safety net. Throws after `timeoutMs` (ms) naming `description`.
 */
async function waitOnFiles<T>(files: string[], condition: () => T | undefined, timeoutMs: number, description: string): Promise<T> {
  const watcher = startWatching({ files, folders: [] }, { fallbackPollMs: 200 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const value = condition();
      if (value !== undefined) return value;
      if ((await watcher.wait({ deadline, recheckMs: 1000 })) === 'timeout') {
        const last = condition();
        if (last !== undefined) return last;
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
      }
    }
  } finally {
    watcher.close();
  }
}

/** A repository on `main` with roles dev and qa, the workflows, the scripted provider, and a controller pane. */
export async function makeTeam(options: TeamOptions): Promise<Team> {
  const repo = tempRepo('agent-team-ctl-');
  const home = tempDir('agent-team-ctl-home-');
  const root = repo.dir;
  const agentLog = join(home.dir, 'agent.log');
  const controllerLog = join(home.dir, 'controller.log');
  const playbookFile = join(home.dir, 'playbook.json');
  const socket = `agent-team-ctl-${process.pid}-${Date.now()}-${counter++}`;
  const setPlaybook = (steps: PlaybookStep[]) => writeFileSync(playbookFile, `${JSON.stringify({ steps }, null, 2)}\n`);
  setPlaybook(options.playbook);

  writeFile(root, '.agents/teams/dev/system.md', 'You are a careful developer.\n');
  writeFile(root, '.agents/teams/qa/system.md', 'You are a thorough tester.\n');
  const launch = `"node ${AGENT} --playbook ${playbookFile} --log ${agentLog}"`;
  writeFile(root, '.agents/config.yaml', `default_provider: scripted\nproviders:\n    scripted: ${launch}\n`);
  for (const [name, yaml] of Object.entries(options.workflows)) writeFile(root, `.agents/workflow/${name}.yaml`, yaml);
  for (const [path, text] of Object.entries(options.files ?? {})) writeFile(root, path, text);
  // Runs, worker configs and worktrees are not the project's files: the controller's tree stays clean.
  writeFile(root, '.gitignore', '.agents/workflow/runs/\n.agents/workers/\n.worktrees/\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'agent-team setup');

  const env: Record<string, string | undefined> = {
    AGENT_TEAM_BACKEND: options.backend,
    AGENT_TEAM_TMUX_SOCKET: socket,
    AGENT_TEAM_HOME: join(home.dir, 'global'),
    // The stand-in agent never quits at start (what the settle bound catches, tested in
    // test/worker/e2e-open-start.test.ts): a shorter bound only saves the checks of every `worker open`.
    AGENT_TEAM_START_SETTLE_MS: process.env.TRIMCTL_SETTLE ?? '200',
    TMUX: undefined,
    TMUX_PANE: undefined,
    WEZTERM_PANE: undefined,
    AGENT_TEAM_PANE: undefined,
    AGENT_TEAM_WORKER_ID: undefined,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  const backendEnv = () => Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  const controllerDir = join(home.dir, 'controller');
  let controllerPane = '';

  const at = (args: string[], cwd = root) => cli(args, { cwd, env });
  // The scripted provider and any template command: come from the project, so it must be trusted first
  // (the record `agent-team trust` writes; the command itself is tested in test/trust/).
  trustInHome(root, env.AGENT_TEAM_HOME as string);
  const ok = (args: string[], cwd = root) => {
    const r = at([...args, '--json'], cwd);
    expect(r.code, `agent-team ${args.join(' ')}\n${r.stderr}${r.stdout}`).toBe(0);
    return r.json;
  };
  const readAgentLog = () => (existsSync(agentLog) ? readFileSync(agentLog, 'utf8') : '');

  const team: Team = {
    root,
    backend: options.backend,
    socket,
    env,
    agentLog,
    controllerLog,
    playbookFile,
    get controllerPane() {
      return controllerPane;
    },
    at,
    ok,
    init(workflow, runId, ...extra) {
      // `workflow state init` in-process, with the function the command calls: a fixture step here (the
      // command itself is tested in test/workflow/), and a spawned CLI costs ~0.1 s of CPU.
      const paramTexts = extra.map((word, i) => {
        if (i % 2 === 0 && word !== '--param') throw new Error(`team.init: only --param k=v is supported, got ${word}`);
        return word;
      }).filter((_, i) => i % 2 === 1).map(splitParam);
      const { path } = initRun({ workflowFile: `.agents/workflow/${workflow}.yaml`, runId, paramTexts, cwd: root });
      return path.slice(root.length + 1);
    },
    next(file) {
      const step = ok(['workflow', 'state', 'next', file]);
      expectTaught(step);
      return step;
    },
    run(file, yes = false) {
      const report = ok(['workflow', 'run', file, ...(yes ? ['--yes'] : [])]);
      expectTaught(report.next);
      return report;
    },
    show(file) {
      // What `workflow state show --json` prints ({ ...run-state, path }), read in-process with the CLI's own
      // parser: a spawned CLI costs ~0.1 s of CPU, and these tests read the run-state ~100 times (the
      // command itself is tested in test/workflow/cli-json.test.ts and cli-commands.test.ts).
      const path = resolve(root, file);
      return JSON.parse(JSON.stringify({ ...readRunState(path), path }));
    },
    bytes(file) {
      return readFileSync(join(root, file), 'utf8');
    },
    replyMain(worker, message, ...flags) {
      return at(['reply-main', message, ...flags, '--json'], join(root, '.worktrees', worker));
    },
    async waitForReply(file, node, timeoutMs = 20_000) {
      // Wakes on changes of the run-state file (reply-main writes it), not on a timer: a poll every 100 ms
      // cost more CPU the slower a shared machine ran the agent.
      const path = resolve(root, file);
      return waitOnFiles([path], () => {
        const s = readRunState(path);
        return s.node_states?.[node]?.reply || s.current_node !== node ? team.show(file) : undefined;
      }, timeoutMs, `a reply on ${node}`).catch((err: Error) => {
        throw new Error(`${err.message}\n--- agent log ---\n${readAgentLog()}`);
      });
    },
    async waitForAgent(text, count = 1, timeoutMs = 20_000) {
      return waitOnFiles([agentLog], () => (occurrences(readAgentLog(), text) >= count ? readAgentLog() : undefined), timeoutMs, `the agent log to contain ${JSON.stringify(text)} ${count} time(s)`).catch((err: Error) => {
        throw new Error(`${err.message}\n--- agent log ---\n${readAgentLog()}`);
      });
    },
    setPlaybook,
    async startControllerPane() {
      mkdirSync(controllerDir, { recursive: true });
      const backend = getBackend(options.backend, backendEnv());
      const pane = await backend.spawn({ workerId: `controller-${counter++}`, cwd: root, stateDir: controllerDir, env: {} });
      await backend.sendText(pane.paneId, `cat >> '${controllerLog}'`);
      controllerPane = pane.paneId;
      if (options.backend === 'tmux') env.TMUX_PANE = pane.paneId;
      else env.AGENT_TEAM_PANE = pane.paneId;
      return pane.paneId;
    },
    async killEverything() {
      if (options.backend === 'tmux') {
        try {
          execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
        } catch {
          // no server
        }
        return;
      }
      const panes = [controllerPane, ...team.workers().map((id) => /pane_id:\s*"?([^"\n]*)"?/.exec(readFileSync(join(root, '.agents/workers', id, 'worker.yaml'), 'utf8'))?.[1] ?? '')];
      for (const pane of panes) {
        const pid = /^proc:(\d+):/.exec(pane)?.[1];
        if (!pid) continue;
        try {
          process.kill(-Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
    workers() {
      const dir = join(root, '.agents/workers');
      return existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'worker.yaml'))).sort() : [];
    },
    async cleanup() {
      await team.killEverything();
      if (options.backend === 'tmux') {
        // tmux leaves its socket file behind after kill-server
        const uid = process.getuid?.() ?? 0;
        rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${uid}`, socket), { force: true });
      }
      repo.cleanup();
      home.cleanup();
    },
  };
  await team.startControllerPane();
  return team;
}

/** The backend for tests that need a multiplexer-like pane: tmux when installed, else process. */
export const paneBackend: 'tmux' | 'process' = hasTmux ? 'tmux' : 'process';

/** Replaces the placeholders `next` prints (`<summary>`, `<answer>`) in a word. */
function fill(word: string, values: Record<string, string>): string {
  return word.replace(/<(summary|answer)>/g, (m, key: string) => values[key] ?? m);
}

/**
 * Runs one printed command line (`agent-team …`, shell-quoted) through the built CLI, exactly as a
 * controller pasting it would, with placeholders filled. Expects exit 0.
 */
export function execPrinted(team: Team, line: string, values: Record<string, string> = {}): CliResult {
  const words = shellWords(line);
  expect(words[0], line).toBe('agent-team');
  const r = team.at(words.slice(1).map((w) => fill(w, values)));
  expect(r.code, `${line}\n${r.stderr}${r.stdout}`).toBe(0);
  return r;
}

/** Reads `.agents/workers/<id>/worker.yaml` as text. */
export function workerYaml(team: Team, id: string): string {
  return readFileSync(join(team.root, '.agents/workers', id, 'worker.yaml'), 'utf8');
}

/** HEAD sha, `git status --porcelain` and whether a merge is in progress, in the repository root. */
export function controllerTree(team: Team): { head: string; branch: string; status: string; merging: boolean } {
  return {
    head: git(team.root, 'rev-parse', 'HEAD'),
    branch: git(team.root, 'rev-parse', '--abbrev-ref', 'HEAD'),
    status: git(team.root, 'status', '--porcelain'),
    merging: existsSync(join(team.root, '.git', 'MERGE_HEAD')),
  };
}

/** How {@link followNext} answers the steps that need judgement. */
export interface Controller {
  /** The outcome to choose on a decide/confirm step ('' for a node without branches) and a summary. */
  choose(step: any): { outcome: string; summary: string };
  /** Called on a wait step after its commands ran; default: wait until the reply is recorded. */
  onWait?(step: any): Promise<void>;
  /** Called before each `next` (e.g. to check that `workflow run` changes nothing in manual mode). */
  beforeStep?(): void;
}

/**
 * A controller that does exactly what the skill says, using only what `workflow state next --json`
 * prints: `act` → run every command; `wait` → run its commands (reopen), then wait for the reply;
 * `decide`/`confirm` → run its commands, then the chosen choice (a merge node's commands do the merge);
 * `blocked` → fail. Returns the `node:kind` trace. Bounded by `maxSteps`.
 */
export async function followNext(team: Team, file: string, controller: Controller, maxSteps = 80): Promise<string[]> {
  const trace: string[] = [];
  for (let i = 0; i < maxSteps; i++) {
    controller.beforeStep?.();
    const step = team.next(file);
    trace.push(`${step.node?.id ?? '-'}:${step.kind}`);
    if (process.env.FLOWS_DEBUG) console.error("STEP", JSON.stringify({ k: step.kind, n: step.node?.id, m: step.message, c: step.commands }));
    switch (step.kind) {
      case 'completed':
        return trace;
      case 'act': {
        const before = team.bytes(file);
        for (const c of step.commands) execPrinted(team, c);
        // a step whose commands change nothing would be printed again forever
        if (team.bytes(file) === before) expect(team.next(file), `no progress on ${step.node?.id}: ${step.commands.join(' && ')}`).not.toEqual(step);
        break;
      }
      case 'wait':
        for (const c of step.commands) execPrinted(team, c);
        if (controller.onWait) await controller.onWait(step);
        else await team.waitForReply(file, step.node.id);
        break;
      case 'decide':
      case 'confirm': {
        for (const c of step.commands) execPrinted(team, c);
        if (step.node.type === 'merge') break;
        const { outcome, summary } = controller.choose(step);
        const choice = step.choices.find((c: any) => c.outcome === outcome);
        expect(choice, `${step.node.id}: no choice ${outcome} in ${JSON.stringify(step.choices)}`).toBeDefined();
        execPrinted(team, choice.command, { summary, answer: summary });
        break;
      }
      default:
        throw new Error(`unexpected step ${step.kind}: ${step.message}\n${JSON.stringify(step, null, 2)}`);
    }
  }
  throw new Error(`the run did not complete in ${maxSteps} steps: ${trace.join(' ')}`);
}

/** A one-worker template (`build` → `finish`) whose task is the `task` param: the worker-reuse tests' run. */
export const SOLO_TEMPLATE = `version: 1
name: solo
params:
    task: { type: string, required: true }
roles:
    dev: { role: dev }
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: "Do: {{params.task}}"
      next: finish
    - id: finish
      type: controller_task
      end: true
`;

/** The stand-in agent's playbook for {@link SOLO_TEMPLATE}: each task commits one file and replies done. */
export const SOLO_PLAYBOOK = [
  { match: 'Do: farewell', files: { 'farewell.js': 'export const bye = 1;\n' }, commit: 'Add farewell', reply: 'Task completed: farewell' },
  { match: 'Do: hello', files: { 'hello.js': 'export const hi = 1;\n' }, commit: 'Add hello', reply: 'Task completed: hello' },
];

/**
 * The smallest run's template: one worker node `build` (actor `dev`, role `dev`) given `task` (with a
 * `timeout:` when one is given), then the controller's closing node `end` (default `done`).
 */
export function oneTaskTemplate(name: string, task: string, options: { timeout?: string; end?: string } = {}): string {
  const end = options.end ?? 'done';
  return `version: 1
name: ${name}
roles:
    dev: { role: dev }
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: ${task}
${options.timeout ? `      timeout: ${options.timeout}\n` : ''}      next: ${end}
    - id: ${end}
      type: controller_task
      task: Close the run
      end: true
`;
}
