/** Options shared by many commands, declared once. */
import { Option } from 'commander';

/**
 * The `--json` option every command has: stdout carries exactly one JSON document, messages go to
 * stderr (see `render` in output.ts). `what` describes the document when a command says more than
 * "print one JSON document", e.g. `print {"valid", "errors", "warnings"}`.
 */
export function jsonOption(what = 'print one JSON document'): Option {
  return new Option('--json', what);
}
