"use client";

import { type FormEvent, startTransition, useActionState } from "react";

/**
 * `useActionState` for a form that keeps what the user entered. React resets a form after its `action`
 * runs, and a reset puts every uncontrolled field back to its default: a `<select defaultValue>` to the
 * value it was first rendered with, so the next save would silently write that old value back. Submitting
 * through `onSubmit` runs the same action without the reset; without JavaScript the form still posts to it.
 */
export function useFormAction<State>(
  action: (state: Awaited<State>, formData: FormData) => State | Promise<State>,
  initialState: Awaited<State>,
) {
  const [state, dispatch, pending] = useActionState(action, initialState);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formData = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
    startTransition(() => dispatch(formData));
  };
  return { state, pending, formProps: { action: dispatch, onSubmit } };
}
