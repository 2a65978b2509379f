import {
  fromContainerMetadata,
  fromEnv,
  fromHttp,
  fromIni,
  fromInstanceMetadata,
  fromProcess,
  fromTokenFile,
} from '@aws-sdk/credential-providers';
import { METADATA_TIMEOUT_MS } from './constants.js';

export type SdkIdentity = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

/** One source of the chain. `skipReason` is set when the environment shows the source does not apply. */
export interface ChainLink {
  readonly name: string;
  readonly skipReason: string | null;
  /**
   * The environment names this source (a container credentials URI, a web identity token file): when
   * it fails, a source that is set up here is down, which is worth waiting for. IMDS is not: it is
   * only the chain's last guess, asked on any machine (a laptop included).
   */
  readonly explicit: boolean;
  provide(): Promise<{ identity: SdkIdentity; source: string }>;
}

// Feature ids the SDK records in `$source` (@aws-sdk/credential-provider-ini) that tell a profile's kind apart.
const PROFILE_FEATURE_SOURCES: ReadonlyArray<readonly [string, string]> = [
  ['CREDENTIALS_PROFILE_SSO', 'sso'],
  ['CREDENTIALS_PROFILE_SSO_LEGACY', 'sso'],
  ['CREDENTIALS_PROFILE_PROCESS', 'process'],
];

function profileSource(identity: SdkIdentity): string {
  const features = (identity as { $source?: Record<string, unknown> }).$source ?? {};
  for (const [feature, source] of PROFILE_FEATURE_SOURCES) if (feature in features) return source;
  return 'profile';
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/**
 * The links in the order of the SDK's default chain (@aws-sdk/credential-provider-node `defaultProvider`),
 * built from the individual providers so that signet knows which one answered and so that no SDK
 * memoization sits between the sources and signet's own cache.
 */
export function chainLinks(env: NodeJS.ProcessEnv, profileOption: string | undefined, region: string): ChainLink[] {
  const profile = profileOption ?? (isSet(env.AWS_PROFILE) ? env.AWS_PROFILE : undefined);
  // STS calls made on behalf of profiles and web identity go to the configured region's endpoint.
  const stsConfig = { clientConfig: { region }, parentClientConfig: { region } };
  const fileOptions = {
    profile,
    filepath: env.AWS_SHARED_CREDENTIALS_FILE,
    configFilepath: env.AWS_CONFIG_FILE,
    // Re-read the files on every refresh: a rotated credentials file must be picked up.
    ignoreCache: true,
  };
  const links: ChainLink[] = [
    {
      name: 'env',
      // Same rule as the SDK: a selected profile wins over AWS_ACCESS_KEY_ID.
      skipReason: profile !== undefined ? `skipped because profile '${profile}' is selected` : null,
      explicit: false,
      provide: async () => ({ identity: await fromEnv()(), source: 'env' }),
    },
    {
      name: `profile '${profile ?? 'default'}'`,
      skipReason: null,
      explicit: false,
      provide: async () => {
        const identity = await fromIni({ ...fileOptions, ...stsConfig })();
        return { identity, source: profileSource(identity) };
      },
    },
    {
      name: 'process',
      skipReason: null,
      explicit: false,
      provide: async () => ({ identity: await fromProcess(fileOptions)(), source: 'process' }),
    },
    {
      name: 'web-identity',
      skipReason:
        isSet(env.AWS_WEB_IDENTITY_TOKEN_FILE) && isSet(env.AWS_ROLE_ARN)
          ? null
          : 'AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set',
      explicit: true,
      provide: async () => {
        const identity = await fromTokenFile({
          webIdentityTokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE,
          roleArn: env.AWS_ROLE_ARN,
          roleSessionName: env.AWS_ROLE_SESSION_NAME,
          ...stsConfig,
        })();
        return { identity, source: 'web-identity' };
      },
    },
  ];
  links.push(remoteLink(env));
  return links;
}

/** The SDK's remote step: the container endpoint when one is configured, otherwise IMDS. */
function remoteLink(env: NodeJS.ProcessEnv): ChainLink {
  const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
  const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  if (isSet(relative) || isSet(full)) {
    return {
      name: 'container',
      skipReason: null,
      explicit: true,
      provide: async () => {
        try {
          // fromHttp reads AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE on every call (EKS Pod Identity rotates it).
          const identity = await fromHttp({
            awsContainerCredentialsRelativeUri: relative,
            awsContainerCredentialsFullUri: full,
            awsContainerAuthorizationToken: env.AWS_CONTAINER_AUTHORIZATION_TOKEN,
            awsContainerAuthorizationTokenFile: env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
            timeout: METADATA_TIMEOUT_MS,
            // signet's cache retries with backoff; one quick retry here absorbs a single dropped request.
            maxRetries: 1,
          })();
          return { identity, source: 'container' };
        } catch (httpError) {
          // The SDK falls back to the older container provider (ECS / Greengrass hosts); keep both reasons.
          try {
            return { identity: await fromContainerMetadata({ timeout: METADATA_TIMEOUT_MS })(), source: 'container' };
          } catch {
            throw httpError;
          }
        }
      },
    };
  }
  const disabled = env.AWS_EC2_METADATA_DISABLED;
  return {
    name: 'imds',
    skipReason: isSet(disabled) && disabled.toLowerCase() !== 'false' ? 'disabled by AWS_EC2_METADATA_DISABLED' : null,
    explicit: false,
    provide: async () => ({
      identity: await fromInstanceMetadata({ timeout: METADATA_TIMEOUT_MS, maxRetries: 1 })(),
      source: 'imds',
    }),
  };
}
