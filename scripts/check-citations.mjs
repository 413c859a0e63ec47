#!/usr/bin/env node
// Citation check (CI runs it in `pnpm test:all`): every document a tracked file cites must be in
// the repository, and every § section or #anchor it cites must exist in that document. Rules and
// syntax: docs/README.md §2. Prints one line per bad citation, `file:line: what did not resolve`,
// and exits 1 if there is any.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Names of documents kept outside the repository. A mention of one is always an error: a reader
 * of a clone cannot follow it. Built from parts so that this file does not mention them itself.
 */
export const OUT_OF_REPO = [
  ['ktls', 'facts'],
  ['kernel', 'vm.md'],
  ['simulation', 'anchors'],
  ['style', 'and', 'toolchain'],
].map((parts) => parts.join('-'));

/** Files that name the rules themselves (this checker and its test). */
export const EXEMPT = new Set(['scripts/check-citations.mjs', 'scripts/check-citations.test.mjs']);

/** Files never scanned: generated, not prose. */
const SKIP = new Set(['pnpm-lock.yaml']);

// A path ending in .md: optional ./ or ../ steps, folders, a name. Not part of a URL, a longer
// path, or a glob (the look-behind), and not .mdx or a folder named x.md (the look-ahead).
const MD_PATH =
  /(?<![\p{L}\p{N}_./@*~%:-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w-][\w.-]*\.md)(?![\w/-])/gu;
