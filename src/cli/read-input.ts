/** Reading the file a command-line option names (`--proposal F`, `--system-file F`; `-` is stdin). */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/**
 * The UTF-8 text of `source` (a path, or `-` for stdin) given to option `flag`; undefined when the option
 * was not given. Throws UsageError `unreadable_input` (exit 2) naming the option and the file when it
 * cannot be read.
 */
export function readOptionFile(flag: string, source: string | undefined): string | undefined {
  if (source === undefined) return undefined;
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${source === '-' ? 'from stdin' : source}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { code: 'unreadable_input' });
  }
}
