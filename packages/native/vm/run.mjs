#!/usr/bin/env node
// `pnpm test:kernel`: runs @ktls-lab/native's kernel suite inside real Debian kernels under qemu
// (TCG), one VM per kernel, both at once, and exits non-zero if any kernel run fails or returns no
// result line. docs/vm-harness.md describes the recipe this follows:
//   - host tools come from apt when missing (qemu-system-x86, busybox-static, kmod, cpio, xz-utils,
//     python3, zstd);
//   - kernels are resolved through Debian's metapackages (bookworm: 6.1; sid: the newest 7.x),
//     downloaded with apt-get, and cached by version in <repo>/.cache/kernels/<version>/ (git-ignored);
//   - the guest reads the host's / over 9p (read-only, cache=loose) and writes results to a rw 9p
//     share mounted at the same path; the exit status comes back on the second UART;
//   - the ELF vmlinux is booted through PVH (no in-guest decompression).
// Options: --bench (also run the benchmark in each VM), --only bookworm|sid, --serial (one VM at a
// time), --timeout SECONDS (per VM, default 900), --keep (keep the per-run output folder),
// --c-selftest (run the kernel's own tls.c binary instead, built by vm/c-selftest.sh, and set its
// verdicts beside the last suite run's, case by case: docs/vm-harness.md §10).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWithC, portedCounts, tapVerdicts, variantsOf } from './tls-cases.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const repo = join(pkg, '..', '..');
const cacheRoot = join(repo, '.cache', 'kernels');
const outRoot = join(repo, '.cache', 'vm-runs');

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const bench = argv.includes('--bench');
const serial = argv.includes('--serial');
const cSelftest = argv.includes('--c-selftest');
// The C binary takes 13–25 minutes per kernel under TCG (docs/vm-harness.md §10).
const timeoutSec = Number(opt('--timeout') ?? (cSelftest ? 2400 : 900));
const only = opt('--only');
const channels = (only ? only.split(',') : ['bookworm', 'sid']).filter(Boolean);
const filter = process.env.KTLS_TEST_FILTER;
if (filter !== undefined && !/^[\w.:[\],-]+$/.test(filter)) {
  console.error(
    `KTLS_TEST_FILTER must be letters, digits and ._:[],- (it travels on the kernel command line)`,
  );
  process.exit(2);
}

const t0 = Date.now();
const secs = (ms) => (ms / 1000).toFixed(1);
const log = (m) => console.log(`[test:kernel] ${m}`);

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    ...opts,
  });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stdout ?? ''}`);
  }
  return r.stdout ?? '';
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

// 1. Host tools.
function ensureTools() {
  const need = [];
  if (!has('qemu-system-x86_64')) need.push('qemu-system-x86');
  if (!existsSync('/bin/busybox') || spawnSync('ldd', ['/bin/busybox']).status === 0) {
    need.push('busybox-static');
  }
  if (!has('depmod') && !existsSync('/sbin/depmod')) need.push('kmod');
  if (!has('cpio')) need.push('cpio');
  if (!has('xz')) need.push('xz-utils');
  if (!has('python3')) need.push('python3');
  if (!has('zstd')) need.push('zstd');
  if (need.length === 0) return;
  log(`installing ${need.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args) =>
    spawnSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env });
  let r = run(['apt-get', 'install', '-y', '--no-install-recommends', ...need]);
  if (r.status !== 0) {
    run(['apt-get', 'update']);
    r = run(['apt-get', 'install', '-y', '--no-install-recommends', ...need]);
  }
  if (r.status !== 0) throw new Error(`apt-get install ${need.join(' ')} failed`);
}

