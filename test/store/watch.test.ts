/** startWatching: woken by an atomic rename of a watched file (how the store writes), latched, not by other files. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomicSync } from '../../src/store/atomic-write.js';
import { startWatching } from '../../src/store/watch.js';
import { tempDir } from '../helpers/repo.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('startWatching', () => {
  it('a change made before wait() is not lost; an unwatched file does not wake it; the deadline ends it', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, 'run.yaml');
    writeFileAtomicSync(file, 'a: 1\n');
    const w = startWatching({ files: [file], folders: [] });
    cleanups.push(() => w.close());
    expect(w.native).toBe(true);
    writeFileAtomicSync(file, 'a: 2\n'); // before anyone waits
    expect(await w.wait({ deadline: Date.now() + 60_000 })).toBe('changed');
    writeFileAtomicSync(join(t.dir, 'other.yaml'), 'b: 1\n');
    expect(await w.wait({ deadline: Date.now() + 300 })).toBe('timeout');
    const waiting = w.wait({ deadline: Date.now() + 60_000 });
    writeFileAtomicSync(file, 'a: 3\n');
    expect(await waiting).toBe('changed');
  });

  it('watches whole folders, and returns recheck when asked to look again without a change', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const w = startWatching({ files: [], folders: [t.dir] });
    cleanups.push(() => w.close());
    expect(await w.wait({ deadline: Date.now() + 60_000, recheckMs: 50 })).toBe('recheck');
    const waiting = w.wait({ deadline: Date.now() + 60_000 });
    writeFileAtomicSync(join(t.dir, 'events.jsonl'), '{}\n');
    expect(await waiting).toBe('changed');
  });
});
