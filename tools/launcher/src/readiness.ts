// Polls the gateway's /readyz until it answers 200, so the banner only appears once the fleet can serve.

export interface WaitForReadyOptions {
  url: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Stops waiting early, e.g. when the gateway has already exited. */
  shouldGiveUp?: () => boolean;
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function waitForReady(options: WaitForReadyOptions): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (options.shouldGiveUp?.() === true) return false;
    if (await answers200(options.url)) return true;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
  return false;
}
