// Tests of scripts/check-citations.mjs on files held in memory (node --test).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCitations,
  findCitations,
  headingsOf,
  OUT_OF_REPO,
  resolvePath,
  slugify,
} from './check-citations.mjs';

const DOC = [
  '# Kernel TLS',
  '## 0. Sources',
  '## 5. The RX path',
  '### 5.1 Framing: the strparser',
  '## 7. TLS 1.3 KeyUpdate and rekey (Linux 6.14+)',
  '```',
  '## 9. not a heading: inside a fence',
  '```',
  '## §10 Selftests',
  '## Pitfalls',
  '## Pitfalls',
].join('\n');

/** A small repository: path → text. */
function repo(extra) {
  const files = new Map([
    ['docs/kernel-tls.md', DOC],
    ['docs/README.md', '# docs\n'],
    ['packages/native/README.md', '# native\n## API\n'],
    ...Object.entries(extra),
  ]);
  const present = new Set();
  for (const f of files.keys()) {
    present.add(f);
    for (let d = f; d.includes('/'); ) {
      d = d.slice(0, d.lastIndexOf('/'));
      present.add(d);
    }
  }
  return checkCitations({
    files,
    exists: (p) => present.has(p),
    read: (p) => {
      if (!files.has(p)) throw new Error(`read of ${p}`);
      return files.get(p);
    },
  });
}

describe('headingsOf', () => {
  it('numbers sections by the number that starts a heading, outside code fences', () => {
    const h = headingsOf(DOC);
    assert.deepEqual([...h.sections].sort(), ['0', '10', '5', '5.1', '7']);
  });

  it('makes GitHub anchors, numbering duplicates', () => {
    const h = headingsOf(DOC);
    assert.ok(h.anchors.has('5-the-rx-path'));
    assert.ok(h.anchors.has('51-framing-the-strparser'));
    assert.ok(h.anchors.has('7-tls-13-keyupdate-and-rekey-linux-614'));
    assert.ok(h.anchors.has('pitfalls'));
    assert.ok(h.anchors.has('pitfalls-1'));
    assert.ok(!h.anchors.has('9-not-a-heading-inside-a-fence'));
  });

  it('slugify drops punctuation and keeps letters, digits, hyphens', () => {
    assert.equal(slugify('10.3 `FIXTURE(zero_len)`'), '103-fixturezero_len');
    assert.equal(
      slugify('What the two kernels can — and cannot — do'),
      'what-the-two-kernels-can--and-cannot--do',
    );
  });
});

describe('findCitations', () => {
  it('reads one section, several, ranges and subsections after a path', () => {
    const text = [
      '// as the kernel does (docs/kernel-tls.md §5).',
      ' * docs/kernel-tls.md §5, §8 and docs/kernel-tls.md §3–§7',
      '`docs/kernel-tls.md` §10.3, end of sentence.',
    ].join('\n');
    const paths = findCitations(text).map((c) => [c.line, c.path, c.sections]);
    assert.deepEqual(paths, [
      [1, 'docs/kernel-tls.md', ['5']],
      [2, 'docs/kernel-tls.md', ['5', '8']],
      [2, 'docs/kernel-tls.md', ['3', '7']],
      [3, 'docs/kernel-tls.md', ['10.3']],
    ]);
  });

  it('reads an anchor', () => {
    const [c] = findCitations('see docs/vm-harness.md#8-pitfalls.');
    assert.equal(c.anchor, '8-pitfalls');
    assert.deepEqual(c.sections, []);
  });

  it('ignores URLs, globs, longer names and RFC sections', () => {
    const text = [
      'https://github.com/torvalds/linux/blob/master/README.md',
      '"!**/*.md" and notes.mdx',
      'RFC 8446 §5.2',
      '@scope/docs/thing',
    ].join('\n');
    assert.deepEqual(findCitations(text), []);
  });

  it('finds docs/ paths that are not Markdown', () => {
    const paths = findCitations('pages in docs/, and docs/images/x.png.').map((c) => c.path);
    assert.deepEqual(paths, ['docs/', 'docs/images/x.png']);
  });

  it('reports an out-of-repo document once, not also as a missing path', () => {
    const name = OUT_OF_REPO[1]; // a *.md name
    const found = findCitations(`(${name} §3) and ../reference/${name}`);
    assert.deepEqual(
      found.map((c) => c.kind),
      ['out-of-repo', 'out-of-repo'],
    );
  });
});

