/** What a censored secret reads as in logs. */
export const CENSOR_TEXT = '[REDACTED]';
