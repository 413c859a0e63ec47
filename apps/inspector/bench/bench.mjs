#!/usr/bin/env node
/**
 * Benchmark (not a test): opens a 100,000-event trace in the built inspector, served by server.mjs,
 * in Debian's Chromium, and prints
 *   - load time: navigation to the swimlanes painted, for a first visit (a new browser context:
 *     no HTTP cache, no compiled code) and for a reload of the same page, with the phases (read,
 *     parse, layout, draw); the floor under a first visit (the same with a 300-event trace); and
 *     opening the trace from the file picker of a running inspector (the trace's own cost);
 *   - frame times while panning (mouse drag) and zooming (wheel), zoomed out and zoomed in;
 *   - canvas paint times (performance measures the page records when window.__inspectorBench is set).
 * The trace is made of real simulator runs (every scenario, correct and mutant designs, many seeds)
 * laid end to end on one time axis, then validated by parseTrace like any other.
 *
 * Usage: node bench/bench.mjs [events=100000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTrace, serializeTrace } from '@ktls-lab/core';
import { SCENARIOS, SIM_DESIGNS, runSeed, traceOf } from '@ktls-lab/sim';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';
import { serveInspector } from '../server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TARGET = Number(process.argv[2] ?? 100_000);
/** Page loads measured per series. */
const RUNS = 5;
/**
 * The page's performance measures (src/model/benchMark.ts), in load order: reading and decoding
 * the bytes, parsing and checking them into columns, the layout, the first paint.
 */
const PHASES = ['read', 'parse', 'layout', 'draw'];

function makeTrace(target) {
  const events = [];
  let header;
  let offset = 0;
  for (let seed = 1; events.length < target; seed++) {
    for (const scenario of SCENARIOS) {
      const design = SIM_DESIGNS[seed % SIM_DESIGNS.length];
      const o = runSeed(scenario, design, 'random', seed, { trace: true });
      header ??= JSON.parse(traceOf(o).split('\n', 1)[0]);
      let last = 0;
      for (const e of o.events) {
        events.push({ ...e, t: e.t + offset });
        last = Math.max(last, e.t);
      }
      offset += last + 1;
      if (events.length >= target) break;
    }
  }
  events.length = target;
  return serializeTrace(
    {
      ...header,
      design: 'bench (many designs)',
      scenario: 'bench (all scenarios)',
      seed: undefined,
      repro: undefined,
    },
    events,
  );
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return {
    n: s.length,
    mean: +mean.toFixed(1),
    p50: +q(0.5).toFixed(1),
    p95: +q(0.95).toFixed(1),
    max: +(s.at(-1) ?? 0).toFixed(1),
  };
};
const fmt = (s) => `n=${s.n} mean ${s.mean} ms, p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms`;

