// Group commit: calls made during the same turn of the event loop run together, as one call. Ingest uses it
// so that the events of every request the gateway handled in one turn reach Redis in one script call instead
// of one per request (per-command overhead, not Redis's work, was what one request cost most).

export interface GroupOptions<Input> {
  /** How heavy one input is (e.g. its number of events). */
  weight(input: Input): number;
  /** A group closes once it reaches this weight; a single heavier input runs alone. */
  maxWeight: number;
}

interface Waiting<Input, Output> {
  input: Input;
  resolve(output: Output): void;
  reject(error: unknown): void;
}

/**
 * Wraps `run`, which takes many inputs and returns one output per input in the same order, into a function
 * of one input. Each caller gets its own output, or the error of the run its input was part of.
 */
export function groupCalls<Input, Output>(
  run: (inputs: Input[]) => Promise<Output[]>,
  options: GroupOptions<Input>,
): (input: Input) => Promise<Output> {
  let waiting: Waiting<Input, Output>[] = [];

  const runGroup = async (group: Waiting<Input, Output>[]) => {
    try {
      const outputs = await run(group.map((call) => call.input));
      if (outputs.length !== group.length) {
        throw new Error(`a grouped run returned ${outputs.length} outputs for ${group.length} inputs`);
      }
      group.forEach((call, i) => {
        call.resolve(outputs[i] as Output);
      });
    } catch (error) {
      for (const call of group) call.reject(error);
    }
  };

  const runWaiting = () => {
    const calls = waiting;
    waiting = [];
    let group: Waiting<Input, Output>[] = [];
    let weight = 0;
    for (const call of calls) {
      const callWeight = options.weight(call.input);
      if (group.length > 0 && weight + callWeight > options.maxWeight) {
        void runGroup(group);
        group = [];
        weight = 0;
      }
      group.push(call);
      weight += callWeight;
    }
    if (group.length > 0) void runGroup(group);
  };

  return (input) =>
    new Promise<Output>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      // setImmediate runs after the I/O callbacks of this turn: every request read in this turn joins.
      if (waiting.length === 1) setImmediate(runWaiting);
    });
}