describe('resolvePath', () => {
  const files = new Set(['README.md', 'docs/a.md', 'packages/native/README.md']);
  const exists = (p) => files.has(p);
  it('resolves from the root or from the citing folder', () => {
    assert.equal(resolvePath('packages/x/src/y.ts', 'docs/a.md', exists), 'docs/a.md');
    assert.equal(resolvePath('docs/b.md', 'a.md', exists), 'docs/a.md');
    assert.equal(resolvePath('packages/native/README.md', '../../docs/a.md', exists), 'docs/a.md');
  });
  it('resolves a bare name in the citing folder or above, never sideways', () => {
    assert.equal(
      resolvePath('packages/native/vm/t.mjs', 'README.md', exists),
      'packages/native/README.md',
    );
    assert.equal(resolvePath('packages/sim/src/i.ts', 'README.md', exists), 'README.md');
    assert.equal(resolvePath('packages/sim/src/i.ts', 'a.md', exists), null);
  });
  it('does not leave the repository', () => {
    assert.equal(resolvePath('README.md', '../README.md', exists), null);
  });
});

describe('checkCitations', () => {
  it('passes good citations', () => {
    const problems = repo({
      'packages/core/src/rx.ts': [
        '// docs/kernel-tls.md §5, §7; docs/kernel-tls.md §0–§10',
        '// docs/kernel-tls.md §5.1 and docs/kernel-tls.md#pitfalls-1',
        '// packages/native/README.md#api, docs/',
      ].join('\n'),
      'docs/other.md':
        'See [kernel-tls.md §7](kernel-tls.md) and [native](../packages/native/README.md).',
    });
    assert.deepEqual(problems, []);
  });

  it('fails, with file:line, a missing document, section or anchor', () => {
    const problems = repo({
      'packages/core/src/tx.ts': [
        'ok',
        '// docs/kernel-tls.md §6 and §5 (§5 exists)',
        '// docs/kernel-tls.md §5–§12',
        '// docs/missing.md §1',
        '// docs/kernel-tls.md#no-such-heading',
        '// docs/nothing-here/',
      ].join('\n'),
      'packages/sim/src/invariants.ts': '/** The invariants (architecture.md). */',
    });
    assert.deepEqual(problems, [
      'packages/core/src/tx.ts:2: docs/kernel-tls.md has no section §6',
      'packages/core/src/tx.ts:3: docs/kernel-tls.md has no section §12',
      'packages/core/src/tx.ts:4: docs/missing.md is not in the repository',
      'packages/core/src/tx.ts:5: docs/kernel-tls.md has no heading #no-such-heading',
      'packages/core/src/tx.ts:6: docs/nothing-here/ is not in the repository',
      'packages/sim/src/invariants.ts:1: architecture.md is not in the repository (a bare name must be in the same folder or one above; write its repo path)',
    ]);
  });

  it('fails every mention of a document kept outside the repository', () => {
    const text = OUT_OF_REPO.map((name, i) => `// line ${i + 1}: ${name} §2`).join('\n');
    const problems = repo({ 'packages/native/vm/run.mjs': text });
    assert.equal(problems.length, OUT_OF_REPO.length);
    problems.forEach((p, i) => {
      assert.ok(p.startsWith(`packages/native/vm/run.mjs:${i + 1}: "${OUT_OF_REPO[i]}"`), p);
    });
  });

  it('does not check the checker and its test', () => {
    const text = `${OUT_OF_REPO[0]} docs/missing.md`;
    assert.deepEqual(
      repo({ 'scripts/check-citations.mjs': text, 'scripts/check-citations.test.mjs': text }),
      [],
    );
  });
});
