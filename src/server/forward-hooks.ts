import type { Logger } from 'pino';
import type { Metrics } from '../observability/index.js';
import { labelCache } from '../observability/index.js';
import type { RequestContext } from '../proxy/context.js';
import { redactCanonicalRequest, redactText } from '../s3/redact.js';
import { diagnoseSignatureMismatch } from '../s3/signature-diagnosis.js';
import type { SignedRequest } from '../sigv4/signer.js';
import type { ForwardHooks } from './build-routes.js';

/** What every route's forwarder reports, decided once (the debug signing log costs nothing when off). */
export function forwardHooks(metrics: Metrics, logger: Logger): ForwardHooks {
  const retryReason = labelCache(metrics.retries);
  const mismatchLogAt = { last: 0 };
  let invalidRegionLogged = false;
  return {
    onRetry: (reason) => retryReason(reason).inc(),
    onRegionRedirect: () => metrics.regionRedirects.inc(),
    onInvalidRegion: (region) => {
      // Once per process: an upstream that lies about regions would otherwise flood the log.
      if (invalidRegionLogged) return;
      invalidRegionLogged = true;
      logger.warn({ region: JSON.stringify(region).slice(0, 80) }, 'upstream named a region that is not a region name; ignored');
    },
    // At debug level, what signet signed, line for line (session token and SSE-C keys masked): the first
    // thing to compare when a store rejects signatures without saying why.
    ...(logger.isLevelEnabled('debug')
      ? {
          onSigned: (ctx: RequestContext, signed: SignedRequest) =>
            logger.debug({
              reqId: ctx.id, region: ctx.region, signedHeaders: signed.signedHeaders,
              canonicalRequest: redactText(redactCanonicalRequest(signed.canonicalRequest), [signed.securityToken ?? '']),
              stringToSign: signed.stringToSign,
            }, 'signed'),
        }
      : {}),
    onSignatureMismatch: (ctx, signed, parsed) => {
      metrics.signatureMismatch.inc();
      // One warning per 10 s at most: a misconfiguration would otherwise flood the log.
      const now = Date.now();
      if (now - mismatchLogAt.last < 10_000) return;
      mismatchLogAt.last = now;
      const diagnosis = diagnoseSignatureMismatch(signed, parsed);
      logger.warn({ reqId: ctx.id, op: ctx.operation, summary: diagnosis.summary, differences: diagnosis.differences },
        'S3 answered SignatureDoesNotMatch');
    },
  };
}
