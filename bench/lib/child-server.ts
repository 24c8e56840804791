// Runs a server in its own Node process, so the load generator and the server do not share an event loop.
// The child prints one JSON line `{"url": "..."}` once it listens.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface ChildServer {
  url: string;
  stop(): Promise<void>;
}

export async function startChildServer(script: string, args: readonly string[] = []): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.stdout === null) throw new Error('child has no stdout');
  for await (const line of createInterface({ input: child.stdout })) {
    const parsed = JSON.parse(line) as { url?: string };
    if (parsed.url !== undefined) {
      const exited = once(child, 'exit');
      return {
        url: parsed.url,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
  }
  throw new Error(`${script} exited before it printed its URL`);
}
