import { XmlNode, XmlText } from '@aws-sdk/xml-builder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeleteObjectsXmlError, MAX_DELETE_OBJECTS, parseDeleteObjects } from '../../../src/s3/delete-objects-xml.js';

const parse = (xml: string) => parseDeleteObjects(Buffer.from(xml, 'utf8'));
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

/** The body as the AWS SDK serialises it (its own XmlNode and escaping): the independent producer. */
function sdkBody(objects: ReadonlyArray<{ key: string; versionId?: string }>, quiet?: boolean): string {
  const root = new XmlNode('Delete').addAttribute('xmlns', 'http://s3.amazonaws.com/doc/2006-03-01/');
  for (const o of objects) {
    const node = new XmlNode('Object').addChildNode(new XmlNode('Key').addChildNode(new XmlText(o.key)));
    if (o.versionId !== undefined) node.addChildNode(new XmlNode('VersionId').addChildNode(new XmlText(o.versionId)));
    root.addChildNode(node);
  }
  if (quiet !== undefined) root.addChildNode(new XmlNode('Quiet').addChildNode(new XmlText(String(quiet))));
  return '<?xml version="1.0" encoding="UTF-8"?>' + root.toString();
}

function why(xml: string | Buffer): string {
  try {
    parseDeleteObjects(Buffer.isBuffer(xml) ? xml : Buffer.from(xml, 'utf8'));
  } catch (e) {
    expect(e).toBeInstanceOf(DeleteObjectsXmlError);
    return (e as Error).message;
  }
  return 'parsed';
}

/** Keys S3 can hold: 1-1024 bytes of UTF-8, any character XML 1.0 can carry. */
const xmlChar = fc.oneof(
  fc.constantFrom('a', '/', ' ', '&', '<', '>', '"', "'", ';', '#', '\r', '\n', '\t', '\u0085', '\u2028', ']]>', 'é', '😀', '&amp;'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }),
);
const key = fc.array(xmlChar, { minLength: 1, maxLength: 20 }).map((a) => a.join(''))
  .filter((k) => /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u.test(k) && Buffer.byteLength(k) <= 1024);

