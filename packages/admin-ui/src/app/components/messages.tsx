// Status lines: errors are announced to screen readers at once (role=alert), notices politely.

import type { ComponentChildren } from 'preact';

export function ErrorMessage(props: { children: ComponentChildren | undefined }) {
  if (props.children === undefined) return null;
  return (
    <p class="message message--error" role="alert">
      {props.children}
    </p>
  );
}

export function Notice(props: { children: ComponentChildren; tone?: 'success' | 'warning' | 'info' }) {
  return (
    <p class={`message message--${props.tone ?? 'info'}`} role="status">
      {props.children}
    </p>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="muted" aria-busy="true">
      Loading {props.what}…
    </p>
  );
}
