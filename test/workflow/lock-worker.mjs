// One contender for test/workflow/concurrency.test.ts: loads the built lock (dist/), prints "ready" on
// stdout, reads a common start time (ms since the epoch) from stdin, spins until then (a timer would let
// contenders drift apart by a few ms), then increments a counter file under withFileLock. The test sends
// the start time once every contender is ready, a few ms ahead, so no contender spins while others load.
import { readFileSync, writeFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
const { withFileLock } = await import(new URL('../../dist/store/lock.js', import.meta.url).href);
const startAt = await new Promise((resolve) => {
  process.stdin.once('data', (d) => resolve(Number(String(d).trim())));
  process.stdout.write('ready\n');
});
process.stdin.destroy();
while (Date.now() < startAt) {
  // spin
}
await withFileLock(file, () => {
  const n = Number(readFileSync(file, 'utf8'));
  const until = Date.now() + 2;
  while (Date.now() < until) {
    // hold the lock a little, as a real read-modify-write does
  }
  writeFileSync(file, String(n + 1));
});
