/** `worker event` and `provider list` through the built CLI: appends under the lock, refusals, the provider table. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, cliAsync } from '../helpers/cli.js';
import { makeProject, type Project } from '../worker/support.js';

let project: Project;
afterEach(() => project?.cleanup());

describe('worker event', () => {
  it('appends one line per event under the lock (20 concurrent hooks, none lost), with the payload fields', async () => {
    project = makeProject();
    expect(cli(['worker', 'create', 'dev', '--provider', 'scripted'], { cwd: project.root }).code).toBe(0);
    const first = cli(['worker', 'event', 'dev-001', 'session-start', '--json'], { cwd: project.root, input: JSON.stringify({ session_id: 'abc', hook_event_name: 'SessionStart', transcript_path: '/t' }) });
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ ok: true, event: 'session-start', session_id: 'abc', data: { hook_event_name: 'SessionStart' } });
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => cliAsync(['worker', 'event', 'dev-001', i % 2 ? 'turn-end' : 'prompt-submit', '--root', project.root], { cwd: '/' })));
    expect(runs.map((r) => r.code)).toEqual(Array(20).fill(0));
    const lines = readFileSync(join(project.root, '.agents/workers/dev-001/events.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(21);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const status = cli(['worker', 'status', '--json'], { cwd: project.root });
    expect(status.json.workers[0]).toMatchObject({ activity: 'exited', session_id: 'abc' });
  });

  it('refuses an unknown event (exit 2, the list) and an unknown worker (exit 1), writing nothing', () => {
    project = makeProject();
    expect(cli(['worker', 'create', 'dev', '--provider', 'scripted'], { cwd: project.root }).code).toBe(0);
    const bad = cli(['worker', 'event', 'dev-001', 'sneeze', '--json'], { cwd: project.root });
    expect(bad.code).toBe(2);
    expect(bad.json.error.message).toMatch(/unknown worker event "sneeze"; known events: launch, session-start/);
    const ghost = cli(['worker', 'event', 'dev-009', 'turn-end', '--json'], { cwd: project.root });
    expect(ghost.code).toBe(1);
    expect(ghost.json.error.code).toBe('unknown_worker');
    expect(() => readFileSync(join(project.root, '.agents/workers/dev-001/events.jsonl'))).toThrow();
  });
});

describe('provider list', () => {
  it('lists built-ins and project providers with PATH and version; like: is shown', () => {
    project = makeProject();
    const r = cli(['provider', 'list', '--json'], { cwd: project.root, env: { PATH: `${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    const names = r.json.providers.map((p: { name: string }) => p.name);
    expect(names).toEqual(['claude', 'codex', 'gemini', 'opencode', 'agy', 'scripted']);
    const scripted = r.json.providers.find((p: { name: string }) => p.name === 'scripted');
    expect(scripted).toMatchObject({ source: 'project', binary: 'node', events: false });
    expect(scripted.path).toMatch(/\/node$/);
    expect(scripted.version).toBe(process.version);
    const text = cli(['provider', 'list'], { cwd: project.root, env: { PATH: '/usr/bin:/bin' } });
    expect(text.stdout).toMatch(/^claude\s+not on PATH\s+built-in, events: claude --dangerously-skip-permissions$/m);
  });
});
