// A child process of the launcher: its output prefixed line by line, its exit observable, and a way to
// stop it. Children run in their own process group, so a Ctrl-C in the terminal reaches only the
// launcher, which then stops them in order (apps first, then the Redis and Postgres they still use).

import { type ChildProcess, spawn } from 'node:child_process';
import { createLineSplitter } from './line-prefixer.ts';
import type { ProcessOutput } from './process-output.ts';

export type { ProcessOutput } from './process-output.ts';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: Error;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly running: boolean;
  readonly exited: Promise<ProcessExit>;
  /** Sends `signal` to the process itself. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs the process and everything in its process group. */
  killGroup(): void;
  describeExit(): string;
}

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  output: ProcessOutput;
  /** Also sees every line, e.g. to recognise a known failure in a server's log. */
  onLine?: (line: string) => void;
  /** Opens an IPC channel to the child (for children that are Node scripts of the launcher). */
  ipc?: boolean;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

/** Last resort when the launcher exits without stopping its children (a bug, or a forced exit). */
export function killAllManagedProcesses(): void {
  for (const managed of live) managed.killGroup();
}

export function startManagedProcess(options: ManagedProcessOptions): ManagedProcess {
  if (!exitHookInstalled) {
    process.on('exit', killAllManagedProcesses);
    exitHookInstalled = true;
  }
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const prefix = options.output.prefix(options.name);
  let running = true;
  let exit: ProcessExit | undefined;

  const pipe = (stream: NodeJS.ReadableStream | null, sink: ProcessOutput['stdout']) => {
    if (stream === null) return;
    const splitter = createLineSplitter((line) => {
      options.onLine?.(line);
      sink.write(`${prefix}${line}\n`);
    });
    stream.on('data', (chunk: Buffer) => splitter.push(chunk));
    stream.on('end', () => splitter.end());
  };
  pipe(child.stdout, options.output.stdout);
  pipe(child.stderr, options.output.stderr);

  const managed: ManagedProcess = {
    name: options.name,
    child,
    get running() {
      return running;
    },
    exited: new Promise<ProcessExit>((resolve) => {
      const settle = (result: ProcessExit) => {
        if (exit !== undefined) return;
        exit = result;
        running = false;
        live.delete(managed);
        resolve(result);
      };
      // 'close' comes after the output streams are drained, so the last lines are printed before the exit is reported.
      child.on('close', (code, signal) => settle({ code, signal }));
      child.on('error', (error) => {
        if (child.pid === undefined) settle({ code: null, signal: null, error });
      });
    }),
    signal(signal) {
      if (!running) return;
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    },
    killGroup() {
      if (!running || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
    describeExit() {
      if (exit === undefined) return 'still running';
      if (exit.error !== undefined) return `could not start: ${exit.error.message}`;
      return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    },
  };
  live.add(managed);
  return managed;
}

/**
 * Sends `signal` and waits up to `timeoutMs`; then SIGKILLs the process group. Resolves true when the
 * process stopped on its own.
 */
export async function stopManagedProcess(
  managed: ManagedProcess,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<boolean> {
  if (!managed.running) return true;
  managed.signal(signal);
  let timer: NodeJS.Timeout | undefined;
  const stoppedInTime = await Promise.race([
    managed.exited.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (!stoppedInTime) {
    managed.killGroup();
    await managed.exited;
  }
  return stoppedInTime;
}
