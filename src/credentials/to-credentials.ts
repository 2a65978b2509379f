import type { Credentials } from '../sigv4/types.js';
import type { SdkIdentity } from './chain-links.js';

/** A frozen copy with only the four fields signing needs, so the SDK's object is never shared or mutated. */
export function toCredentials(identity: SdkIdentity): Credentials {
  return Object.freeze({
    accessKeyId: identity.accessKeyId,
    secretAccessKey: identity.secretAccessKey,
    sessionToken: identity.sessionToken,
    expiration: identity.expiration,
  });
}
