/**
 * "The typed text left the input box": how a typed task is confirmed for an agent whose hooks report no
 * prompt (agy, a plain provider from `.agents/config.yaml`). Pure: captures in, verdict out.
 *
 * The input box is found by what typing changed: the {@link inputFootprint} is the lines of the pane
 * captured after typing that were not there before (a multiset difference, so text already in the history
 * does not count), each with its offset from the bottom of the capture. A TUI draws the text (or its
 * `[Pasted Text: N lines]` placeholder) in a box at the bottom and clears the box when it takes the
 * prompt; a line-based program prints a new line below it. Either way, once Enter was taken no watched
 * line is still at its offset with its content ({@link stillInInput}); an Enter the agent ignored leaves
 * them where they were. The watched lines are the footprint lines that show part of the typed text (so a
 * clock or spinner that changed meanwhile does not count), or the whole footprint when none does (a
 * placeholder).
 */

/** One line typing added to the pane: its text (trailing spaces dropped) and its offset from the bottom (0 = last line). */
export interface FootprintLine {
  offset: number;
  line: string;
}

const norm = (line: string) => line.replace(/\s+$/, '');

/**
 * The non-blank lines of `after` that `before` did not have (both the same pane's last lines, captured
 * with the same count). Where a line occurs more often after than before, the extra occurrences are the
 * lowest ones (typed text is below the history).
 */
export function inputFootprint(before: readonly string[], after: readonly string[]): FootprintLine[] {
  const left = new Map<string, number>();
  for (const l of before.map(norm)) left.set(l, (left.get(l) ?? 0) + 1);
  const out: FootprintLine[] = [];
  after.map(norm).forEach((line, i) => {
    const n = left.get(line) ?? 0;
    if (n > 0) left.set(line, n - 1);
    else if (line.trim() !== '') out.push({ offset: after.length - 1 - i, line });
  });
  return out;
}

/** Whether `line` shows part of `text`: one of its words of 6 or more characters occurs in it. */
function showsText(line: string, text: string): boolean {
  return line.split(/[\s|>\u2500-\u257f\u276f]+/).some((word) => word.length >= 6 && text.includes(word));
}

/** The footprint lines to watch after Enter for `text` (see the module comment). */
export function watchedLines(footprint: readonly FootprintLine[], text: string): FootprintLine[] {
  const showing = footprint.filter((f) => showsText(f.line, text));
  return showing.length > 0 ? showing : [...footprint];
}

/** Whether some `footprint` line still sits at its offset from the bottom of `now` (the text is still in the input box). */
export function stillInInput(footprint: readonly FootprintLine[], now: readonly string[]): boolean {
  return footprint.some((f) => now.length - 1 - f.offset >= 0 && norm(now[now.length - 1 - f.offset] ?? '') === f.line);
}

/** Text as the screen may draw it, flattened: box-drawing characters, prompt marks and every space gone (a wrapped line joins its continuation). */
function flatten(text: string): string {
  return text.replace(/[\s\u2500-\u257f\u276f]+/g, '');
}

/** How long a start of the text must be to count as "part of it is in the input box" (flattened characters). */
const PART_CHARS = 24;

/**
 * Whether `screen` (a pane's last lines, captured with nothing known of its earlier state) still holds a
 * task `text` that was typed but, as far as agent-team knows, never submitted: `all` when the whole text
 * (flattened, so wrapping and box borders do not matter) or a paste placeholder (`[Pasted Text: N lines]`,
 * as gemini draws a long paste) shows there; `part` when only its beginning does (a paste cut short);
 * `none` otherwise (the box was cleared, or the agent is a new one). Pure.
 */
export function inputBoxHolds(screen: readonly string[], text: string): 'all' | 'part' | 'none' {
  const flat = flatten(screen.join('\n'));
  const wanted = flatten(text);
  if (wanted === '' || flat.includes(wanted)) return 'all';
  if (screen.slice(-12).some((l) => /\[Pasted text[^\]]*\]/i.test(l))) return 'all';
  // the first two lines name the change folder: another task's text does not share them
  const head = flatten(text.split('\n').slice(0, 2).join('\n'));
  return flat.includes(head.length >= PART_CHARS ? head : wanted.slice(0, PART_CHARS)) ? 'part' : 'none';
}

/**
 * Whether `text` is the last thing on `screen` but for at most `slack` characters (flattened: a status
 * line under the input box): the input box is at the bottom, while a prompt the agent took is followed
 * by what the agent printed since. Pure.
 */
export function textAtEnd(screen: readonly string[], text: string, slack = 40): boolean {
  const flat = flatten(screen.join('\n'));
  const at = flat.lastIndexOf(flatten(text));
  return at >= 0 && flat.length - (at + flatten(text).length) <= slack;
}
