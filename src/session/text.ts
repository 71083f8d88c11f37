/**
 * Text that is safe to type into a pane: no control characters a terminal would act on (Ctrl-C, ESC
 * sequences that end a bracketed paste, …), only printable text, tabs and newlines.
 */

/** C0 controls except tab and newline, DEL, and C1 controls (ESC is 0x1b, Ctrl-C 0x03, CSI 0x9b…). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Whether `text` holds a character {@link typable} would remove. */
export function hasControlChars(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** `text` without control characters (tabs and newlines kept; CRLF becomes LF). */
export function typable(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROL, '');
}

/** ANSI escape sequences (CSI, OSC, and two-byte ESC sequences). */
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** The last `lines` lines of terminal output `text`: ANSI removed, CR-overwrites resolved, trailing blanks dropped. */
export function screenLines(text: string, lines = 50): string[] {
  const out = text
    .replace(ANSI, '')
    .split('\n')
    .map((l) => (l.includes('\r') ? (l.replace(/\r+$/, '').split('\r').pop() ?? '') : l).replace(/\s+$/, ''));
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.slice(-lines);
}

/** The last `count` lines of `text` after dropping trailing blank lines (a tmux screen is padded with them). */
export function lastLines(text: string, count: number): string[] {
  const lines = text.replace(/\s+$/, '').split('\n').map((l) => l.replace(/\s+$/, ''));
  return lines.length === 1 && lines[0] === '' ? [] : lines.slice(-count);
}
