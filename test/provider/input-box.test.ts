/** input-box.ts: finding the input box from what typing changed, and telling whether the text left it. */
import { describe, expect, it } from 'vitest';
import { inputFootprint, stillInInput, watchedLines } from '../../src/worker/input-box.js';

const text = '[New Change Assigned] Add a file\nChange: .tasks/changes/2026-x-add-a-file';

describe('the input box', () => {
  it('a line-based agent: the typed lines are the footprint; a new prompt below them means they left the input line', () => {
    const before = ['[agent] ready', '> '];
    const typed = ['[agent] ready', '> [New Change Assigned] Add a file', '  Change: .tasks/changes/2026-x-add-a-file'];
    const footprint = inputFootprint(before, typed);
    expect(footprint).toEqual([
      { offset: 1, line: '> [New Change Assigned] Add a file' },
      { offset: 0, line: '  Change: .tasks/changes/2026-x-add-a-file' },
    ]);
    const watched = watchedLines(footprint, text);
    expect(stillInInput(watched, typed)).toBe(true); // Enter ignored: nothing moved
    expect(stillInInput(watched, [...typed, '[agent] prompt received', '> '])).toBe(false);
  });

  it('a TUI box: the text (or its paste placeholder) is cleared from the box; history above does not count', () => {
    const box = (inner: string) => ['history: [New Change Assigned] Add a file', '╭────╮', `│ > ${inner} │`, '╰────╯', '? for shortcuts'];
    const before = box('');
    const typed = box('[Pasted Text: 2 lines]');
    const footprint = inputFootprint(before, typed);
    expect(footprint).toEqual([{ offset: 2, line: '│ > [Pasted Text: 2 lines] │' }]);
    const watched = watchedLines(footprint, text); // no line shows the text itself: the whole footprint is watched
    expect(watched).toEqual(footprint);
    expect(stillInInput(watched, typed)).toBe(true);
    expect(stillInInput(watched, ['> [New Change Assigned] Add a file', ...box('')])).toBe(false);
  });

  it('a line that changed while typing (a clock) is not watched when lines show the text', () => {
    const before = ['12:00:01', '> '];
    const typed = ['12:00:02', '> [New Change Assigned] Add a file'];
    const watched = watchedLines(inputFootprint(before, typed), text);
    expect(watched).toEqual([{ offset: 0, line: '> [New Change Assigned] Add a file' }]);
    expect(stillInInput(watched, ['12:00:03', '> [New Change Assigned] Add a file'])).toBe(true);
  });

  it('nothing typed showed: an empty footprint', () => {
    expect(inputFootprint(['a', '> '], ['a', '> '])).toEqual([]);
    // a line already in the history counts once: the extra, lower copy is the typed one
    expect(inputFootprint(['> hello there'], ['> hello there', '> hello there'])).toEqual([{ offset: 0, line: '> hello there' }]);
  });
});
