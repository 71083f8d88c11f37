/** Spawning the built CLI (dist/) the way a user or a controller agent does, for end-to-end tests. */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of bin/agent-team.js. */
export const BIN = fileURLToPath(new URL('../../bin/agent-team.js', import.meta.url));

/** What a CLI run produced. `json` is stdout parsed when it parses. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

/** Options for {@link cli}. */
export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

function finish(code: number | null, stdout: string, stderr: string): CliResult {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code: code ?? -1, stdout, stderr, json };
}

/** Runs `agent-team <args>` synchronously with NO_COLOR=1 and no TTY. */
export function cli(args: string[], options: CliOptions): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
  });
  return finish(r.status, r.stdout, r.stderr);
}

/** Runs `agent-team <args>` asynchronously (for concurrency tests). */
export function cliAsync(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve(finish(code, stdout, stderr)));
  });
}
