// The simulator's notion of now. Real time by default; tests can move it forward to make tokens expire
// or days pass without waiting.

export interface Clock {
  now(): number;
  /** Moves simulated time forward by `ms` (never backwards). */
  advance(ms: number): void;
}

export function createClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      if (ms > 0) offset += ms;
    },
  };
}