const outDir = join(HERE, 'out');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `trace-${TARGET}.ndjson`);
let t = performance.now();
const text = makeTrace(TARGET);
writeFileSync(file, text);
const genMs = performance.now() - t;
t = performance.now();
const parsed = parseTrace(text);
const nodeParseMs = performance.now() - t;
if (!parsed.ok) throw new Error(`generated trace does not parse: ${parsed.error.message}`);
console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (the numbers scale with it)`,
);
console.log(
  `trace: ${parsed.events.length} events, ${(text.length / 1048576).toFixed(1)} MiB (generated in ${genMs.toFixed(0)} ms; parseTrace in node ${nodeParseMs.toFixed(0)} ms)`,
);

const server = await serveInspector({ root: file });
const browser = await chromium.launch(chromiumLaunchOptions);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A page in a new browser context (no HTTP cache, no compiled code) that records bench entries. */
async function benchPage() {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__inspectorBench = true;
  });
  return page;
}

/** Opens the inspector at `url` in `page` and waits until the swimlanes are painted. */
async function openOnce(page, url = server.url) {
  await page.goto(url);
  await page.getByTestId('timeline-canvas').waitFor({ timeout: 60_000 });
  // Painted: the first paint measure exists once the swimlanes are on screen.
  await page.waitForFunction(() => performance.getEntriesByName('inspector-draw').length > 0);
  const phases = await page.evaluate((names) => {
    const nav = performance.getEntriesByType('navigation')[0]?.startTime ?? 0;
    const draw = performance.getEntriesByName('inspector-draw')[0];
    return {
      ms: draw.startTime + draw.duration - nav,
      ...Object.fromEntries(
        names.map((n) => {
          const e = performance.getEntriesByName(`inspector-${n}`)[0];
          return [n, e ? { at: Math.round(e.startTime - nav), ms: Math.round(e.duration) } : null];
        }),
      ),
    };
  }, PHASES);
  const title = await page.getByTestId('trace-title').textContent();
  const opened = Number(/opened in (\d+) ms/.exec(title)?.[1] ?? Number.NaN);
  const shown = PHASES.map((n) => `${n} ${phases[n]?.ms ?? '?'} @${phases[n]?.at ?? '?'}`);
  return {
    ms: phases.ms,
    phases,
    opened,
    line: `${Math.round(phases.ms)} ms to painted (${shown.join(', ')} ms)`,
  };
}

/** A series of loads: each in a new page of its own context (`fresh`), or all in one page. */
async function series(name, fresh) {
  const runs = [];
  let page = null;
  for (let run = 0; run < RUNS; run++) {
    if (fresh || !page) {
      await page?.context().close();
      page = await benchPage();
    }
    const r = await openOnce(page);
    console.log(`  ${name} ${run + 1}: ${r.line}`);
    runs.push(r);
  }
  const loads = runs.map((r) => r.ms);
  console.log(
    `${name}, ${RUNS} loads (navigation → swimlanes painted): ${loads.map((x) => x.toFixed(0)).join(', ')} ms; median ${median(loads).toFixed(0)} ms`,
  );
  console.log(
    `  median phases: ${PHASES.map((n) => `${n} ${median(runs.map((r) => r.phases[n]?.ms ?? Number.NaN))}`).join(', ')} ms; "opened in" ${runs.map((r) => r.opened).join(', ')} ms`,
  );
  return { page, runs };
}

/**
 * Opens the trace file with the page's file picker in a page already showing the inspector, and
 * returns the time from the input to the swimlanes painted: the trace's own cost, without the
 * page's start. Timed from the change event's time stamp (when the browser had the file; the app
 * marks it), which leaves out Playwright's own round trips before the event; the time from the
 * script's call is returned too.
 */
async function openFile(page, path) {
  await page.evaluate(() => {
    performance.clearMeasures();
    performance.clearMarks('inspector-open');
  });
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('open-input').setInputFiles(path);
  await page.waitForFunction(
    () => performance.getEntriesByName('inspector-draw').length > 0,
    null,
    {
      timeout: 60_000,
    },
  );
  return page.evaluate(
    ({ start, names }) => {
      const draw = performance.getEntriesByName('inspector-draw')[0];
      const painted = draw.startTime + draw.duration;
      const input = performance.getEntriesByName('inspector-open')[0];
      const phases = names.map((n) => {
        const e = performance.getEntriesByName(`inspector-${n}`)[0];
        return `${n} ${e ? Math.round(e.duration) : '?'}`;
      });
      return {
        ms: painted - input.startTime,
        fromCall: painted - start,
        phases: phases.join(', '),
      };
    },
    { start: t0, names: PHASES },
  );
}

try {
  // A first visit: a new context has no HTTP cache and no compiled code, as after `npm start`.
  // The first of them is also the first page of a freshly started browser.
  const first = await series('first visit (new context each)', true);
  await first.page.context().close();

  // The floor under a first visit: the same, with a 300-event trace. What the page's start costs
  // whatever the trace (a new renderer process, compiling the app, the first render).
  const smallFile = join(outDir, 'trace-300.ndjson');
  writeFileSync(smallFile, `${text.split('\n').slice(0, 301).join('\n')}\n`);
  const smallServer = await serveInspector({ root: smallFile });
  const floor = [];
  for (let run = 0; run < RUNS; run++) {
    const p = await benchPage();
    floor.push((await openOnce(p, smallServer.url)).ms);
    await p.context().close();
  }
  await smallServer.close();
  console.log(
    `first visit with a 300-event trace (the page's own start), ${RUNS} loads: ${floor.map((x) => x.toFixed(0)).join(', ')} ms; median ${median(floor).toFixed(0)} ms`,
  );
  const firstMedian = median(first.runs.map((r) => r.ms));
  console.log(
    `  the 100,000-event trace's own part of a first visit (median minus this floor): ${(firstMedian - median(floor)).toFixed(0)} ms`,
  );

  // Opening the trace from the file picker of a page already running: the trace's own cost. The
  // first open in a page runs the parser, layout and painter before they are optimised; the later
  // ones are warm.
  const opens = [];
  {
    const p = await benchPage();
    await p.goto(server.url.split('?')[0]);
    await p.getByTestId('welcome').waitFor();
    // A person picks the file after the page has shown up: let it finish starting (compiling,
    // first render, idle work) first, or the first open is measured against the page's own start.
    await p.waitForTimeout(1000);
    for (let run = 0; run < RUNS; run++) {
      const r = await openFile(p, file);
      opens.push(r.ms);
      console.log(
        `  open ${run + 1}: ${Math.round(r.ms)} ms from the input to painted (${r.phases} ms; ${Math.round(r.fromCall)} ms from the script's call)`,
      );
    }
    await p.context().close();
  }
  console.log(
    `open the file in a running inspector (input event → painted), ${RUNS} opens: ${opens.map((x) => x.toFixed(0)).join(', ')} ms; first ${opens[0].toFixed(0)} ms, median ${median(opens).toFixed(0)} ms`,
  );

  // The same page loaded again: the browser's caches are warm.
  const { page, runs: again } = await series('reload (same page)', false);

  const canvas = page.getByTestId('timeline-canvas');
  const box = await canvas.boundingBox();
  const y = box.y + 120;

  /** Frame intervals and paint times while `action` runs. */
  async function measure(name, action) {
    await page.evaluate(() => {
      performance.clearMeasures('inspector-draw');
      window.__frames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (window.__frames !== null) window.__raf = requestAnimationFrame(tick);
      };
      window.__raf = requestAnimationFrame(tick);
    });
    await action();
    const r = await page.evaluate(() => {
      cancelAnimationFrame(window.__raf);
      const frames = window.__frames.slice(1);
      window.__frames = null;
      return {
        frames,
        draws: performance.getEntriesByName('inspector-draw').map((e) => e.duration),
      };
    });
    const f = stats(r.frames);
    const d = stats(r.draws);
    const long = r.frames.filter((x) => x > 50).length;
    console.log(
      `${name}:\n  frame interval ${fmt(f)}; frames > 50 ms: ${long}\n  canvas paint  ${fmt(d)}`,
    );
    return { frames: f, draws: d, long };
  }

  const drag = async (steps) => {
    for (let k = 0; k < 3; k++) {
      await page.mouse.move(box.x + box.width - 50, y);
      await page.mouse.down();
      await page.mouse.move(box.x + 200, y, { steps });
      await page.mouse.up();
      await page.mouse.move(box.x + 200, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width - 50, y, { steps });
      await page.mouse.up();
    }
  };
  const wheel = async () => {
    await page.mouse.move(box.x + box.width / 2, y);
    for (let k = 0; k < 30; k++) await page.mouse.wheel(0, -120);
    for (let k = 0; k < 30; k++) await page.mouse.wheel(0, 120);
  };

  await page.keyboard.press('0'); // whole trace: 100,000 events in one screen
  const outPan = await measure('pan, whole trace in view (zoomed out)', () => drag(60));
  const zoom = await measure('wheel zoom in and out around the pointer (60 steps)', wheel);
  for (let k = 0; k < 22; k++) await page.keyboard.press('+'); // labels visible
  const inPan = await measure('pan, zoomed in (labelled boxes)', () => drag(60));
  await page.screenshot({ path: join(outDir, 'bench-zoomed-in.png') });
  await page.keyboard.press('0');
  await page.screenshot({ path: join(outDir, 'bench-zoomed-out.png') });

  const summary = {
    loadavg: loadavg(),
    events: parsed.events.length,
    bytes: text.length,
    firstVisitMs: first.runs.map((r) => Math.round(r.ms)),
    firstVisitFloorMs: floor.map((x) => Math.round(x)),
    openFileMs: opens.map((x) => Math.round(x)),
    reloadMs: again.map((r) => Math.round(r.ms)),
    phases: { firstVisit: first.runs.map((r) => r.phases), reload: again.map((r) => r.phases) },
    panZoomedOut: outPan,
    wheelZoom: zoom,
    panZoomedIn: inPan,
  };
  writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`wrote ${join(outDir, 'bench.json')} and screenshots`);
} finally {
  await browser.close();
  await server.close();
}
