/**
 * The demo's upload page, served by signet at /_signet/demo: plain HTML and a little JS. It asks
 * signet for a POST policy and uploads the chosen file straight to the embedded S3 (CORS), lists
 * the bucket through signet, and downloads through presigned GET links signet mints.
 */
export function uploadPage(bucket: string, prefix: string): string {
  const config = JSON.stringify({ bucket, prefix });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>signet demo: browser upload</title>
<link rel="icon" href="data:,">
<style>body{font:15px system-ui,sans-serif;max-width:42em;margin:2em auto}li{margin:.3em 0}#status{color:#555}</style></head>
<body>
<h1>signet demo: browser upload</h1>
<p>The file goes straight to the embedded S3 with a POST policy signet signed; signet never sees its bytes.</p>
<form id="upload"><input type="file" id="file" name="file" required> <button id="send" type="submit">Upload</button></form>
<p id="status"></p>
<h2>Objects</h2><ul id="objects"></ul>
<script>
const cfg = ${config};
const status = (t) => { document.getElementById('status').textContent = t; };
async function mint(path, body) {
  const res = await fetch('/_signet/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(path + ': ' + res.status + ' ' + await res.text());
  return res.json();
}
async function list() {
  const res = await fetch('/' + cfg.bucket + '?list-type=2&prefix=' + encodeURIComponent(cfg.prefix));
  const xml = await res.text();
  // No bucket yet is no object yet: the first upload makes it. Any other refusal is shown.
  if (!res.ok && !(res.status === 404 && xml.includes('<Code>NoSuchBucket</Code>'))) throw new Error('listing: ' + res.status + ' ' + xml);
  const doc = new DOMParser().parseFromString(res.ok ? xml : '<none/>', 'application/xml');
  const ul = document.getElementById('objects');
  ul.replaceChildren();
  for (const key of [...doc.getElementsByTagName('Key')].map((k) => k.textContent)) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.textContent = key;
    a.href = '#';
    a.className = 'download';
    a.dataset.key = key;
    a.onclick = async (e) => {
      e.preventDefault();
      const link = await mint('presign', { method: 'GET', bucket: cfg.bucket, key, expires: '5m' });
      a.href = link.url;
      window.location.href = link.url;
    };
    li.append(a);
    ul.append(li);
  }
}
document.getElementById('upload').onsubmit = async (e) => {
  e.preventDefault();
  const file = document.getElementById('file').files[0];
  if (!file) return;
  try {
    status('asking signet for a POST policy…');
    // The object's type is the form's Content-Type field (S3 documents that one, not the file part's header).
    const p = await mint('presign-post', { bucket: cfg.bucket, prefix: cfg.prefix, maxSize: '64MiB', contentType: '', successActionStatus: '201', expires: '10m' });
    const form = new FormData();
    for (const [k, v] of Object.entries(p.fields)) form.append(k, v);
    form.append('Content-Type', file.type || 'application/octet-stream');
    form.append('file', file, file.name);
    status('uploading to ' + p.url + ' …');
    const res = await fetch(p.url, { method: 'POST', body: form });
    status(res.ok ? 'uploaded ' + file.name + ' (' + res.status + ')' : 'upload refused: ' + res.status + ' ' + await res.text());
    await list();
  } catch (err) { status(String(err)); }
};
list().catch((err) => status(String(err)));
</script>
</body></html>
`;
}
