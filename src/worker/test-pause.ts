/**
 * Test only: `AGENT_TEAM_TEST_PAUSE_DELIVERY=<point>:<marker file>` makes a delivery stop at `<point>` —
 * `typed` (the task is in the agent's input box, Enter not sent yet) or `entered` (Enter sent, not yet
 * confirmed) — write its pid to the marker file, and go on once `<marker file>.go` exists (at most 60 s).
 * End-to-end tests use it to kill or interrupt the CLI at exactly that moment instead of guessing with
 * sleeps. Unset (always, outside tests) it costs one environment lookup.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Bound on one test pause, ms. */
const PAUSE_BOUND_MS = 60_000;

/** Pauses at `point` when `AGENT_TEAM_TEST_PAUSE_DELIVERY` names it (see the module comment). */
export async function pauseForTest(point: 'typed' | 'entered', env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const spec = env.AGENT_TEAM_TEST_PAUSE_DELIVERY ?? process.env.AGENT_TEAM_TEST_PAUSE_DELIVERY;
  if (!spec?.startsWith(`${point}:`)) return;
  const marker = spec.slice(point.length + 1);
  writeFileSync(marker, `${process.pid}\n`);
  const until = Date.now() + PAUSE_BOUND_MS;
  while (!existsSync(`${marker}.go`) && Date.now() < until) await delay(20);
}
