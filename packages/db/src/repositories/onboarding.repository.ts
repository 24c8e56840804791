// The onboarding wizard's remembered choices: which of steps 4–7 the brand skipped.

import type { Db } from '../create-database.ts';
import type { OnboardingStep } from '../schema.ts';

export async function skippedOnboardingSteps(db: Db, tenantId: string): Promise<OnboardingStep[]> {
  const rows = await db
    .selectFrom('onboarding_progress')
    .select('step')
    .where('tenant_id', '=', tenantId)
    .where('skipped_at', 'is not', null)
    .execute();
  return rows.map((row) => row.step);
}

/** Marks a step skipped, or clears the skip (`skipped: false`). */
export async function setOnboardingStepSkipped(
  db: Db,
  key: { tenantId: string; step: OnboardingStep },
  skipped: boolean,
): Promise<void> {
  const now = new Date();
  await db
    .insertInto('onboarding_progress')
    .values({ tenant_id: key.tenantId, step: key.step, skipped_at: skipped ? now : null, updated_at: now })
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'step']).doUpdateSet({ skipped_at: skipped ? now : null, updated_at: now }),
    )
    .execute();
}