describe('parseDeleteObjects', () => {
  it('reads back every key and version the SDK serialises, escapes and line ends included (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ key, versionId: fc.option(fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/), { nil: undefined }) }), { minLength: 1, maxLength: 30 }),
      fc.option(fc.boolean(), { nil: undefined }),
      (objects, quiet) => {
        const entries = parse(sdkBody(objects, quiet));
        expect(entries).toEqual(objects.map((o) => ({ key: o.key, versionId: o.versionId ?? '' })));
      },
    ));
  });

  it('reads the forms hand-written clients send: whitespace, comments, CDATA, references, self-closing elements, a BOM', () => {
    const xml = `\uFEFF<?xml version="1.0"?>\n<!-- c --><Delete ${NS}>\n  <Quiet>true</Quiet>\n  <Object>\n    <Key>a &amp; b</Key>\n    <VersionId>v1</VersionId>\n  </Object>
  <Object><Key><![CDATA[<raw> & ]]>tail&#x41;&#66;</Key><ETag>"x"</ETag><VersionId/></Object>
  <Object><!-- k --><Key>line\r\nend\rx&#13;</Key></Object></Delete>\n`;
    expect(parse(xml)).toEqual([
      { key: 'a & b', versionId: 'v1' },
      { key: '<raw> & tailAB', versionId: '' },
      { key: 'line\nend\nx\r', versionId: '' },
    ]);
    expect(parse('<Delete><Object><Key>k</Key></Object></Delete>')).toEqual([{ key: 'k', versionId: '' }]);
  });

  it('refuses, as MalformedXML, anything it could read differently from S3', () => {
    const cases: Array<[string, RegExp]> = [
      ['<!DOCTYPE d [<!ENTITY x "allowed/">]><Delete><Object><Key>&x;k</Key></Object></Delete>', /DOCTYPE/],
      ['<Delete><Object><Key>&x;k</Key></Object></Delete>', /undefined entity/],
      ['<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>', /<Key> twice/],
      ['<Delete><Object><VersionId>v</VersionId></Object></Delete>', /without a <Key>/],
      ['<Delete><Object><Key></Key></Object></Delete>', /without a <Key>/],
      ['<Delete><Object><s3:Key xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">k</s3:Key></Object></Delete>', /bad element name|unexpected/],
      ['<Delete><Object><Key xmlns="urn:other">k</Key></Object></Delete>', /attributes inside <Object>/],
      ['<Delete><Object><Key>a<b/>c</Key></Object></Delete>', /element inside <Key>/],
      ['<Delete><Object><Key>a</Key><Unknown>x</Unknown></Object></Delete>', /unexpected <Unknown>/],
      ['<Delete><Object><Key>a</Key></Object><Extra/></Delete>', /unexpected <Extra>/],
      ['<Delete><Object><Key>a</Key></Object>', /expected an element|unterminated/],
      ['<Delete><Object><Key>a</Key></Object></Delete><Delete/>', /after <\/Delete>/],
      ['<Delete><Object><Key>a</Key></Objekt></Delete>', /mismatched/],
      ['<Delete></Delete>', /no <Object>/],
      ['<Remove><Object><Key>a</Key></Object></Remove>', /root element/],
      ['<Delete><?pi x?><Object><Key>a</Key></Object></Delete>', /processing instruction/],
      ['<Delete><Object><Key>a&#0;</Key></Object></Delete>', /does not allow/],
      ['<Delete><Object><Key>a&#xD800;</Key></Object></Delete>', /does not allow/],
      ['<Delete><Object><Key>a&#x110000;</Key></Object></Delete>', /bad character reference/],
      ['<Delete><Object><Key>a & b</Key></Object></Delete>', /bad entity|undefined entity/],
      ['<Delete><Object><Key>a\u0001</Key></Object></Delete>', /does not allow/],
      ['<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>', /Quiet/],
      ['<?xml version="1.0" encoding="ISO-8859-1"?><Delete><Object><Key>a</Key></Object></Delete>', /declaration/],
      [' <?xml version="1.0"?><Delete><Object><Key>a</Key></Object></Delete>', /declaration/],
      ['<Delete foo="1"><Object><Key>a</Key></Object></Delete>', /xmlns/],
      ['<Delete><Object><Key>a</Key></Object><!-- a -- b --></Delete>', /comment/],
      ['<Delete><Object><Key>a]]>b</Key></Object></Delete>', /]]>/],
    ];
    for (const [xml, reason] of cases) expect(why(xml), xml).toMatch(reason);
    expect(why(Buffer.from([0x3c, 0x44, 0xff, 0xfe]))).toBe('not UTF-8');
  });

  it(`takes at most ${MAX_DELETE_OBJECTS} objects, as S3 does`, () => {
    const objects = Array.from({ length: MAX_DELETE_OBJECTS }, (_, i) => ({ key: `k${i}` }));
    expect(parse(sdkBody(objects))).toHaveLength(MAX_DELETE_OBJECTS);
    expect(why(sdkBody([...objects, { key: 'one-more' }]))).toMatch(/more than 1000/);
  });

  it('never fails any other way on mangled bodies: entries, or DeleteObjectsXmlError (property)', () => {
    const base = Buffer.from(sdkBody([{ key: 'tmp/a & b', versionId: 'v1' }, { key: 'tmp/<c>' }], true));
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(base.length), fc.nat(base.length), fc.uint8Array({ maxLength: 12 })), { minLength: 1, maxLength: 6 }),
      (edits) => {
        let body = base;
        for (const [at, cut, insert] of edits) {
          const from = Math.min(at, body.length);
          body = Buffer.concat([body.subarray(0, from), Buffer.from(insert), body.subarray(Math.min(body.length, from + (cut % 8)))]);
        }
        try {
          const entries = parseDeleteObjects(body);
          for (const e of entries) expect(e.key.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(DeleteObjectsXmlError);
        }
      },
    ), { numRuns: 3000 });
  });

  it('stays linear on hostile input (no backtracking, no expansion)', () => {
    const many = '<Delete>' + '<Object><Key>' + '&amp;'.repeat(200_000) + '</Key></Object></Delete>';
    expect(parse(many)[0]!.key).toHaveLength(200_000);
    expect(why('<Delete>' + '<!--'.repeat(100_000))).toMatch(/comment/);
    expect(why('<Delete><Object><Key>' + '<'.repeat(100_000))).toMatch(/./);
  });
});
