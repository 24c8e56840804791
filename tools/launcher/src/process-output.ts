// Where children's lines go: the launcher's stdout and stderr, each line behind a padded, coloured name.

import { colourFor, formatPrefix } from './line-prefixer.ts';

export interface TextSink {
  write(text: string): unknown;
}

export interface ProcessOutput {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  prefix(name: string): string;
}

/** Names of the launcher's own helper processes, which get grey prefixes. */
export const HELPER_NAMES = ['postgres', 'redis', 'migrate', 'operator'] as const;

export function createProcessOutput(options: {
  appNames: readonly string[];
  colour: boolean;
  stdout: TextSink;
  stderr: TextSink;
}): ProcessOutput {
  const width = Math.max(...[...options.appNames, ...HELPER_NAMES].map((name) => name.length));
  const prefixes = new Map<string, string>();
  return {
    stdout: options.stdout,
    stderr: options.stderr,
    prefix(name) {
      let prefix = prefixes.get(name);
      if (prefix === undefined) {
        const index = options.appNames.indexOf(name);
        const colour = options.colour ? colourFor(index === -1 ? undefined : index) : undefined;
        prefix = formatPrefix(name, width, colour);
        prefixes.set(name, prefix);
      }
      return prefix;
    },
  };
}
