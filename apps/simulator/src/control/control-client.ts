// Tests drive the simulator through its control API (faults, clock, rejected events…): one POST helper
// that fails loudly when the simulator refuses, so a mistyped control never passes silently.

export async function controlSimulator(simulatorUrl: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${simulatorUrl}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`simulator control ${path} answered ${response.status}: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}