// A docs/ path that does not end in .md (a folder, or another kind of file).
const DOCS_PATH = /(?<![\p{L}\p{N}_./@*~%:-])(docs\/[\w./-]*)/gu;
// After a path: `#anchor`, or (after optional closing quotes/brackets and spaces) one or more
// sections, `§5`, `§10.3`, `§5, §8`, `§3–§7`, `§5 and §7`.
const ANCHOR = /^#([\p{L}\p{N}_-]+)/u;
const SECTIONS =
  /^[`'")\]]*[ \t]*(§ ?\d+(?:\.\d+)*(?:[ \t]*(?:,|–|-|and|or)[ \t]*§ ?\d+(?:\.\d+)*)*)/u;
const SECTION_NUMBER = /\d+(?:\.\d+)*/g;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slugify(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * The sections (`## 5. RX path` → "5", `### 10.3 zero_len` → "10.3", `## §2 …` → "2") and
 * anchors (GitHub slugs, duplicates numbered -1, -2, …) of a Markdown document. Headings inside
 * fenced code blocks do not count.
 */
export function headingsOf(markdown) {
  const sections = new Set();
  const anchors = new Set();
  const seen = new Map();
  let fence = null;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (f) {
      if (fence === null) fence = f[1][0];
      else if (f[1][0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^#{1,6}[ \t]+(.*?)[ \t#]*$/.exec(line);
    if (!h) continue;
    const text = h[1];
    const n = /^§?[ \t]*(\d+(?:\.\d+)*)\.?(?:[ \t]|$)/.exec(text);
    if (n) sections.add(n[1]);
    const base = slugify(text.replace(/`/g, ''));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return { sections, anchors };
}

/**
 * The citations in one file's text: document paths (with the sections or anchor cited after
 * them) and mentions of out-of-repo documents. Lines are 1-based.
 */
export function findCitations(text) {
  const found = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    const forbidden = [];
    for (const name of OUT_OF_REPO) {
      let at = line.indexOf(name);
      while (at >= 0) {
        forbidden.push([at, at + name.length]);
        found.push({ line: lineNo, kind: 'out-of-repo', name });
        at = line.indexOf(name, at + name.length);
      }
    }
    const overlaps = (start, end) => forbidden.some(([a, b]) => start < b && a < end);
    const paths = [];
    for (const m of line.matchAll(MD_PATH)) paths.push({ start: m.index, path: m[1] });
    for (const m of line.matchAll(DOCS_PATH)) {
      const path = m[1].replace(/[.]+$/, '');
      if (path.endsWith('.md')) continue; // MD_PATH has it
      paths.push({ start: m.index, path });
    }
    for (const { start, path } of paths) {
      const end = start + path.length;
      if (overlaps(start, end)) continue;
      const rest = line.slice(end);
      const anchor = ANCHOR.exec(rest)?.[1];
      const refs = anchor === undefined ? SECTIONS.exec(rest)?.[1] : undefined;
      const sections = refs ? (refs.match(SECTION_NUMBER) ?? []) : [];
      found.push({ line: lineNo, kind: 'path', path, sections, anchor });
    }
  });
  return found;
}

/**
 * Where a cited path points, or null: `./x` and `../x` from the citing file's folder; `a/b.md`
 * from the repository root or from the citing file's folder (Markdown links); a bare `x.md` from
 * the citing file's folder or any folder above it, up to the root.
 */
export function resolvePath(from, path, exists) {
  const dir = posix.dirname(from);
  const candidates = [];
  if (/^\.{1,2}\//.test(path)) candidates.push(posix.join(dir, path));
  else if (path.includes('/')) candidates.push(posix.normalize(path), posix.join(dir, path));
  else {
    for (let d = dir; ; d = posix.dirname(d)) {
      candidates.push(posix.join(d, path));
      if (d === '.' || d === '/' || d === '') break;
    }
  }
  const clean = (p) => p.replace(/\/+$/, '').replace(/^\.\//, '');
  return candidates.map(clean).find((p) => !p.startsWith('../') && exists(p)) ?? null;
}

/**
 * Checks every file. `files`: path → text (paths relative to the repository root, `/`
 * separated); `exists(path)`: whether a file or folder is in the repository; `read(path)`: the
 * text of a cited document. Returns the problems, one string per bad citation.
 */
export function checkCitations({ files, exists, read }) {
  const problems = [];
  const headings = new Map();
  const headingsFor = (path) => {
    if (!headings.has(path)) headings.set(path, headingsOf(read(path)));
    return headings.get(path);
  };
  for (const [file, text] of files) {
    if (EXEMPT.has(file)) continue;
    for (const c of findCitations(text)) {
      const at = `${file}:${c.line}`;
      if (c.kind === 'out-of-repo') {
        problems.push(
          `${at}: "${c.name}" is a document outside the repository; cite a repo path (docs/README.md)`,
        );
        continue;
      }
      const target = resolvePath(file, c.path, exists);
      if (target === null) {
        const hint = c.path.includes('/')
          ? ''
          : ' (a bare name must be in the same folder or one above; write its repo path)';
        problems.push(`${at}: ${c.path} is not in the repository${hint}`);
        continue;
      }
      if (!target.endsWith('.md')) continue;
      if (c.sections.length === 0 && c.anchor === undefined) continue;
      const h = headingsFor(target);
      for (const s of c.sections) {
        if (!h.sections.has(s)) problems.push(`${at}: ${c.path} has no section §${s}`);
      }
      if (c.anchor !== undefined && !h.anchors.has(c.anchor)) {
        problems.push(`${at}: ${c.path} has no heading #${c.anchor}`);
      }
    }
  }
  return problems;
}

/** Tracked files plus untracked ones that are not ignored (about to be committed). */
function repoFiles(root) {
  const out = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return [...new Set(out.split('\0').filter(Boolean))];
}

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const listed = repoFiles(root);
  const present = new Set();
  for (const f of listed) {
    present.add(f);
    for (let d = posix.dirname(f); d !== '.'; d = posix.dirname(d)) present.add(d);
  }
  const files = new Map();
  for (const f of listed) {
    if (SKIP.has(f) || EXEMPT.has(f)) continue;
    let buf;
    try {
      buf = readFileSync(join(root, f));
    } catch {
      continue; // deleted in the work tree but still in the index
    }
    if (buf.includes(0)) continue; // binary
    files.set(f, buf.toString('utf8'));
  }
  const problems = checkCitations({
    files,
    exists: (p) => present.has(p),
    read: (p) => files.get(p) ?? readFileSync(join(root, p), 'utf8'),
  });
  for (const p of problems) console.log(p);
  const docs = [...files.keys()].length;
  console.log(
    problems.length === 0
      ? `check-citations: ${docs} files, every cited document, section and anchor resolves`
      : `check-citations: ${problems.length} citation(s) do not resolve`,
  );
  process.exit(problems.length === 0 ? 0 : 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
