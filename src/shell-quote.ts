/**
 * Shell quoting for every command line agent-team prints or types (hints, `state next` commands, launch
 * commands). A printed line must paste into bash as one line and run as printed, whatever the text holds.
 */

/** Control characters (newline, tab, ESC…) that would split or garble a printed line. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * `arg` as one bash word: unchanged when it is plain (`[A-Za-z0-9_@%+=:,./-]+`); single-quoted (`'` as
 * `'\''`) otherwise; and as an ANSI-C quoted `$'…'` word (`\n`, `\t`, `\r`, `\xHH`, `\\`, `\'`) when it
 * holds a control character, so that a summary with a newline still prints as one line.
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  if (!CONTROL.test(arg)) return `'${arg.replaceAll("'", `'\\''`)}'`;
  const named: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\\': '\\\\', "'": "\\'" };
  let out = '';
  for (const c of arg) {
    if (named[c] !== undefined) out += named[c];
    else if (CONTROL.test(c)) out += `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `$'${out}'`;
}

/**
 * Splits `command` into words the way a POSIX shell would for plain words, quotes and backslashes (no
 * expansion); the words end at the first unquoted operator (`;&|<>()`): what runs is the first command.
 */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      word = (word ?? '') + command.slice(i + 1, end < 0 ? command.length : end);
      i = end < 0 ? command.length : end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < command.length && command[j] !== '"'; j++) text += command[j] === '\\' && j + 1 < command.length ? command[++j] : command[j];
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\' && i + 1 < command.length) {
      word = (word ?? '') + command[++i];
    } else if (';&|<>()'.includes(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
