/**
 * The inspector page: where traces come from (URL, files, run folder, simulator), the shared
 * view state (cursor, viewport, filters, compare), the keyboard, and the address bar.
 */
import { LANES, type Lane } from '@ktls-lab/core';
import { parseRepro } from '@ktls-lab/sim';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { CompareBar } from './components/CompareBar';
import { DetailPanel } from './components/DetailPanel';
import { ErrorPanel } from './components/ErrorPanel';
import { FilterBar } from './components/FilterBar';
import { Legend } from './components/Legend';
import { LoadingPanel } from './components/LoadingPanel';
import { OpenBar } from './components/OpenBar';
import { RunList } from './components/RunList';
import { SimPanel } from './components/SimPanel';
import { Timeline } from './components/Timeline';
import { TraceTitle } from './components/TraceTitle';
import { ViolationList } from './components/ViolationList';
import { benchOpenRequested } from './model/benchMark';
import type { EventTable } from './model/eventTable';
import { filterMask, indexSomeText, stepFrom } from './model/filter';
import { eventAtStep, layoutTrace, mergeStepWidths, stepWidths } from './model/layout';
import { DEFAULT_MAX_BYTES, loadError } from './model/loadError';
import { firstFailing, parseRunIndex, type RunIndex } from './model/runIndex';
import type { TraceDoc } from './model/traceDoc';
import { readUrlState, writeUrlState } from './model/urlState';
import {
  clampViewport,
  fitAll,
  reveal,
  rowPositions,
  type Viewport,
  zoomAt,
} from './model/viewport';
import { useTraceSlot } from './useTraceSlot';
import { simulate } from './workers/simClient';
import type { SimJob } from './workers/simProtocol';

interface RunFolder {
  readonly name: string;
  readonly index: RunIndex;
  /** URL of index.json (traces resolve against it), or null when opened from files. */
  readonly url: string | null;
  /** Dropped or picked files by base name, when opened from files. */
  readonly files: ReadonlyMap<string, File> | null;
  readonly sel: number | null;
}

/** Pixels per slot when jumping to an event: boxes wide enough to carry their labels. */
const FOCUS_ZOOM = 40;
const PLAY_INTERVAL_MS = 140;

const initialUrl = readUrlState(window.location.search);

