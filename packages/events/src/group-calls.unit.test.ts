import { describe, expect, it } from 'vitest';
import { groupCalls } from './group-calls.ts';

/** A run that records the inputs of each call and answers each input with its double. */
function doubling() {
  const runs: number[][] = [];
  const call = groupCalls(
    async (inputs: number[]) => {
      runs.push(inputs);
      return inputs.map((input) => input * 2);
    },
    { weight: (input) => input, maxWeight: 10 },
  );
  return { runs, call };
}

describe('groupCalls', () => {
  it('runs the calls of one event-loop turn together, each caller getting its own output', async () => {
    const { runs, call } = doubling();
    const outputs = await Promise.all([call(1), call(2), call(3)]);
    expect(outputs).toEqual([2, 4, 6]);
    expect(runs).toEqual([[1, 2, 3]]);
    expect(await call(4)).toBe(8);
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('closes a group at its maximum weight, and runs a heavier input alone', async () => {
    const { runs, call } = doubling();
    await Promise.all([call(4), call(5), call(3), call(12), call(1)]);
    expect(runs).toEqual([[4, 5], [3], [12], [1]]);
  });

  it('rejects only the callers whose run failed', async () => {
    const call = groupCalls(
      async (inputs: string[]) => {
        if (inputs.includes('bad')) throw new Error('redis is down');
        return inputs.map((input) => input.toUpperCase());
      },
      { weight: () => 1, maxWeight: 2 },
    );
    const settled = await Promise.allSettled([call('a'), call('bad'), call('c')]);
    expect(settled.map((result) => result.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 'C' });
  });

  it('fails a run that does not answer every input', async () => {
    const call = groupCalls(async (inputs: number[]) => inputs.slice(1), { weight: () => 1, maxWeight: 5 });
    await expect(Promise.all([call(1), call(2)])).rejects.toThrow('returned 1 outputs for 2 inputs');
  });
});
