// The signed-in frame: who is signed in, the page's sections, the operators' link to the queues, and
// sign-out. Without a session it shows the sign-in form; a brand that has not finished connecting its
// platforms lands on the setup wizard.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiRequest, onSignedOut } from './api.ts';
import { Loading } from './components/messages.tsx';
import { EventsPage } from './pages/events.tsx';
import { IntegrationsPage } from './pages/integrations.tsx';
import { KlaviyoPage } from './pages/klaviyo.tsx';
import { OnboardingPage } from './pages/onboarding.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SpendPage } from './pages/spend.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import type { OnboardingProgress } from './types.ts';

interface Session {
  tenant: { id: string; name: string };
}

const SECTIONS = [
  { path: '/admin', label: 'Integrations' },
  { path: '/admin/onboarding', label: 'Setup' },
  { path: '/admin/spend', label: 'Spend' },
  { path: '/admin/events', label: 'Events' },
  { path: '/admin/klaviyo', label: 'Klaviyo' },
] as const;

function CurrentPage(props: { path: string }) {
  switch (props.path) {
    case '/admin/onboarding':
      return <OnboardingPage />;
    case '/admin/spend':
      return <SpendPage />;
    case '/admin/events':
      return <EventsPage />;
    case '/admin/klaviyo':
      return <KlaviyoPage />;
    default:
      return <IntegrationsPage />;
  }
}

export function App(props: { queuesPath: string }) {
  const { path } = useLocation();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  const loadSession = async (afterSignIn: boolean) => {
    try {
      const found = await apiRequest<Session>('GET', '/v1/admin/session');
      setSession(found);
      if (afterSignIn || path === '/admin') {
        const progress = await apiRequest<OnboardingProgress>('GET', '/v1/onboarding');
        if (!progress.complete && location.search === '') navigate('/admin/onboarding', { replace: true });
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setSession(null);
      else setProblem(error instanceof ApiError ? error.message : 'adsync could not be reached. Reload to try again.');
    }
  };

  useEffect(() => {
    void loadSession(false);
    return onSignedOut(() => setSession(null));
  }, []);

  useEffect(() => {
    const section = SECTIONS.find((candidate) => candidate.path === path);
    document.title = session ? `${section?.label ?? 'Integrations'} · adsync` : 'Sign in · adsync';
  }, [path, session]);

  if (problem !== undefined) {
    return (
      <main class="page">
        <p role="alert" class="message message--error">
          {problem}
        </p>
      </main>
    );
  }
  if (session === undefined) return <Loading what="your account" />;
  if (session === null) return <SignInPage onSignedIn={() => loadSession(true)} />;

  const signOut = async () => {
    try {
      await apiRequest('POST', '/admin/logout');
    } finally {
      setSession(null);
      navigate('/admin', { replace: true });
    }
  };

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">adsync</span>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map((section) => (
              <li key={section.path}>
                <Link href={section.path} current={section.path === path}>
                  {section.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span>{session.tenant.name}</span>
          <a href={props.queuesPath} title="Bull Board, for operators (asks for operator credentials)">
            Queues (operators)
          </a>
          <button type="button" class="button button--link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="page" tabIndex={-1}>
        <CurrentPage path={path} />
      </main>
    </>
  );
}
