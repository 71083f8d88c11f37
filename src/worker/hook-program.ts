/**
 * The hook program: `node <package>/dist/worker/hook-program.js <events.jsonl> <event>` with the hook's
 * payload (JSON) on stdin. Every worker's hook script (`.agents/workers/<id>/hook`, written by
 * events.ts `writeHookScript`) runs it for each agent event. It appends the same line, under the same
 * lock, as `agent-team worker event <id> <event>` (both through event-line.ts), but loads only that
 * module and the lock — no CLI, no commander, no YAML — because an agent runs its hooks one after the
 * other before it goes on: the whole CLI cost ~90 ms per event, this program a node start-up plus a few
 * milliseconds (`npm run bench`, bench/README.md).
 *
 * It never fails the agent: any problem (unknown event, no worker.yaml next to the events file, a lock
 * timeout) is one line on stderr, which the hook script appends to `hook.log`, and the exit code is 0.
 * Its line's `at` is the time this process started, i.e. when the agent ran the hook.
 * Plain Node on purpose: tsc emits it to dist/ as is (not bundled); `files` ships dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isatty } from 'node:tty';

// The agent's process group may be signalled while this runs (the agent killed or interrupted): the event
// is still recorded. First thing, before the lock and the event module load (Node resets the dispositions
// the hook script set; where `setsid` exists this process is in a session of its own anyway).
for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
const { recordEventLine } = await import('./event-line.js');

/** The payload text on stdin; '' when stdin is a terminal, closed or unreadable. */
function readPayload(): string {
  if (isatty(0)) return '';
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

async function main(argv: string[]): Promise<void> {
  const [eventsFile, event] = argv;
  if (!eventsFile || !event) throw new Error('usage: hook-program.js <events.jsonl> <event> (payload on stdin)');
  // The worker must exist (as `worker event` checks with its worker.yaml): a deleted worker's hook writes nothing.
  if (!existsSync(join(dirname(eventsFile), 'worker.yaml'))) throw new Error(`no worker.yaml next to ${eventsFile} (the worker was deleted?); ${event} not recorded`);
  // dated when the agent ran the hook (this process's start), not when the lock let it append: a hook
  // of a killed agent that appends after the next `launch` is then older than it (activity.ts sinceLaunch)
  await recordEventLine(eventsFile, event, readPayload(), new Date(performance.timeOrigin));
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${new Date().toISOString()} agent-team hook ${process.argv.slice(3, 4).join('')}: ${(err as Error).message ?? String(err)}\n`);
}
process.exitCode = 0;
