/**
 * How often `worker open` and `worker assign` ask tmux while the agent starts (built CLI, real git, real
 * tmux on a private server, the stand-in agent as claude). The agent reports its SessionStart 3 s after
 * it starts (`--start-delay`): a check that polls the pane every 15–25 ms asked tmux ~100 times meanwhile
 * (each a tmux client started, and work for the server). Now the pane program's launch marks and the
 * agent's events wake the check (src/worker/paced-wait.ts), and the pane is asked at most once per paced
 * pause besides. Every tmux client the CLI starts is counted by a `tmux` first on PATH that logs its
 * arguments and runs the real tmux.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { hasTmux, privateTmux } from '../helpers/private-tmux.js';
import { git, tempDir, writeFile } from '../helpers/repo.js';
import { AGENT, makeProject, type Project } from './support.js';

/** Upper bound on tmux clients per command here: 7 when the agent reports at once, 14–17 with paced looks during its 3 s start (126–144 before). */
const MAX_CALLS = 25;

describe.skipIf(!hasTmux)('tmux calls of worker open / assign while the agent starts', () => {
  const server = privateTmux('calls');
  let project: Project;
  let bin: { dir: string; cleanup: () => void };
  let log: string;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    project = makeProject();
    writeFile(project.root, '.agents/config.yaml', `providers:\n    slow: { command: "node ${AGENT} --start-delay 3000 --log ${join(project.home, 'slow.log')}", like: claude }\n`);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-q', '-m', 'slow stand-in');
    env = server.controllerEnv(project.home);
    expect(cli(['trust'], { cwd: project.root, env }).code).toBe(0);
    bin = tempDir('agent-team-tmux-log-');
    log = join(bin.dir, 'calls.log');
    const real = execFileSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).trim();
    // one line per call (a launch command spans lines)
    writeFileSync(join(bin.dir, 'tmux'), `#!/bin/sh\nprintf '%s' "$*" | tr '\\n' ' ' >> '${log}'\necho >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin.dir, 'tmux'), 0o755);
    env = { ...env, PATH: `${bin.dir}:${process.env.PATH}` };
  });

  afterAll(() => {
    server.kill();
    project?.cleanup();
    bin?.cleanup();
  });

  /** Runs `agent-team <args> --json` with the counting tmux; returns the result and the tmux calls it made. */
  function counted(args: string[]) {
    rmSync(log, { force: true });
    const r = cli([...args, '--json'], { cwd: project.root, env });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : [];
    return { r, calls };
  }

  it(`worker open: at most ${MAX_CALLS} tmux clients, and the agent is ready`, () => {
    expect(cli(['worker', 'create', 'dev', '--provider', 'slow'], { cwd: project.root, env }).code).toBe(0);
    const { r, calls } = counted(['worker', 'open', 'dev-001']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ started: true, activity: { activity: 'ready' } });
    expect(calls.length, calls.join('\n')).toBeLessThanOrEqual(MAX_CALLS);
  });

  it(`worker assign of a worker not open: at most ${MAX_CALLS} tmux clients, and the task is confirmed`, () => {
    expect(cli(['worker', 'create', 'dev', '--provider', 'slow'], { cwd: project.root, env }).code).toBe(0);
    const { r, calls } = counted(['worker', 'assign', 'dev-002', 'Add a greeting file']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ delivery: 'confirmed', on_command_line: true });
    expect(calls.length, calls.join('\n')).toBeLessThanOrEqual(MAX_CALLS);
  });
});
