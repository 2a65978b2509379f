import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

let dir: string;
let pem: string;
const REGION = { AWS_REGION: 'eu-west-1' };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-config-'));
  pem = join(dir, 'cert.pem');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig defaults', () => {
  it('fills every setting from the table when only the region is given', () => {
    const c = loadConfig([], REGION);
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.adminListen).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(c.region).toBe('eu-west-1');
    expect(c.upstream.url).toBe('https://s3.eu-west-1.amazonaws.com');
    expect(c.upstream.isAws).toBe(true);
    expect([...c.upstreamCapabilities].sort()).toEqual(['aws-chunked', 'unsigned-payload', 'unsigned-trailer']);
    expect(c).toMatchObject({
      service: 's3',
      addressing: 'auto',
      payload: 'auto',
      bufferLimit: 1_048_576,
      spoolDir: tmpdir(),
      spoolMemory: 1_048_576,
      maxSpool: 5 * 2 ** 30,
      chunkSize: 65_536,
      hashOffload: 'off',
      roleSessionName: 'signet',
      roleDuration: 3_600_000,
      credentialsRefreshMargin: 300_000,
      connectTimeout: 5000,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
      maxRetries: 2,
      logLevel: 'info',
      shutdownGrace: 25_000,
      upstreamInsecure: false,
      maxHeaderSize: 16_384,
      maxConcurrent: 1024,
      clientHeaderTimeout: 30_000,
      clientIdleTimeout: 60_000,
      clientBodyTimeout: 60_000,
      maxConnections: 4096,
    });
    for (const key of ['profile', 'roleArn', 'externalId', 'tlsCert', 'tlsKey', 'upstreamCa', 'inboundKeys', 'configFile']) {
      expect(c[key as keyof typeof c]).toBeUndefined();
    }
  });

  it('returns a frozen object, frozen down to the addresses and the upstream', () => {
    const c = loadConfig([], REGION);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.listen)).toBe(true);
    expect(Object.isFrozen(c.upstream)).toBe(true);
    expect(() => {
      (c as { region: string }).region = 'x';
    }).toThrow(TypeError);
  });

  it('gives a non-Amazon upstream no capabilities unless configured', () => {
    expect(loadConfig(['--upstream', 'http://127.0.0.1:9000'], REGION).upstreamCapabilities.size).toBe(0);
    const c = loadConfig(['--upstream', 'http://127.0.0.1:9000', '--upstream-capabilities', 'aws-chunked,unsigned-payload'], REGION);
    expect([...c.upstreamCapabilities]).toEqual(['aws-chunked', 'unsigned-payload']);
    expect(loadConfig(['--upstream-capabilities', 'none'], REGION).upstreamCapabilities.size).toBe(0);
  });

  it('lets `admin-listen off` disable the admin listener', () => {
    expect(loadConfig(['--admin-listen', 'off'], REGION).adminListen).toBeNull();
  });
});

describe('loadConfig flag syntax', () => {
  it('reads --name value and --name=value alike', () => {
    expect(loadConfig(['--max-retries', '5'], REGION).maxRetries).toBe(5);
    expect(loadConfig(['--max-retries=5'], REGION).maxRetries).toBe(5);
  });

  it('reads booleans as --flag, --no-flag and --flag=false', () => {
    expect(loadConfig(['--upstream-insecure'], REGION).upstreamInsecure).toBe(true);
    expect(loadConfig(['--upstream-insecure', '--no-upstream-insecure'], REGION).upstreamInsecure).toBe(false);
    expect(loadConfig(['--upstream-insecure=false'], REGION).upstreamInsecure).toBe(false);
  });

  it('lets the last occurrence of a flag win', () => {
    expect(loadConfig(['--service', 'a', '--service', 'b'], REGION).service).toBe('b');
  });
});

