import { CredentialsSignin } from "next-auth";

/**
 * A sign-in refused by the rate limit (lib/auth/sign-in-limit.ts). Thrown from the Credentials provider's
 * `authorize`: Auth.js passes a CredentialsSignin through to `signIn` as it is, so the login action can
 * tell it from a wrong password and say how long to wait.
 */
export class SignInRateLimited extends CredentialsSignin {
  code = "rate_limited";
  constructor(readonly retryAfterSeconds: number) {
    super();
  }
}
