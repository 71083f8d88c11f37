/**
 * Random ids for lock owner tokens and temp file names: nanoid's URL-safe alphabet (`A-Za-z0-9_-`) and
 * default length (21), drawn from Node's CSPRNG with `randomFillSync`. nanoid's own `nanoid()` reads
 * `webcrypto.getRandomValues`, and setting up webcrypto cost every transition ~0.4 ms CPU (measured,
 * bench/README.md); the randomness is the same.
 */
import { randomFillSync } from 'node:crypto';
import { customRandom, urlAlphabet } from 'nanoid';

/** A random id of `size` characters (default 21) of nanoid's URL-safe alphabet. */
export const randomId: (size?: number) => string = customRandom(urlAlphabet, 21, (bytes) => randomFillSync(new Uint8Array(bytes)));
