// The onboarding wizard, steps 4–7 (Meta, Google, TikTok, Klaviyo): one platform at a time, with the
// progress so far, skip, and resume later (progress lives on the server: connecting or skipping is saved).

import { apiRequest } from '../api.ts';
import { ConnectResult } from '../components/connect-result.tsx';
import { ErrorMessage, Loading } from '../components/messages.tsx';
import { ProviderCard } from '../components/provider-card.tsx';
import { connectionFor, connectResult } from '../connections.ts';
import { platformName } from '../format.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { ConnectionView, OnboardingProgress } from '../types.ts';
import { useAction, useApi } from '../use-api.ts';

const STATUS_WORDS = { not_started: 'Not started', connected: 'Connected', skipped: 'Skipped' } as const;
const stepHref = (provider: string) => `/admin/onboarding?step=${provider}`;

export function OnboardingPage() {
  const { query } = useLocation();
  const progress = useApi<OnboardingProgress>('/v1/onboarding');
  const connections = useApi<{ connections: ConnectionView[] }>('/v1/connections');
  const action = useAction();
  const reload = async () => {
    await Promise.all([progress.reload(), connections.reload()]);
  };

  if (progress.data === undefined || connections.data === undefined) {
    return (
      <>
        <h1>Set up adsync</h1>
        <ErrorMessage>{progress.error ?? connections.error}</ErrorMessage>
        {progress.error === undefined && connections.error === undefined && <Loading what="your setup" />}
      </>
    );
  }
  const { steps } = progress.data;
  const requested = steps.find((step) => step.provider === query.get('step'));
  const current = requested ?? steps.find((step) => step.provider === progress.data?.next?.provider);
  const done = steps.filter((step) => step.status !== 'not_started').length;
  const later = (provider: string) => steps.slice(steps.findIndex((step) => step.provider === provider) + 1);
  const goOn = (provider: string, fresh: OnboardingProgress) => {
    const following = later(provider).find(
      (step) => fresh.steps.find((s) => s.provider === step.provider)?.status === 'not_started',
    );
    navigate(following === undefined ? '/admin/onboarding?step=done' : stepHref(following.provider));
  };
  const skip = (provider: string) =>
    action.run(async () => {
      const fresh = await apiRequest<OnboardingProgress>('POST', `/v1/onboarding/${provider}/skip`);
      await progress.reload();
      goOn(provider, fresh);
    });
  const resume = (provider: string) =>
    action.run(async () => {
      await apiRequest('POST', `/v1/onboarding/${provider}/resume`);
      await progress.reload();
      navigate(stepHref(provider));
    });
  const result = connectResult(query);
  const finished = current === undefined;

  return (
    <>
      <h1>Set up adsync</h1>
      <p class="muted">Your progress is saved as you go: leave at any time and pick up where you stopped.</p>
      <div class="progress">
        <progress max={steps.length} value={done} aria-label="Setup progress" />
        <span>
          {done} of {steps.length} platforms done
        </span>
      </div>
      <ol class="steps">
        {steps.map((step) => (
          <li
            key={step.provider}
            class={`steps__item steps__item--${step.status}`}
            aria-current={step === current ? 'step' : undefined}
          >
            <Link href={stepHref(step.provider)}>
              Step {step.step}: {platformName(step.provider)}
            </Link>{' '}
            <span class="muted">{STATUS_WORDS[step.status]}</span>
          </li>
        ))}
      </ol>
      <ErrorMessage>{action.error}</ErrorMessage>

      {finished ? (
        <section class="card">
          <h2>{progress.data.complete ? 'Setup complete' : 'Almost there'}</h2>
          <p>
            {progress.data.complete
              ? 'Every platform is connected or skipped. adsync syncs what you connected; spend appears within the hour.'
              : 'Some platforms are not set up yet; choose one above.'}
          </p>
          <div class="actions">
            <Link class="button button--primary" href="/admin">
              Go to integrations
            </Link>
            <Link class="button" href="/admin/spend">
              See spend
            </Link>
          </div>
        </section>
      ) : (
        <section aria-labelledby="step-title">
          <h2 id="step-title">
            Step {current.step} of 7: connect {platformName(current.provider)}
          </h2>
          {result !== null && result.provider === current.provider && <ConnectResult result={result} />}
          {current.status === 'skipped' ? (
            <div class="card">
              <p>You skipped {platformName(current.provider)}.</p>
              <button
                type="button"
                class="button button--primary"
                disabled={action.busy}
                onClick={() => resume(current.provider)}
              >
                Set up {platformName(current.provider)} now
              </button>
            </div>
          ) : (
            <ProviderCard
              provider={current.provider}
              connection={connectionFor(connections.data.connections, current.provider)}
              returnTo={stepHref(current.provider)}
              onChanged={reload}
            />
          )}
          <div class="actions wizard-nav">
            {current.status === 'not_started' && (
              <button type="button" class="button" disabled={action.busy} onClick={() => skip(current.provider)}>
                Skip this step
              </button>
            )}
            {current.status !== 'not_started' && (
              <button
                type="button"
                class="button button--primary"
                onClick={() => goOn(current.provider, progress.data as OnboardingProgress)}
              >
                Next step
              </button>
            )}
            <Link class="button button--link" href="/admin">
              Finish later
            </Link>
          </div>
        </section>
      )}
    </>
  );
}
