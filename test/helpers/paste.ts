/**
 * Pasting a printed command line into bash exactly as printed, with `agent-team` on PATH (a wrapper
 * that runs the built CLI), the way a person or a controller agent runs what agent-team prints.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { BIN, type CliResult } from './cli.js';

let binDir: string | undefined;

/** A folder holding an `agent-team` executable that runs bin/agent-team.js with this node (made once per test file). */
function agentTeamBinDir(): string {
  if (binDir) return binDir;
  const dir = mkdtempSync(join(tmpdir(), 'agent-team-path-'));
  binDir = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const wrapper = join(dir, 'agent-team');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return dir;
}

/** Runs `line` with `bash -c` in `cwd` (NO_COLOR, no TTY, `agent-team` first on PATH); returns its exit code and output. */
export function pasteInBash(line: string, cwd: string, env: Record<string, string | undefined> = {}): CliResult {
  const r = spawnSync('bash', ['-c', line], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env, PATH: `${agentTeamBinDir()}${delimiter}${env.PATH ?? process.env.PATH ?? ''}` },
    input: '',
    encoding: 'utf8',
  });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}
