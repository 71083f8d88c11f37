// A writer that can be paused while it holds a run-state's lock (test/store/lock.test.ts, the stress
// script): takes the lock through the built store (dist/), reads the run-state, prints "read" on stdout,
// keeps the lock ~300 ms (the test pauses it here with SIGSTOP), then records `wait --reason <reason>`.
import { writeSync } from 'node:fs';

const [file, reason, node = 'cto_breakdown'] = process.argv.slice(2);
const dist = new URL('../../dist/', import.meta.url);
const { mutateRun } = await import(new URL('workflow/state-service.js', dist).href);
const { applyTransition } = await import(new URL('workflow/transitions.js', dist).href);
await mutateRun(file, process.cwd(), (run) => {
  writeSync(1, 'read\n');
  const until = Date.now() + 300;
  while (Date.now() < until) {
    // hold the lock with the file read: a pause lands here
  }
  const result = applyTransition(run.state, run.template.template, { action: 'wait', node, reason, now: new Date(), stateFile: file });
  return { result, state: result.state };
});
writeSync(1, 'written\n');