// 2. Build what the guest runs: core's and sim's dist through turbo (cached when unchanged, so a
// half-built dist from an interrupted build is never used), the addon, and the compiled kernel
// suite (dist-vm holds src and test/kernel).
function build() {
  const started = Date.now();
  const turbo = join(repo, 'node_modules', '.bin', 'turbo');
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  if (existsSync(turbo)) {
    sh(turbo, ['run', 'build', '--filter=@ktls-lab/node-ktls^...', '--output-logs=errors-only'], {
      cwd: repo,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
  } else {
    for (const dep of ['core', 'sim', 'native']) {
      sh(process.execPath, [tsc, '-p', join(repo, 'packages', dep, 'tsconfig.build.json')], {
        stdio: 'inherit',
      });
    }
  }
  sh(process.execPath, [join(pkg, 'scripts', 'build-addon.mjs')], { stdio: 'inherit' });
  sh(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.vm.json')], { stdio: 'inherit' });
  // packages/node-ktls's rows (group node-ktls), which test/kernel/main.ts imports by path.
  sh(process.execPath, [tsc, '-p', join(repo, 'packages', 'node-ktls', 'tsconfig.vm.json')], {
    stdio: 'inherit',
  });
  log(`built core, sim, addon and dist-vm in ${secs(Date.now() - started)} s`);
}

// 3. One kernel: fetch (cached), initramfs, boot, collect.
function bootOne(channel) {
  return new Promise((resolve) => {
    const started = Date.now();
    let kdir;
    try {
      kdir = sh('bash', [join(here, 'fetch-kernel.sh'), channel, cacheRoot])
        .trim()
        .split('\n')
        .pop();
    } catch (e) {
      resolve({ channel, ok: false, error: String(e), wall: Date.now() - started });
      return;
    }
    const version = readFileSync(join(kdir, 'version'), 'utf8').trim();
    const fetched = Date.now();
    const initrd = join(kdir, 'initrd.img');
    const stale =
      !existsSync(initrd) ||
      ['guest-init.sh', 'mkinitrd.sh'].some(
        (f) => statSync(join(here, f)).mtimeMs > statSync(initrd).mtimeMs,
      );
    if (stale) sh('bash', [join(here, 'mkinitrd.sh'), kdir, initrd]);
    if (!existsSync(join(kdir, 'vmlinux'))) {
      spawnSync('python3', [
        join(here, 'extract-vmlinux.py'),
        join(kdir, 'vmlinuz'),
        join(kdir, 'vmlinux'),
      ]);
    }
    const kernel = existsSync(join(kdir, 'vmlinux'))
      ? join(kdir, 'vmlinux')
      : join(kdir, 'vmlinuz');
    const out = join(outRoot, `${channel}-${version}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const job = join(here, cSelftest ? 'guest-c-job.sh' : 'guest-job.sh');
    const append = [
      'console=ttyS0',
      'panic=-1',
      'oops=panic',
      'quiet',
      'loglevel=4',
      `hjob=${job}`,
      `hwd=${pkg}`,
      `hout=${out}`,
      `hchan=${channel}`,
      bench ? 'hbench=1' : 'hbench=0',
      // A subset of the suite (docs/vm-harness.md §2); the kernel command line cannot carry spaces.
      ...(filter ? [`hfilter=${filter}`] : []),
      // CI=true inside too: rows whose prerequisites CI provides fail there instead of being n/a
      // (the kTLS peers of vm/build-peers.sh, docs/vm-harness.md §11).
      ...(process.env.CI === 'true' ? ['hci=true'] : []),
    ].join(' ');
    const qboot = '/usr/share/qemu/qboot.rom';
    const args = [
      '--foreground',
      '-k',
      '5',
      String(timeoutSec),
      'qemu-system-x86_64',
      '-accel',
      'tcg',
      '-cpu',
      'max',
      '-smp',
      '1',
      '-m',
      '1536',
      '-nodefaults',
      '-display',
      'none',
      '-no-reboot',
      ...(existsSync(qboot) ? ['-bios', qboot] : []),
      '-kernel',
      kernel,
      '-initrd',
      initrd,
      '-append',
      append,
      '-serial',
      `file:${join(out, 'console.log')}`,
      '-serial',
      `file:${join(out, 'result.log')}`,
      '-virtfs',
      'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
      '-virtfs',
      `local,path=${out},mount_tag=hout,security_model=none`,
    ];
    const bootStart = Date.now();
    const child = spawn('timeout', args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => {
      const wall = Date.now() - started;
      const result = existsSync(join(out, 'result.log'))
        ? readFileSync(join(out, 'result.log'), 'utf8')
        : '';
      const exits = [...result.matchAll(/^HARNESS_EXIT=(\d+)\r?$/gm)];
      const exit = exits.length > 0 ? Number(exits[exits.length - 1][1]) : null;
      let suite = null;
      try {
        suite = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      } catch {}
      resolve({
        channel,
        version,
        kernelDir: kdir,
        out,
        qemuExit: code,
        exit,
        suite,
        ok: exit === 0 && suite !== null,
        wall,
        fetchMs: fetched - started,
        vmMs: Date.now() - bootStart,
        harness: result.replace(/\r/g, '').trim(),
      });
    });
  });
}

function report(r) {
  const head = `${r.channel}: kernel ${r.version ?? '?'}`;
  if (r.error) {
    log(`${head}: FAILED before boot: ${r.error}`);
    return { passed: 0, failed: 1 };
  }
  const console_ = existsSync(join(r.out, 'console.log'))
    ? readFileSync(join(r.out, 'console.log'), 'utf8').replace(/\r/g, '')
    : '';
  let passed = 0;
  let failed = 0;
  let na = 0;
  if (r.suite) {
    for (const t of r.suite.tests) {
      if (t.status === 'pass') passed++;
      else if (t.status === 'fail') {
        failed++;
        console.log(`  FAIL ${t.name}: ${t.message}`);
      } else na++;
    }
  }
  // A module of vm/modules.want that did not load fails the run, whatever the suite says.
  for (const m of r.harness.matchAll(/^HARNESS_INSMOD_FAILED (.*)$/gm)) {
    failed++;
    console.log(`  FAIL module did not load: ${m[1]}`);
  }
  if (r.exit === null) {
    failed++;
    log(`${head}: no HARNESS_EXIT line (timeout, panic or crashed init); last console lines:`);
    console.log(console_.split('\n').slice(-30).join('\n'));
  } else if (r.exit !== 0 && failed === 0) {
    failed++;
    log(`${head}: guest job exited ${r.exit}; last console lines:`);
    console.log(console_.split('\n').slice(-30).join('\n'));
  } else if (cSelftest) {
    const c = beside(r);
    if (c === null) {
      failed++;
      log(`${head}: no c.tap from the guest`);
    } else {
      r.c = c;
      log(
        `${head}: C binary ${c.pass} ok, ${c.fail} not ok, ${c.skip} skipped; of the ` +
          `${c.cases} tls.c cases ${c.agree} agree with the port, ${c.disagree.length} disagree, ` +
          `${c.noC.length} without a C verdict`,
      );
      for (const d of c.disagree) console.log(`  ${d}`);
    }
  } else if (!r.suite) {
    failed++;
    log(`${head}: no results.json from the guest`);
  }
  const bootLine = r.harness.match(/HARNESS_READY uptime=([\d.]+)/);
  log(
    `${head}: ${passed} passed, ${failed} failed, ${na} not applicable; wall ${secs(r.wall)} s ` +
      `(fetch ${secs(r.fetchMs)} s, VM ${secs(r.vmMs)} s, guest ready at ${bootLine?.[1] ?? '?'} s uptime` +
      `${r.suite ? `, suite ${secs(r.suite.wallMs)} s` : ''})`,
  );
  if (r.suite && !cSelftest) for (const line of headline(r)) log(`${head}:   ${line}`);
  if (r.suite?.bench) console.log(r.suite.bench.text);
  return { passed, failed };
}

/**
 * What the job is there to show, per kernel (docs/vm-harness.md §10): the port's count against
 * that kernel's tls.c case list, the rfc-2015 rows, the kernel's answer to AF_KCM on kernel TLS,
 * and the simulator's World beside the real kernel.
 */
function headline(r) {
  const tests = r.suite.tests;
  const group = (g, prefix = '') => tests.filter((t) => t.group === g && t.name.startsWith(prefix));
  const tally = (rows) =>
    `${rows.filter((t) => t.status === 'pass').length} of ${rows.length} pass` +
    `${rows.some((t) => t.status === 'fail') ? `, ${rows.filter((t) => t.status === 'fail').length} fail` : ''}`;
  const lines = [];
  const [ported] = portedCounts({ kernels: [{ version: r.version, suite: r.suite }] });
  if (ported)
    lines.push(
      `tls.c: ${ported.ported} of ${ported.cases} cases ported; ${ported.pass} pass, ` +
        `${ported.na} n/a, ${ported.fail} fail`,
    );
  lines.push(`rfc-2015 on AF_ALG: ${tally(group('rfc2015'))}`);
  for (const t of group('kcm')) lines.push(`${t.name}: ${t.status}: ${t.message ?? ''}`);
  const sim = group('differential', 'differential.sim.');
  lines.push(`sim World vs kernel: ${tally(sim)} (a failure is a disagreement)`);
  return lines;
}

/** The C binary's TAP beside the last suite run of the same kernel (.test-results/kernel.json). */
function beside(r) {
  const tapPath = join(r.out, 'c.tap');
  const lastPath = join(pkg, '.test-results', 'kernel.json');
  if (!existsSync(tapPath)) return null;
  const key = r.channel === 'bookworm' ? '6.1' : '7.2';
  const lists = JSON.parse(readFileSync(join(here, 'tls-cases.json'), 'utf8'));
  const src = readFileSync(join(repo, '.cache', 'c-selftest', `tls-${key}.c`), 'utf8');
  const variants = variantsOf(src);
  const verdicts = tapVerdicts(readFileSync(tapPath, 'utf8'), variants);
  const last = existsSync(lastPath) ? JSON.parse(readFileSync(lastPath, 'utf8')) : { kernels: [] };
  const tests = last.kernels.find((k) => k.version === r.version)?.suite?.tests ?? [];
  const counts = { pass: 0, fail: 0, skip: 0 };
  for (const v of verdicts.values()) counts[v]++;
  return { ...counts, cases: lists[key].length, ...compareWithC(lists[key], verdicts, tests) };
}

async function main() {
  ensureTools();
  build();
  mkdirSync(outRoot, { recursive: true });
  const results = [];
  if (serial) {
    for (const c of channels) results.push(await bootOne(c));
  } else {
    results.push(...(await Promise.all(channels.map((c) => bootOne(c)))));
  }
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    const s = report(r);
    passed += s.passed;
    failed += s.failed;
  }
  const summary = {
    when: new Date().toISOString(),
    wallMs: Date.now() - t0,
    kernels: results.map((r) => ({
      channel: r.channel,
      version: r.version,
      ok: r.ok,
      exit: r.exit,
      wallMs: r.wall,
      vmMs: r.vmMs,
      suite: r.suite,
    })),
  };
  mkdirSync(join(pkg, '.test-results'), { recursive: true });
  if (cSelftest) {
    // The suite's kernel.json stays; the comparison goes beside it.
    const c = results.map((r) => ({ channel: r.channel, version: r.version, c: r.c ?? null }));
    writeFileSync(
      join(pkg, '.test-results', 'c-selftest.json'),
      `${JSON.stringify({ when: summary.when, kernels: c }, null, 2)}\n`,
    );
  } else {
    writeFileSync(
      join(pkg, '.test-results', 'kernel.json'),
      `${JSON.stringify(summary, null, 2)}\n`,
    );
  }
  log(`total wall ${secs(Date.now() - t0)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || results.some((r) => !r.ok) ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
