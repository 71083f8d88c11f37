// One contender for test/workflow/concurrency.test.ts: waits until a common start time (so every
// contender meets the lock at once), then increments a counter file under withFileLock (built dist/).
import { readFileSync, writeFileSync } from 'node:fs';

const [file, startAt] = process.argv.slice(2);
const { withFileLock } = await import(new URL('../../dist/store/lock.js', import.meta.url).href);
while (Date.now() < Number(startAt)) {
  // spin: a timer would let contenders drift apart by a few ms
}
await withFileLock(file, () => {
  const n = Number(readFileSync(file, 'utf8'));
  const until = Date.now() + 2;
  while (Date.now() < until) {
    // hold the lock a little, as a real read-modify-write does
  }
  writeFileSync(file, String(n + 1));
});
