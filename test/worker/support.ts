/** Shared setup for worker tests: a temp repository with a project role and the scripted stand-in agent as a provider. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../src/session/wait.js';
import { toYaml } from '../../src/store/yaml-file.js';
import { commandsHash, projectCommands } from '../../src/trust/commands.js';
import { projectKey, trustFile } from '../../src/trust/store.js';
import { git, tempDir, tempRepo, writeFile } from '../helpers/repo.js';

/** Absolute path of the scripted stand-in agent. */
export const AGENT = fileURLToPath(new URL('../agent/scripted-agent.mjs', import.meta.url));

/** A test project: repo root, a home for global roles, the agent's log file, cleanup. */
export interface Project {
  root: string;
  home: string;
  agentLog: string;
  cleanup: () => void;
}

/**
 * Writes the trust record `agent-team trust` would write for the project at `root` into a fresh
 * AGENT_TEAM_HOME (same functions, no CLI process: `agent-team trust` itself is tested in
 * test/trust/trust.test.ts). Synchronous, for fixtures.
 */
function trustInHome(root: string, home: string): void {
  const env = { AGENT_TEAM_HOME: home };
  const commands = projectCommands(root);
  const file = trustFile(env);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, toYaml({ version: 1, projects: [{ path: projectKey(root), hash: commandsHash(commands), trusted_at: new Date().toISOString(), commands }] }));
}

/**
 * A repository on `main` with role `dev` (.agents/teams/dev/system.md), `.agents/config.yaml` registering
 * the scripted agent as provider `scripted`, both committed, and an AGENT_TEAM_HOME in which the project
 * is trusted (the record `agent-team trust` writes: the launch command comes from the config) unless
 * `trust: false`.
 */
export function makeProject(options: { commitAgents?: boolean; trust?: boolean } = {}): Project {
  const repo = tempRepo('agent-team-worker-');
  const home = tempDir('agent-team-home-');
  const agentLog = join(home.dir, 'agent.log');
  writeFile(repo.dir, '.agents/teams/dev/system.md', 'You are a careful developer. Write small, tested changes.\n');
  writeFile(repo.dir, '.agents/teams/dev/references/role.yaml', 'description: Implements features\n');
  writeFile(repo.dir, '.agents/config.yaml', `providers:\n    scripted: "node ${AGENT} --log ${agentLog}"\n`);
  if (options.commitAgents !== false) {
    git(repo.dir, 'add', '-A');
    git(repo.dir, 'commit', '-q', '-m', 'agent-team setup');
  }
  if (options.trust !== false) trustInHome(repo.dir, home.dir);
  return {
    root: repo.dir,
    home: home.dir,
    agentLog,
    cleanup: () => {
      repo.cleanup();
      home.cleanup();
    },
  };
}

/** Waits (bounded) until `file` contains `text`; returns the file's content. */
export async function waitForText(file: string, text: string | RegExp, timeoutMs = 20_000): Promise<string> {
  return waitFor(
    () => {
      if (!existsSync(file)) return undefined;
      const content = readFileSync(file, 'utf8');
      return (typeof text === 'string' ? content.includes(text) : text.test(content)) ? content : undefined;
    },
    { timeoutMs, intervalMs: 50, description: `${file} to contain ${String(text)}` },
  ).catch((err: Error) => {
    const content = existsSync(file) ? readFileSync(file, 'utf8') : '(missing)';
    throw new Error(`${err.message}\n--- ${file} ---\n${content}`);
  });
}
