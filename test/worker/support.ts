/** Shared setup for worker tests: a temp repository with a project role and the scripted stand-in agent as a provider. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../src/session/wait.js';
import { git, tempDir, tempRepo, writeFile } from '../helpers/repo.js';
import { trustInHome } from '../helpers/trust.js';

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