describe('loadConfig precedence: flag > env > file > default', () => {
  it.each(['yaml', 'json'])('applies it with a %s config file', (kind) => {
    const settings = { service: 'from-file', 'max-retries': 7, bufferLimit: '2MiB', payload: 'signed' };
    const path =
      kind === 'json'
        ? file('prec.json', JSON.stringify(settings))
        : file('prec.yaml', 'service: from-file\nmax-retries: 7\nbufferLimit: 2MiB\npayload: signed\n');
    const env = { ...REGION, SIGNET_SERVICE: 'from-env', SIGNET_MAX_RETRIES: '4' };
    const c = loadConfig(['--config', path, '--service', 'from-flag'], env);
    expect(c.service).toBe('from-flag'); // flag beats env and file
    expect(c.maxRetries).toBe(4); // env beats file
    expect(c.bufferLimit).toBe(2 * 2 ** 20); // file beats default; camelCase key
    expect(c.payload).toBe('signed');
    expect(c.logLevel).toBe('info'); // default
    expect(c.configFile).toBe(path);
  });

  it('takes the config file path from SIGNET_CONFIG', () => {
    const path = file('env-config.yaml', 'service: via-env-path\n');
    expect(loadConfig([], { ...REGION, SIGNET_CONFIG: path }).service).toBe('via-env-path');
  });

  it('reads numbers in a file as bytes and seconds', () => {
    const path = file('numbers.yaml', 'buffer-limit: 4096\nconnect-timeout: 2.5\nupstream-capabilities: [aws-chunked]\n');
    const c = loadConfig(['--config', path], REGION);
    expect(c.bufferLimit).toBe(4096);
    expect(c.connectTimeout).toBe(2500);
    expect([...c.upstreamCapabilities]).toEqual(['aws-chunked']);
  });

  it('treats an empty SIGNET_ variable and a null file key as unset', () => {
    const path = file('nulls.yaml', 'role-arn:\n');
    expect(loadConfig(['--config', path], { ...REGION, SIGNET_ROLE_ARN: '' }).roleArn).toBeUndefined();
  });

  it('accepts an empty config file', () => {
    expect(loadConfig(['--config', file('empty.yaml', '')], REGION).service).toBe('s3');
  });
});

