import { describe, expect, it } from 'vitest';
import { colourFor, createLineSplitter, formatPrefix } from './line-prefixer.ts';

function split(chunks: readonly (string | Buffer)[], end = true): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  if (end) splitter.end();
  return lines;
}

describe('createLineSplitter', () => {
  it('holds a partial line until its newline arrives', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.push('hel');
    expect(lines).toEqual([]);
    splitter.push('lo\nwor');
    expect(lines).toEqual(['hello']);
    splitter.push('ld\n');
    expect(lines).toEqual(['hello', 'world']);
  });

  it('emits several lines from one chunk, and empty lines too', () => {
    expect(split(['a\nb\n\nc\n'])).toEqual(['a', 'b', '', 'c']);
  });

  it('drops the carriage return of CRLF line ends', () => {
    expect(split(['a\r\nb\r\n'])).toEqual(['a', 'b']);
  });

  it('emits the last line without a newline when the stream ends', () => {
    expect(split(['a\nlast words'])).toEqual(['a', 'last words']);
    expect(split(['a\n'])).toEqual(['a']);
  });

  it('keeps a multi-byte character that a chunk boundary cut in two', () => {
    const bytes = Buffer.from('│ é ✓\n', 'utf8');
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(split(chunks)).toEqual(['│ é ✓']);
  });
});

describe('formatPrefix', () => {
  it('pads the name so the separators line up', () => {
    expect(formatPrefix('gateway', 14, undefined)).toBe('gateway        │ ');
    expect(formatPrefix('worker-klaviyo', 14, undefined)).toBe('worker-klaviyo │ ');
  });

  it('colours the name and separator, and resets before the line', () => {
    expect(formatPrefix('gateway', 7, colourFor(0))).toBe('\u001b[36mgateway │\u001b[0m ');
  });

  it('gives launcher steps grey and cycles the palette for apps', () => {
    expect(colourFor(undefined)).toBe('90');
    expect(colourFor(10)).toBe(colourFor(0));
    expect(colourFor(1)).not.toBe(colourFor(0));
  });
});
