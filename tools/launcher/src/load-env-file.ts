// Reads the repository's .env into the environment before the configuration is parsed. Variables already
// set win over the file, so CI and one-off `FOO=bar pnpm start` runs override it.

export function loadEnvFileIfPresent(path: string): boolean {
  try {
    process.loadEnvFile(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
