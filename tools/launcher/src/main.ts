// `pnpm start`: runs the whole local fleet (Postgres, Redis, migrations, dev operator, gateway, workers)
// in one terminal. Ctrl-C stops everything.

import { runCli } from './cli.ts';
import { FLEET } from './fleet.ts';

const code = await runCli(FLEET);
process.exitCode = code;
// The event loop normally drains on its own, which lets the last log lines reach the terminal; should
// anything keep it open, the launcher still exits.
setTimeout(() => process.exit(code), 3_000).unref();