describe('loadConfig standard AWS variables', () => {
  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION, after the signet sources', () => {
    expect(loadConfig([], { AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe('us-west-2');
    expect(loadConfig([], { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe('eu-central-1');
    expect(loadConfig([], { AWS_REGION: 'eu-central-1', SIGNET_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    const path = file('region.yaml', 'region: sa-east-1\n');
    expect(loadConfig(['--config', path], { AWS_REGION: 'eu-central-1' }).region).toBe('sa-east-1');
    expect(loadConfig(['--region', 'us-east-1'], { SIGNET_REGION: 'ap-south-1' }).region).toBe('us-east-1');
  });

  it('derives the default upstream from the region', () => {
    expect(loadConfig(['--region', 'ap-southeast-2'], {}).upstream.hostname).toBe('s3.ap-southeast-2.amazonaws.com');
  });

  it('takes the profile from AWS_PROFILE', () => {
    expect(loadConfig([], { ...REGION, AWS_PROFILE: 'dev' }).profile).toBe('dev');
    expect(loadConfig(['--profile', 'prod'], { ...REGION, AWS_PROFILE: 'dev' }).profile).toBe('prod');
  });

  it('does not take the role from AWS_ROLE_ARN, which belongs to web identity', () => {
    expect(loadConfig([], { ...REGION, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/web' }).roleArn).toBeUndefined();
  });
});

describe('loadConfig file checks', () => {
  it('accepts readable TLS, CA and inbound-key files and an existing spool directory', () => {
    const c = loadConfig(
      ['--tls-cert', pem, '--tls-key', pem, '--upstream-ca', pem, '--inbound-keys', pem, '--spool-dir', dir],
      REGION,
    );
    expect(c).toMatchObject({ tlsCert: pem, tlsKey: pem, upstreamCa: pem, inboundKeys: pem, spoolDir: dir });
  });
});

/** [rule, argv, env, text the message must contain]. Each message must be one line and name the flag. */
const ERRORS: [string, string[], Record<string, string>, string][] = [
  ['an unknown flag', ['--lisen', ':1'], REGION, '--lisen: unknown flag (did you mean --listen?)'],
  ['an unknown SIGNET_ variable', [], { ...REGION, SIGNET_REGOIN: 'x' }, 'SIGNET_REGOIN: unknown environment variable (did you mean SIGNET_REGION?)'],
  ['a positional argument', ['extra'], REGION, 'unexpected argument "extra"'],
  ['a flag without its value', ['--region'], {}, '--region: needs a value'],
  ['a flag followed by another flag instead of a value', ['--listen', '--region', 'x'], {}, '--listen: needs a value'],
  ['--no- on a flag that is not boolean', ['--no-region'], REGION, '--no-region: --region is not a boolean flag'],
  ['an empty value', ['--service='], REGION, '--service: "" is empty'],
  ['a listen address without a port', ['--listen', '127.0.0.1'], REGION, '--listen: "127.0.0.1" is not host:port'],
  ['a port above 65535', ['--listen', ':65536'], REGION, '--listen: ":65536" is not host:port'],
  ['a bad admin address', ['--admin-listen', 'nope'], REGION, '--admin-listen: "nope" is not host:port or off'],
  ['the admin address equal to the proxy address', ['--admin-listen', '127.0.0.1:8080'], REGION, '--admin-listen: "127.0.0.1:8080" is the address of --listen'],
  ['no region at all', [], {}, '--region: no region configured (set --region, SIGNET_REGION or AWS_REGION)'],
  ['a malformed region', ['--region', 'US_EAST'], {}, '--region: "US_EAST" is not a region'],
  ['an upstream that is not a URL', ['--upstream', 's3.local'], REGION, '--upstream: "s3.local" is not a URL'],
  ['an upstream with another scheme', ['--upstream', 'ftp://s3.local'], REGION, '--upstream: "ftp://s3.local" must use http or https'],
  ['an upstream with credentials', ['--upstream', 'https://a:b@s3.local'], REGION, 'must not carry credentials'],
  ['an upstream with a path', ['--upstream', 'https://s3.local/bucket'], REGION, '--upstream: "https://s3.local/bucket" must have no path, query or fragment'],
  ['an unknown addressing mode', ['--addressing', 'dns'], REGION, '--addressing: "dns" is not one of path|virtual|auto'],
  ['an unknown payload mode', ['--payload', 'fast'], REGION, '--payload: "fast" is not one of auto|signed|streaming|unsigned|unsigned-trailer'],
  ['an unknown log level', ['--log-level', 'loud'], REGION, '--log-level: "loud" is not one of fatal|error|warn|info|debug|trace|silent'],
  ['an unknown capability', ['--upstream-capabilities', 'aws-chunked,gzip'], REGION, '--upstream-capabilities: "aws-chunked,gzip" is not all, none or a list of aws-chunked,unsigned-trailer,unsigned-payload'],
  ['a payload mode the upstream cannot take', ['--upstream', 'http://127.0.0.1:9000', '--payload', 'streaming'], REGION, '--payload: "streaming" needs upstream capability aws-chunked'],
  ['a size that does not parse', ['--buffer-limit', 'big'], REGION, '--buffer-limit: "big" is not a size'],
  ['a chunk size below 8KiB', ['--chunk-size', '4KiB'], REGION, '--chunk-size: "4KiB" is outside 8KiB..64MiB'],
  ['a header limit above its maximum', ['--max-header-size', '2MiB'], REGION, '--max-header-size: "2MiB" is outside 1KiB..1MiB'],
  ['a zero max spool', ['--max-spool', '0'], REGION, '--max-spool: "0" is below the minimum 1'],
  ['a spool memory larger than the spool', ['--spool-memory', '2MiB', '--max-spool', '1MiB'], REGION, '--spool-memory: 2097152 bytes is more than --max-spool (1048576 bytes)'],
  ['a duration that does not parse', ['--connect-timeout', 'soon'], REGION, '--connect-timeout: "soon" is not a duration'],
  ['a zero timeout', ['--headers-timeout', '0s'], REGION, '--headers-timeout: "0s" is below the minimum 1ms'],
  ['a role duration under 15 minutes', ['--role-duration', '10m'], REGION, '--role-duration: "10m" is outside 15m..12h'],
  ['a role duration over 12 hours', ['--role-duration', '13h'], REGION, '--role-duration: "13h" is outside 15m..12h'],
  ['a count that is not a whole number', ['--max-concurrent', '1.5'], REGION, '--max-concurrent: "1.5" is not a whole number'],
  ['a zero max-concurrent', ['--max-concurrent', '0'], REGION, '--max-concurrent: "0" is below the minimum 1'],
  ['a body timeout that does not parse', ['--client-body-timeout', 'slow'], REGION, '--client-body-timeout: "slow" is not a duration'],
  ['a negative body timeout', ['--client-body-timeout=-1s'], REGION, '--client-body-timeout: "-1s" is not a duration'],
  ['a connection limit that is not a whole number', ['--max-connections', 'many'], REGION, '--max-connections: "many" is not a whole number'],
  ['a negative connection limit', ['--max-connections=-3'], REGION, '--max-connections: "-3" is not a whole number'],
  ['too many retries', ['--max-retries', '11'], REGION, '--max-retries: "11" is outside 0..10'],
  ['a boolean that is not one', ['--upstream-insecure=maybe'], REGION, '--upstream-insecure: "maybe" is not a boolean'],
  ['a spool directory that does not exist', ['--spool-dir', '/nonexistent/signet'], REGION, '--spool-dir: "/nonexistent/signet" is not an existing directory'],
  ['a TLS certificate that does not exist', ['--tls-cert', '/nonexistent/c.pem', '--tls-key', '/nonexistent/k.pem'], REGION, '--tls-cert: "/nonexistent/c.pem" is not a readable file'],
  ['a directory given as a file', ['--upstream-ca', '/'], REGION, '--upstream-ca: "/" is not a readable file'],
  ['an inbound-keys file that does not exist', ['--inbound-keys', '/nonexistent/keys'], REGION, '--inbound-keys: "/nonexistent/keys" is not a readable file'],
  ['a config file that does not exist', ['--config', '/nonexistent/signet.yaml'], REGION, '--config: "/nonexistent/signet.yaml" is not a readable file'],
  ['a malformed role ARN', ['--role-arn', 'arn:aws:iam::123:role/x'], REGION, '--role-arn: "arn:aws:iam::123:role/x" is not an IAM role ARN'],
  ['a malformed session name', ['--role-session-name', 'has space'], REGION, '--role-session-name: "has space" is not a session name'],
  ['an external id without a role', ['--external-id', 'ext-1'], REGION, '--external-id: "ext-1" is only used with --role-arn'],
  ['a virtual-host suffix that is no host name', ['--virtual-host-suffix', 'localhost,bad_name'], REGION, '--virtual-host-suffix: "bad_name" is not a host name'],
  ['an unknown signing algorithm', ['--signing-algorithm', 'sigv5'], REGION, '--signing-algorithm: "sigv5"'],
  ['a region set without SigV4A', ['--region-set', '*'], REGION, '--region-set: "*" is only used with --signing-algorithm sigv4a'],
  ['a region set with an empty entry', ['--signing-algorithm', 'sigv4a', '--region-set', 'us-east-1,'], REGION, '--region-set: "" is not a region name'],
  ['a region set with a bad entry', ['--signing-algorithm', 'sigv4a', '--region-set', 'US East'], REGION, '--region-set: "US East" is not a region name'],
];

describe('--signing-algorithm and --region-set', () => {
  it('default to SigV4 with no region set; SigV4A signs for the region unless a set is given', () => {
    expect(loadConfig([], REGION)).toMatchObject({ signingAlgorithm: 'sigv4', regionSet: [] });
    expect(loadConfig(['--signing-algorithm', 'sigv4a'], REGION)).toMatchObject({ signingAlgorithm: 'sigv4a', regionSet: ['eu-west-1'] });
    expect(loadConfig(['--signing-algorithm', 'sigv4a', '--region-set', '*'], REGION).regionSet).toEqual(['*']);
    expect(loadConfig(['--signing-algorithm', 'sigv4a', '--region-set', 'us-east-1, eu-*'], REGION).regionSet).toEqual(['us-east-1', 'eu-*']);
    expect(loadConfig([], { ...REGION, SIGNET_SIGNING_ALGORITHM: 'sigv4a', SIGNET_REGION_SET: '*' }).regionSet).toEqual(['*']);
  });
});

describe('client limits', () => {
  it('take 0 as off (no body timeout, no connection limit)', () => {
    const c = loadConfig(['--client-body-timeout', '0', '--max-connections', '0'], REGION);
    expect(c.clientBodyTimeout).toBe(0);
    expect(c.maxConnections).toBe(0);
    expect(loadConfig(['--client-body-timeout', '1500ms', '--max-connections', '3'], REGION)).toMatchObject({ clientBodyTimeout: 1500, maxConnections: 3 });
  });
});

describe('--virtual-host-suffix', () => {
  it('defaults to localhost, takes a list, and none turns it off', () => {
    expect(loadConfig([], REGION).virtualHostSuffixes).toEqual(['localhost']);
    expect(loadConfig(['--virtual-host-suffix', 'S3.Signet.Internal, localhost'], REGION).virtualHostSuffixes).toEqual(['s3.signet.internal', 'localhost']);
    expect(loadConfig(['--virtual-host-suffix', 'none'], REGION).virtualHostSuffixes).toEqual([]);
  });
});

describe('loadConfig rejects, in one line naming the flag and the value,', () => {
  it.each(ERRORS)('%s', (_rule, argv, env, expected) => {
    const err = catchError(() => loadConfig(argv, env));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(expected);
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it('a TLS key without a certificate, and a certificate without a key', () => {
    expect(catchError(() => loadConfig(['--tls-key', pem], REGION)).message).toBe(
      `--tls-key: ${JSON.stringify(pem)} is set but --tls-cert is not (give both or neither)`,
    );
    expect(catchError(() => loadConfig(['--tls-cert', pem], REGION)).message).toBe(
      `--tls-cert: ${JSON.stringify(pem)} is set but --tls-key is not (give both or neither)`,
    );
  });

  it('a bad value from the environment, naming the variable as well', () => {
    expect(catchError(() => loadConfig([], { ...REGION, SIGNET_PAYLOAD: 'fast' })).message).toBe(
      '--payload (from SIGNET_PAYLOAD): "fast" is not one of auto|signed|streaming|unsigned|unsigned-trailer',
    );
  });

  it('a bad region from AWS_REGION, naming that variable', () => {
    expect(catchError(() => loadConfig([], { AWS_REGION: 'Mars' })).message).toContain('--region (from AWS_REGION): "Mars"');
  });

  it('a bad value from the config file, naming the key and the file', () => {
    const path = file('bad-value.yaml', 'chunkSize: 1KiB\n');
    expect(catchError(() => loadConfig(['--config', path], REGION)).message).toBe(
      `--chunk-size (from key "chunkSize" in ${JSON.stringify(path)}): "1KiB" is outside 8KiB..64MiB`,
    );
  });

  it('a list in the config file where text is expected', () => {
    const path = file('list.yaml', 'service: [a, b]\n');
    expect(catchError(() => loadConfig(['--config', path], REGION)).message).toContain('--service (from key "service"');
  });

  it('an unknown key in the config file', () => {
    const path = file('unknown.yaml', 'bufer-limit: 1MiB\n');
    expect(catchError(() => loadConfig(['--config', path], REGION)).message).toBe(
      `--config: unknown key "bufer-limit" in ${JSON.stringify(path)} (did you mean buffer-limit?)`,
    );
  });

  it('the same setting twice in the config file, once per spelling', () => {
    const path = file('twice.json', '{"buffer-limit": "1MiB", "bufferLimit": "2MiB"}');
    expect(catchError(() => loadConfig(['--config', path], REGION)).message).toContain(
      'keys "buffer-limit" and "bufferLimit"',
    );
  });

  it('a config file that names another config file', () => {
    const path = file('nested.yaml', 'config: other.yaml\n');
    expect(catchError(() => loadConfig(['--config', path], REGION)).message).toContain('--config: key "config" cannot be set');
  });

  it('a config file that is not a mapping', () => {
    const path = file('list-doc.yaml', '- a\n- b\n');
    expect(catchError(() => loadConfig(['--config', path], REGION)).message).toContain('must hold a mapping');
  });

  it('a config file that does not parse, without echoing its lines', () => {
    const path = file('broken.yaml', 'region: eu-west-1\nsecret: "unterminated\n');
    const err = catchError(() => loadConfig(['--config', path], REGION));
    expect(err.message).toContain('is not valid YAML or JSON');
    expect(err.message).not.toMatch(/[\r\n]/);
    expect(err.message).not.toContain('unterminated');
  });

  it('an unknown SIGNET_ variable without showing its value', () => {
    const err = catchError(() => loadConfig([], { ...REGION, SIGNET_SECRET_KEY: 'wJalrXUtnFEMI' }));
    expect(err.message).toContain('SIGNET_SECRET_KEY');
    expect(err.message).not.toContain('wJalrXUtnFEMI');
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('--workers', () => {
  it('is 1 by default: one process, no cluster', () => {
    expect(loadConfig([], REGION).workers).toBe(1);
  });

  it('takes a count from the flag, SIGNET_WORKERS or a config file number', () => {
    expect(loadConfig(['--workers', '4'], REGION).workers).toBe(4);
    expect(loadConfig([], { ...REGION, SIGNET_WORKERS: '3' }).workers).toBe(3);
    expect(loadConfig(['--config', file('workers.yaml', 'workers: 2\n')], REGION).workers).toBe(2);
  });

  it('resolves auto to the CPUs this process may use', async () => {
    const { availableParallelism } = await import('node:os');
    expect(loadConfig(['--workers', 'auto'], REGION).workers).toBe(availableParallelism());
  });

  it('refuses 0, negatives, fractions and words other than auto, naming the flag', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '257']) {
      expect(() => loadConfig(['--workers', bad], REGION)).toThrow(ConfigError);
    }
    expect(() => loadConfig(['--workers', 'many'], REGION)).toThrow(/^--workers: "many" is not a whole number nor auto$/);
    expect(() => loadConfig(['--workers', '0'], REGION)).toThrow(/^--workers: "0" is outside 1\.\.256$/);
  });
});
