/** The plain-JS SHA-256 gives node:crypto's digest for every length around the padding boundaries. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/store/sha256.js';

describe('sha256Hex', () => {
  it('matches node:crypto for lengths 0..300 and a few large inputs', () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(sha256Hex(bytes), `length ${n}`).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    for (const n of [4095, 65_536, 1_000_003]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('hashes strings as UTF-8', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('ünï 🎉')).toBe(createHash('sha256').update('ünï 🎉', 'utf8').digest('hex'));
  });
});
