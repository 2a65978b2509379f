import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every variable the chain or the SDK reads; cleared before each test so the host's own setup cannot leak in.
const AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_EC2_METADATA_DISABLED', 'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE',
  'AWS_EC2_METADATA_V1_DISABLED', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_SSO', 'AWS_STS_REGIONAL_ENDPOINTS', 'AWS_SDK_LOAD_CONFIG',
];

/**
 * A clean AWS environment in process.env (the SDK reads it directly) with HOME and the shared
 * files in a fresh temp dir, IMDS disabled unless the test turns it on. `restore()` puts it all back.
 */
export function isolatedAwsEnv(vars: Record<string, string> = {}) {
  const saved = { ...process.env };
  const home = mkdtempSync(join(tmpdir(), 'signet-creds-'));
  for (const name of AWS_VARIABLES) delete process.env[name];
  Object.assign(process.env, {
    HOME: home,
    USERPROFILE: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...vars,
  });
  return {
    home,
    write(name: string, text: string): string {
      const path = join(home, name);
      writeFileSync(path, text);
      return path;
    },
    restore(): void {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
