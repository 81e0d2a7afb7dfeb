/** The password policy's numbers (pure: the web UI's schemas read them too). */
export const PASSWORD_MIN_LENGTH = 10;
/** Longer input is refused before hashing: it only costs the server time. */
export const PASSWORD_MAX_LENGTH = 1024;
