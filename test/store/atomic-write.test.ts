/** Atomic replace (`writeFileAtomicSync`): what a replaced file keeps, and what a failed write leaves. */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomicSync } from '../../src/store/atomic-write.js';
import { randomId } from '../../src/store/random-id.js';
import { tempDir } from '../helpers/repo.js';

const tmp = tempDir('agent-team-atomic-');
afterAll(() => tmp.cleanup());

let n = 0;
/** A fresh folder for one test. */
function folder(): string {
  const dir = join(tmp.dir, `case-${++n}`);
  mkdirSync(dir);
  return dir;
}

describe('writeFileAtomicSync', () => {
  it('creates the file and its missing parent folders, leaving no temp file', () => {
    const dir = folder();
    const file = join(dir, 'a', 'b', 'run.yaml');
    writeFileAtomicSync(file, 'a: 1\n');
    expect(readFileSync(file, 'utf8')).toBe('a: 1\n');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['run.yaml']);
  });

  it('replaces the content and keeps the mode of the file it replaces', () => {
    const file = join(folder(), 'run.yaml');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o640);
    writeFileAtomicSync(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it.runIf(process.getuid?.() === 0)('as root, keeps the owner of the file it replaces', () => {
    const file = join(folder(), 'run.yaml');
    writeFileSync(file, 'old\n');
    chownSync(file, 4321, 4322);
    writeFileAtomicSync(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect([statSync(file).uid, statSync(file).gid]).toEqual([4321, 4322]);
  });

  it('writes through a symlink: the link stays and points at the new content', () => {
    const dir = folder();
    const real = join(dir, 'real.yaml');
    const link = join(dir, 'link.yaml');
    writeFileSync(real, 'old\n');
    symlinkSync(real, link);
    writeFileAtomicSync(link, 'new\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['link.yaml', 'real.yaml']);
  });

  it.runIf(process.getuid?.() !== 0)('a folder it cannot write to: throws, and the old file is unchanged', () => {
    const dir = folder();
    const file = join(dir, 'run.yaml');
    writeFileSync(file, 'old\n');
    chmodSync(dir, 0o500);
    try {
      expect(() => writeFileAtomicSync(file, 'new\n')).toThrow(/run\.yaml/);
      expect(readFileSync(file, 'utf8')).toBe('old\n');
      expect(readdirSync(dir)).toEqual(['run.yaml']);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('a folder in the way of the file: throws naming it, nothing left behind', () => {
    const dir = folder();
    const file = join(dir, 'run.yaml');
    mkdirSync(file);
    expect(() => writeFileAtomicSync(file, 'new\n')).toThrow(/run\.yaml/);
    expect(existsSync(file) && statSync(file).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual(['run.yaml']);
  });
});

describe('randomId (temp names, lock tokens)', () => {
  it("is 21 characters of nanoid's URL-safe alphabet by default, n when asked, and never repeats", () => {
    const ids = Array.from({ length: 1000 }, () => randomId());
    expect(ids.every((id) => /^[A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(randomId(10)).toMatch(/^[A-Za-z0-9_-]{10}$/);
    // every character of the alphabet turns up (the bytes are not biased towards part of it)
    expect(new Set(ids.join('')).size).toBe(64);
  });
});