export function App() {
  const maxBytes = initialUrl.maxBytes ?? DEFAULT_MAX_BYTES;
  const primary = useTraceSlot(maxBytes);
  const compare = useTraceSlot(maxBytes);
  const [run, setRun] = useState<RunFolder | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [viewport, setViewport] = useState<Viewport>({ x0: 0, zoom: 8 });
  const [lanes, setLanes] = useState<ReadonlySet<Lane>>(() => new Set(LANES));
  const [types, setTypes] = useState<ReadonlySet<string> | null>(null);
  const [query, setQuery] = useState('');
  const [playing, setPlaying] = useState(false);
  const [simBusy, setSimBusy] = useState(false);
  const [simStatus, setSimStatus] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const plotWidth = useRef(1000);
  const filterRef = useRef<HTMLInputElement>(null);
  // Where to put the cursor once the next primary trace is laid out.
  const pendingFocus = useRef<{ step: number | null; violation: boolean }>({
    step: null,
    violation: false,
  });

  const docA = primary.slot.status === 'ready' ? primary.slot.doc : null;
  const docB = compare.slot.status === 'ready' ? compare.slot.doc : null;

  // Layout once per trace (pair); compare mode lays both out on merged step widths so that the
  // same step sits at the same x in both.
  const layouts = useMemo(() => (docA ? layoutBoth(docA, docB) : null), [docA, docB]);

  const rowsA = useMemo(() => (layouts ? rowPositions(layouts.a, lanes) : null), [layouts, lanes]);
  const rowsB = useMemo(
    () => (layouts?.b ? rowPositions(layouts.b, lanes) : null),
    [layouts, lanes],
  );
  const maskA = useMemo(
    () => (docA ? filterMask(docA.events, lanes, types, query) : null),
    [docA, lanes, types, query],
  );
  const maskB = useMemo(
    () => (docB ? filterMask(docB.events, lanes, types, query) : null),
    [docB, lanes, types, query],
  );
  // The search texts, built in idle time once a trace is shown, so that the first search is quick;
  // not while another trace loads, which would then share the page's time with it.
  const loading = primary.slot.status === 'loading' || compare.slot.status === 'loading';
  useEffect(() => {
    if (loading) return;
    const tables = [docA?.events, docB?.events].filter((t): t is EventTable => t !== undefined);
    let handle = 0;
    const step = (deadline: IdleDeadline) => {
      const more = () => deadline.timeRemaining() > 2;
      if (!tables.every((t) => indexSomeText(t, more))) handle = requestIdleCallback(step);
    };
    handle = requestIdleCallback(step);
    return () => cancelIdleCallback(handle);
  }, [docA, docB, loading]);
  const cursorB = useMemo(() => {
    if (!layouts?.b || !docA || cursor === null || cursor >= docA.events.length) return null;
    return eventAtStep(layouts.b, docA.events.columns.t[cursor]!);
  }, [layouts, docA, cursor]);

  // A new primary layout: fit it, or focus the event the URL or the run folder asked for.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new primary layout refocuses; the trace it belongs to comes with it
  useEffect(() => {
    if (!layouts || !docA) return;
    const want = pendingFocus.current;
    pendingFocus.current = { step: null, violation: false };
    let focus: number | null = null;
    if (want.step !== null && want.step < docA.events.length) focus = want.step;
    else if (want.violation && layouts.a.violations.length > 0)
      focus = layouts.a.violations[0]!.event;
    setCursor(focus);
    setPlaying(false);
    const fit = fitAll(layouts.a.width, plotWidth.current);
    if (focus === null) setViewport(fit);
    else
      setViewport(
        reveal(
          { x0: 0, zoom: Math.max(fit.zoom, FOCUS_ZOOM) },
          layouts.a.eventX[focus]!,
          plotWidth.current,
        ),
      );
  }, [layouts?.a]);

  const select = useCallback(
    (i: number) => {
      setCursor(i);
      if (layouts) setViewport((v) => reveal(v, layouts.a.eventX[i]!, plotWidth.current));
    },
    [layouts],
  );

  /** Compare-view click: the primary event at the same step. */
  const selectFromB = useCallback(
    (i: number) => {
      if (!layouts || !docB) return;
      const j = eventAtStep(layouts.a, docB.events.columns.t[i]!);
      if (j !== null) select(j);
    },
    [layouts, docB, select],
  );

  const step = useCallback(
    (dir: 1 | -1) => {
      if (!docA) return false;
      const next = stepFrom(maskA, docA.events.length, cursor, dir);
      if (next === null || next === cursor) return false;
      select(next);
      return true;
    },
    [docA, maskA, cursor, select],
  );

  const zoomBy = useCallback(
    (factor: number) => {
      if (!layouts) return;
      setViewport((v) => {
        const anchorPx =
          cursor !== null
            ? 132 + (layouts.a.eventX[cursor]! - v.x0) * v.zoom
            : 132 + plotWidth.current / 2;
        return clampViewport(zoomAt(v, anchorPx, factor), layouts.a.width, plotWidth.current);
      });
    },
    [layouts, cursor],
  );

  const nextViolation = useCallback(() => {
    if (!layouts || layouts.a.violations.length === 0) return;
    const vs = layouts.a.violations;
    const after = vs.find((v) => cursor === null || v.event > cursor) ?? vs[0]!;
    select(after.event);
  }, [layouts, cursor, select]);

  // Play: one step per tick until the end or a key press.
  useEffect(() => {
    if (!playing) return;
    const id = window.setInterval(() => {
      if (!step(1)) setPlaying(false);
    }, PLAY_INTERVAL_MS);
    return () => window.clearInterval(id);
  }, [playing, step]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing =
        target &&
        (target.tagName === 'INPUT' ||
          target.tagName === 'SELECT' ||
          target.tagName === 'TEXTAREA');
      if (typing) {
        if (e.key === 'Escape') target.blur();
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      let handled = true;
      switch (e.key) {
        case 'ArrowRight':
          setPlaying(false);
          step(1);
          break;
        case 'ArrowLeft':
          setPlaying(false);
          step(-1);
          break;
        case ' ':
          if (target?.tagName === 'BUTTON') return;
          setPlaying((p) => !p);
          break;
        case '+':
        case '=':
          zoomBy(1.5);
          break;
        case '-':
        case '_':
          zoomBy(1 / 1.5);
          break;
        case '0':
          if (layouts) setViewport(fitAll(layouts.a.width, plotWidth.current));
          break;
        case 'v':
          nextViolation();
          break;
        case 'Home':
          if (docA && docA.events.length > 0)
            select(stepFrom(maskA, docA.events.length, null, 1) ?? 0);
          break;
        case 'End':
          if (docA && docA.events.length > 0)
            select(stepFrom(maskA, docA.events.length, null, -1) ?? 0);
          break;
        case '/':
          filterRef.current?.focus();
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step, zoomBy, nextViolation, layouts, docA, maskA, select]);

  // ---- opening things

  const openTraceUrl = useCallback(
    (url: string, focus: { step: number | null; violation: boolean }) => {
      pendingFocus.current = focus;
      void primary.load({ kind: 'url', url }, url, url);
    },
    [primary.load],
  );

  const openRunEntry = useCallback(
    (folder: RunFolder, i: number, stepAt: number | null) => {
      const entry = folder.index.runs[i];
      setRun({ ...folder, sel: i });
      if (!entry?.trace) return;
      pendingFocus.current = { step: stepAt, violation: true };
      const name = `${entry.design} × ${entry.scenario}`;
      if (folder.url !== null) {
        const url = new URL(entry.trace, new URL(folder.url, window.location.href)).toString();
        void primary.load({ kind: 'url', url }, name, url);
        return;
      }
      const base = entry.trace.split('/').pop()!;
      const file = folder.files?.get(base);
      if (!file) {
        primary.fail(
          name,
          loadError(
            'read-failed',
            `the run folder lists ${entry.trace}, but no file named ${base} was opened with index.json`,
          ),
        );
        return;
      }
      void primary.load({ kind: 'file', file }, `${name} (${file.name})`, null);
    },
    [primary.load, primary.fail],
  );

  const openRunIndex = useCallback(
    (
      text: string,
      name: string,
      url: string | null,
      files: ReadonlyMap<string, File> | null,
      sel: number | null,
      stepAt: number | null,
    ) => {
      const parsed = parseRunIndex(text);
      if (!parsed.ok) {
        setRun(null);
        setRunError(`${name}: ${parsed.message}`);
        return;
      }
      setRunError(null);
      const folder: RunFolder = { name, index: parsed.index, url, files, sel: null };
      const pick =
        sel !== null && sel < parsed.index.runs.length ? sel : firstFailing(parsed.index);
      if (pick >= 0) openRunEntry(folder, pick, stepAt);
      else setRun(folder);
    },
    [openRunEntry],
  );

  const openRunUrl = useCallback(
    async (url: string, sel: number | null, stepAt: number | null) => {
      try {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`HTTP ${r.status} ${r.statusText}`);
        openRunIndex(await r.text(), url, url, null, sel, stepAt);
      } catch (e) {
        setRunError(
          `could not fetch the run folder index ${url}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    },
    [openRunIndex],
  );

  const openFiles = useCallback(
    async (files: readonly File[], asCompare = false) => {
      if (files.length === 0) return;
      const index = files.find((f) => f.name === 'index.json');
      if (index && !asCompare) {
        const byName = new Map(files.map((f) => [f.name, f]));
        compare.clear();
        openRunIndex(await index.text(), index.name, null, byName, null, null);
        return;
      }
      const traces = files.filter((f) => f !== index);
      if (asCompare) {
        void compare.load({ kind: 'file', file: traces[0]! }, traces[0]!.name, null);
        return;
      }
      setRun(null);
      setRunError(null);
      pendingFocus.current = { step: null, violation: false };
      void primary.load({ kind: 'file', file: traces[0]! }, traces[0]!.name, null);
      // Two traces at once: the second is compared with the first.
      if (traces[1]) void compare.load({ kind: 'file', file: traces[1] }, traces[1].name, null);
      else compare.clear();
    },
    [primary.load, compare.load, compare.clear, openRunIndex],
  );

  const runSim = useCallback(
    async (job: SimJob, asCompare = false) => {
      setSimBusy(true);
      setSimStatus('running in the worker…');
      const r = await simulate(job);
      setSimBusy(false);
      if (!r.ok) {
        setSimStatus(`simulator: ${r.message}`);
        return;
      }
      setSimStatus(
        `${r.name}: ${r.verdict}${r.violation ? ` (${r.violation})` : ''} in ${r.steps} steps. repro ${r.repro}`,
      );
      if (asCompare) {
        void compare.load({ kind: 'text', text: r.text, name: r.name }, r.name, null);
        return;
      }
      setRun(null);
      pendingFocus.current = { step: null, violation: false };
      void primary.load({ kind: 'text', text: r.text, name: r.name }, r.name, null);
    },
    [primary.load, compare.load],
  );

  /** The same scenario and seed under another design (a mutant against the correct one). */
  const compareWithDesign = useCallback(
    (design: string) => {
      const h = docA?.header;
      if (!h?.scenario || h.seed === undefined) return;
      let strategy: 'random' | 'pct' = 'random';
      try {
        if (h.repro && parseRepro(h.repro).strategy === 'pct') strategy = 'pct';
      } catch {
        // A repro we cannot read: the seed with the random strategy is still a fair comparison.
      }
      void runSim(
        { kind: 'seed', scenario: h.scenario, design, strategy, seed: Number(h.seed) },
        true,
      );
    },
    [docA, runSim],
  );

  // First load from the address bar.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, on mount
  useEffect(() => {
    const s = initialUrl;
    if (s.run !== null) void openRunUrl(s.run, s.sel, s.step);
    else if (s.trace !== null) openTraceUrl(s.trace, { step: s.step, violation: false });
    if (s.compare !== null)
      void compare.load({ kind: 'url', url: s.compare }, s.compare, s.compare);
  }, []);

  // Keep the address bar in step, so that the position can be shared.
  useEffect(() => {
    const search = writeUrlState({
      trace: docA?.url ?? null,
      run: run?.url ?? null,
      sel: run?.sel ?? null,
      compare: docB?.url ?? null,
      step: cursor,
      maxBytes: initialUrl.maxBytes,
    });
    const shareable = docA?.url != null || run?.url != null;
    if (shareable && search !== window.location.search) {
      window.history.replaceState(null, '', `${window.location.pathname}${search}`);
    }
  }, [docA, docB, run, cursor]);

  // Drag and drop anywhere on the page.
  useEffect(() => {
    const over = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      benchOpenRequested(e.timeStamp);
      const files = [...(e.dataTransfer?.files ?? [])];
      void openFiles(files);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [openFiles]);

  const onPlotWidth = useCallback((w: number) => {
    plotWidth.current = w;
  }, []);
  const onViewport = useCallback(
    (v: Viewport) =>
      setViewport(layouts ? clampViewport(v, layouts.a.width, plotWidth.current) : v),
    [layouts],
  );

  return (
    <div className={`app${dragging ? ' dragging' : ''}`}>
      <header className="top">
        <h1>ktls-lab inspector</h1>
        <OpenBar
          onFiles={(f) => void openFiles(f)}
          onCompareFiles={(f) => void openFiles(f, true)}
          canCompare={docA !== null}
        />
      </header>
      <main className="main">
        <div className="left">
          {runError && (
            <ErrorPanel
              source="run folder"
              error={loadError('bad-index', runError)}
              onDismiss={() => setRunError(null)}
            />
          )}
          {primary.slot.status === 'empty' && !run && !runError && <Welcome />}
          {primary.slot.status === 'loading' && (
            <LoadingPanel name={primary.slot.name} progress={primary.slot.progress} />
          )}
          {primary.slot.status === 'error' && (
            <ErrorPanel source={primary.slot.name} error={primary.slot.error} />
          )}
          {docA && layouts && rowsA && (
            <>
              <TraceTitle doc={docA} layout={layouts.a} cursor={cursor} playing={playing} />
              <FilterBar
                ref={filterRef}
                lanes={lanes}
                types={types}
                query={query}
                onLanes={setLanes}
                onTypes={setTypes}
                onQuery={setQuery}
              />
              <Timeline
                label={docA.name}
                layout={layouts.a}
                events={docA.events}
                rows={rowsA}
                viewport={viewport}
                mask={maskA}
                cursor={cursor}
                onViewport={onViewport}
                onSelect={select}
                onWidth={onPlotWidth}
              />
              <CompareBar
                doc={docA}
                busy={simBusy}
                onDesign={compareWithDesign}
                onClose={compare.slot.status !== 'empty' ? compare.clear : null}
              />
              {compare.slot.status === 'loading' && (
                <LoadingPanel name={compare.slot.name} progress={compare.slot.progress} />
              )}
              {compare.slot.status === 'error' && (
                <ErrorPanel
                  source={compare.slot.name}
                  error={compare.slot.error}
                  onDismiss={compare.clear}
                />
              )}
              {docB && layouts.b && rowsB && (
                <div className="compare" data-testid="compare">
                  <TraceTitle doc={docB} layout={layouts.b} cursor={cursorB} playing={false} />
                  <Timeline
                    label={docB.name}
                    layout={layouts.b}
                    events={docB.events}
                    rows={rowsB}
                    viewport={viewport}
                    mask={maskB}
                    cursor={cursorB}
                    onViewport={onViewport}
                    onSelect={selectFromB}
                  />
                </div>
              )}
            </>
          )}
        </div>
        <aside className="right">
          {docA && layouts && (
            <ViolationList violations={layouts.a.violations} cursor={cursor} onSelect={select} />
          )}
          {docA && <DetailPanel events={docA.events} index={cursor} onSelect={select} />}
          {run && (
            <RunList
              index={run.index}
              selected={run.sel}
              onOpen={(i) => openRunEntry(run, i, null)}
            />
          )}
          <SimPanel busy={simBusy} status={simStatus} onRun={(job) => void runSim(job)} />
          <Legend />
        </aside>
      </main>
      {dragging && (
        <div className="drop-overlay">
          Drop a trace (.ndjson), two traces to compare, or a run folder's index.json with its
          traces
        </div>
      )}
    </div>
  );
}

/**
 * The trace's own layout (made by its load worker), or both traces laid out again on merged step
 * widths so that steps line up.
 */
function layoutBoth(docA: TraceDoc, docB: TraceDoc | null) {
  if (!docB) return { a: docA.layout, b: null };
  const a = docA.events.columns;
  const b = docB.events.columns;
  const widths = mergeStepWidths(stepWidths(a), stepWidths(b));
  return {
    a: layoutTrace(a, { stepWidths: widths }),
    b: layoutTrace(b, { stepWidths: widths }),
  };
}

function Welcome() {
  return (
    <section className="panel welcome" data-testid="welcome">
      <h2>Open a trace</h2>
      <p>
        Drop a trace (<code>.ndjson</code>) here, pick one with <strong>Open…</strong>, or run a
        seed of the simulator on the right. Drop two traces to compare them, or a run folder's{' '}
        <code>index.json</code> together with its <code>traces/*.ndjson</code>.
      </p>
      <p>
        From a terminal: <code>ktls-lab inspect run-folder</code> opens an exploration's results
        here.
      </p>
    </section>
  );
}

export type { TraceDoc };
