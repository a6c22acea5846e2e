/** How long a sign-in lasts: the JWT's `maxAge` and the device session's expiry are the same. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;
