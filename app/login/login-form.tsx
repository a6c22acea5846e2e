"use client";

import { useActionState } from "react";
import { Field } from "@/components/form-field";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { signInAction } from "./actions";

export function LoginForm({ callbackUrl }: { callbackUrl?: string }) {
  const [state, action, pending] = useActionState(signInAction, null);
  const failed = state && !state.ok && state.error.code !== "validation";
  return (
    <form action={action} className="space-y-4" noValidate>
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <Field label="Email" name="email" state={state}>
        <Input type="email" autoComplete="username" required autoFocus />
      </Field>
      <Field label="Password" name="password" state={state}>
        <Input type="password" autoComplete="current-password" required />
      </Field>
      {failed ? (
        <p id="login-error" role="status" className="rounded-md bg-red-50 px-3 py-2 text-sm text-destructive">
          {state.error.message}
        </p>
      ) : null}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
