import { launch } from './cli.js';
import { demoCredentials, staticKeys, startDemoS3 } from './demo/index.js';
import { uploadPage } from './demo/upload-page.js';

const DEMO_REGION = 'us-east-1';

/**
 * `signet demo` (and `npm start`): signet in front of the embedded S3 on loopback, with generated
 * keys. The embedded S3 recomputes every signature with @smithy/signature-v4, so the curl session
 * printed below works only because signet really signs.
 */
export async function runDemo(argv: string[]): Promise<number | undefined> {
  const keys = demoCredentials();
  const s3 = await startDemoS3({ region: DEMO_REGION, keys: staticKeys([keys]), autoCreateBuckets: true });
  const running = await launch(
    ['--region', DEMO_REGION, '--upstream', s3.url, '--upstream-capabilities', 'all', ...argv],
    // Only signet's own variables: the demo never reads real AWS credentials or regions.
    Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('SIGNET_') && k !== 'SIGNET_UPSTREAM' && k !== 'SIGNET_REGION')),
    // The embedded S3 goes when signet goes (or never starts), or the process would never exit.
    { fetchCredentials: async () => ({ credentials: { ...keys }, source: 'demo' }), release: () => s3.close(), demoPage: uploadPage('demo-bucket', 'uploads/') },
  );
  if (typeof running !== 'object') return running;
  const base = running.proxy.url;
  console.error(`
signet demo: proxy ${base} -> embedded S3 ${s3.url} (region ${DEMO_REGION})
The embedded S3 accepts only requests signed with its generated keys; signet holds them, curl does not.
Metrics: ${running.admin?.url ?? '(admin off)'}/metrics

  echo 'hello from signet' > hello.txt
  curl -sS -T hello.txt ${base}/demo-bucket/hello.txt            # PUT (no auth: signet signs)
  curl -sS ${base}/demo-bucket/hello.txt                         # GET
  curl -sS '${base}/demo-bucket?list-type=2'                     # list objects (v2)
  curl -sS -X DELETE ${base}/demo-bucket/hello.txt               # DELETE

Browser upload page (POST policy + presigned links): ${base}/_signet/demo

Ctrl-C to stop.
`);
  return undefined;
}
