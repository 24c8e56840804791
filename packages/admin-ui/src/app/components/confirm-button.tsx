// A button for something that cannot be undone: it opens a native modal dialog (focus trapped, Escape
// cancels) that says what will happen, and acts only on the dialog's own confirm button.

import type { ComponentChildren } from 'preact';
import { useId, useRef } from 'preact/hooks';

export function ConfirmButton(props: {
  label: string;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <button
        type="button"
        class="button button--danger"
        disabled={props.disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} class="dialog">
        <form
          method="dialog"
          onSubmit={(event) => {
            const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
            if (submitter?.value === 'confirm') props.onConfirm();
          }}
        >
          <h2 id={titleId}>{props.title}</h2>
          <div>{props.children}</div>
          <div class="actions">
            <button type="submit" value="cancel" class="button" autofocus>
              Cancel
            </button>
            <button type="submit" value="confirm" class="button button--danger">
              {props.confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
