// Turns a child's output into whole lines, each behind the child's name, so lines of different children
// never mix mid-line.

import { StringDecoder } from 'node:string_decoder';

const RESET = '\u001b[0m';
// Bright colours read well on both dark and light terminals; red is left for errors.
const PALETTE = ['36', '35', '33', '32', '34', '96', '95', '93', '92', '94'] as const;
const DIM = '90';

export interface LineSplitter {
  push(chunk: Buffer | string): void;
  /** Emits a last line that had no newline. */
  end(): void;
}

export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  // The decoder keeps a multi-byte character that a chunk boundary cut in two until its rest arrives.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emitComplete = (text: string) => {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      onLine(pending.slice(0, newline).replace(/\r$/, ''));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  };
  return {
    push(chunk) {
      emitComplete(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    },
    end() {
      emitComplete(decoder.end());
      if (pending !== '') onLine(pending.replace(/\r$/, ''));
      pending = '';
    },
  };
}

/** The ANSI colour code for the `index`-th name; launcher-internal steps pass `undefined` and get grey. */
export function colourFor(index: number | undefined): string {
  return index === undefined ? DIM : (PALETTE[index % PALETTE.length] ?? DIM);
}

/** `gateway        │ `: the name padded to `width`, coloured only when `colour` is given. */
export function formatPrefix(name: string, width: number, colour: string | undefined): string {
  const label = `${name.padEnd(width)} │`;
  return colour === undefined ? `${label} ` : `\u001b[${colour}m${label}${RESET} `;
}
