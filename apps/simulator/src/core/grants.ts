// What every platform's grants have in common: once revoked, every token they issued stops working.

/** Marks the given grants revoked (missing or already revoked ones are skipped); returns how many changed. */
export function revokeGrants(targets: Iterable<{ revoked: boolean } | undefined>): number {
  let count = 0;
  for (const grant of targets) {
    if (grant === undefined || grant.revoked) continue;
    grant.revoked = true;
    count += 1;
  }
  return count;
}
