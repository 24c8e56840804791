// An expected failure (a service down, a port in use, a bad setting): the launcher prints its message as
// one line, with no stack trace, and exits 1.

export class LauncherError extends Error {
  override name = 'LauncherError';
}
