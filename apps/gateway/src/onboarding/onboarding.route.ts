// The onboarding wizard's steps 4–7 (Meta, Google, TikTok, Klaviyo; steps 1–3 live in the brand's own
// product). A step is connected when its connection exists and is not disconnected, skipped when the
// brand chose to skip it, otherwise not started; `next` is where a resumed wizard picks up.

import {
  listConnections,
  ONBOARDING_STEPS,
  type OnboardingStep,
  setOnboardingStepSkipped,
  skippedOnboardingSteps,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';
import { requireTenant, tenantOf } from '../tenants/tenant-auth.ts';

/** The wizard numbers these steps 4–7. */
const FIRST_STEP_NUMBER = 4;

type StepStatus = 'not_started' | 'connected' | 'skipped';

function stepParam(request: FastifyRequest): OnboardingStep {
  const { provider } = request.params as { provider: string };
  if ((ONBOARDING_STEPS as readonly string[]).includes(provider)) return provider as OnboardingStep;
  throw new AppError(
    'unknown_onboarding_step',
    `There is no onboarding step "${provider}"; use one of ${ONBOARDING_STEPS.join(', ')}.`,
    {
      status: 404,
    },
  );
}

async function progress(deps: GatewayDeps, tenantId: string) {
  const [connections, skipped] = await Promise.all([
    listConnections(deps.db, tenantId),
    skippedOnboardingSteps(deps.db, tenantId),
  ]);
  const steps = ONBOARDING_STEPS.map((provider, index) => {
    const connection = connections.find(
      (candidate) => candidate.provider === provider && candidate.status !== 'disconnected',
    );
    const status: StepStatus =
      connection !== undefined ? 'connected' : skipped.includes(provider) ? 'skipped' : 'not_started';
    return {
      step: FIRST_STEP_NUMBER + index,
      provider,
      status,
      ...(connection === undefined ? {} : { connectionId: connection.id, connectionStatus: connection.status }),
    };
  });
  const next = steps.find((step) => step.status === 'not_started');
  return {
    steps,
    next: next === undefined ? null : { step: next.step, provider: next.provider },
    complete: next === undefined,
  };
}

export function onboardingRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));

    app.get('/v1/onboarding', async (request) => progress(deps, tenantOf(request).tenantId));

    app.post('/v1/onboarding/:provider/skip', async (request) => {
      const step = stepParam(request);
      const { tenantId } = tenantOf(request);
      const current = await progress(deps, tenantId);
      if (current.steps.find((candidate) => candidate.provider === step)?.status === 'connected') {
        throw new AppError('step_connected', `${step} is already connected; disconnect it first to skip the step.`, {
          status: 409,
        });
      }
      await setOnboardingStepSkipped(deps.db, { tenantId, step }, true);
      return progress(deps, tenantId);
    });

    app.post('/v1/onboarding/:provider/resume', async (request) => {
      const step = stepParam(request);
      const { tenantId } = tenantOf(request);
      await setOnboardingStepSkipped(deps.db, { tenantId, step }, false);
      return progress(deps, tenantId);
    });
  };
}
