/**
 * The inspector page: the hooks that hold its state (trace slots, filter, layouts, cursor and
 * viewport, run folder, simulator, keyboard, address bar, drag and drop) wired to the panels.
 */
import { useCallback, useRef } from 'react';
import { CompareBar } from './components/CompareBar';
import { CompareView } from './components/CompareView';
import { DetailPanel } from './components/DetailPanel';
import { DropOverlay } from './components/DropOverlay';
import { ErrorPanel } from './components/ErrorPanel';
import { FilterBar } from './components/FilterBar';
import { Legend } from './components/Legend';
import { OpenBar } from './components/OpenBar';
import { RunList } from './components/RunList';
import { SimPanel } from './components/SimPanel';
import { SlotStatus } from './components/SlotStatus';
import { Timeline } from './components/Timeline';
import { TraceTitle } from './components/TraceTitle';
import { ViolationList } from './components/ViolationList';
import { Welcome } from './components/Welcome';
import { useEventFilter } from './hooks/useEventFilter';
import { useFileDrop } from './hooks/useFileDrop';
import { useKeyboard } from './hooks/useKeyboard';
import { useNavigation } from './hooks/useNavigation';
import { useOpenTraces } from './hooks/useOpenTraces';
import { useRunFolder } from './hooks/useRunFolder';
import { useSimWorker } from './hooks/useSimWorker';
import { useTraceLayouts } from './hooks/useTraceLayouts';
import { useTraceSlots } from './hooks/useTraceSlots';
import { useInitialUrlState, useUrlState } from './hooks/useUrlState';
import { compareJob } from './model/compareJob';
import { DEFAULT_MAX_BYTES, loadError } from './model/loadError';

export function App() {
  const initialUrl = useInitialUrlState();
  const { primary, compare, docA, docB, loading } = useTraceSlots(
    initialUrl.maxBytes ?? DEFAULT_MAX_BYTES,
  );
  const filter = useEventFilter(docA, docB, loading);
  const { layouts, rowsA, rowsB } = useTraceLayouts(docA, docB, filter.lanes);
  const nav = useNavigation(docA, docB, layouts, filter.maskA);
  const runs = useRunFolder(primary, nav.focusNext);
  const open = useOpenTraces(primary, compare, runs, nav.focusNext);
  const sim = useSimWorker(open.openSimTrace);
  const filterRef = useRef<HTMLInputElement>(null);
  const { run, runError } = runs;
  const { cursor } = nav;

  /** The same scenario and seed under another design (a mutant against the correct one). */
  const compareWithDesign = useCallback(
    (design: string) => {
      const job = docA && compareJob(docA.header, design);
      if (job) void sim.run(job, true);
    },
    [docA, sim.run],
  );

  useKeyboard({
    next: () => {
      nav.stop();
      nav.step(1);
    },
    previous: () => {
      nav.stop();
      nav.step(-1);
    },
    play: nav.togglePlay,
    'zoom-in': () => nav.zoomBy(1.5),
    'zoom-out': () => nav.zoomBy(1 / 1.5),
    fit: nav.fit,
    'next-violation': nav.nextViolation,
    first: () => nav.selectEnd(1),
    last: () => nav.selectEnd(-1),
    search: () => filterRef.current?.focus(),
  });

  useUrlState(
    initialUrl,
    {
      trace: docA?.url ?? null,
      run: run?.url ?? null,
      sel: run?.sel ?? null,
      compare: docB?.url ?? null,
      step: cursor,
    },
    {
      run: (url, sel, step) => void runs.openUrl(url, sel, step),
      trace: open.openTraceUrl,
      compare: open.openCompareUrl,
    },
  );

  const dragging = useFileDrop(open.openFiles);

  return (
    <div className={`app${dragging ? ' dragging' : ''}`}>
      <header className="top">
        <h1>ktls-lab inspector</h1>
        <OpenBar
          onFiles={(f) => void open.openFiles(f)}
          onCompareFiles={(f) => void open.openFiles(f, true)}
          canCompare={docA !== null}
        />
      </header>
      <main className="main">
        <div className="left">
          {runError && (
            <ErrorPanel
              source="run folder"
              error={loadError('bad-index', runError)}
              onDismiss={runs.dismissError}
            />
          )}
          {primary.slot.status === 'empty' && !run && !runError && <Welcome />}
          <SlotStatus slot={primary.slot} />
          {docA && layouts && rowsA && (
            <>
              <TraceTitle doc={docA} layout={layouts.a} cursor={cursor} playing={nav.playing} />
              <FilterBar
                ref={filterRef}
                lanes={filter.lanes}
                types={filter.types}
                query={filter.query}
                onLanes={filter.setLanes}
                onTypes={filter.setTypes}
                onQuery={filter.setQuery}
              />
              <Timeline
                label={docA.name}
                layout={layouts.a}
                events={docA.events}
                rows={rowsA}
                viewport={nav.viewport}
                mask={filter.maskA}
                cursor={cursor}
                onViewport={nav.onViewport}
                onSelect={nav.select}
                onWidth={nav.onPlotWidth}
              />
              <CompareBar
                doc={docA}
                busy={sim.busy}
                onDesign={compareWithDesign}
                onClose={compare.slot.status !== 'empty' ? compare.clear : null}
              />
              <SlotStatus slot={compare.slot} onDismiss={compare.clear} />
              {docB && layouts.b && rowsB && (
                <CompareView
                  doc={docB}
                  layout={layouts.b}
                  rows={rowsB}
                  viewport={nav.viewport}
                  mask={filter.maskB}
                  cursor={nav.cursorB}
                  onViewport={nav.onViewport}
                  onSelect={nav.selectFromB}
                />
              )}
            </>
          )}
        </div>
        <aside className="right">
          {docA && layouts && (
            <ViolationList
              violations={layouts.a.violations}
              cursor={cursor}
              onSelect={nav.select}
            />
          )}
          {docA && <DetailPanel events={docA.events} index={cursor} onSelect={nav.select} />}
          {run && (
            <RunList
              index={run.index}
              selected={run.sel}
              onOpen={(i) => runs.openEntry(run, i, null)}
            />
          )}
          <SimPanel busy={sim.busy} status={sim.status} onRun={(job) => void sim.run(job)} />
          <Legend />
        </aside>
      </main>
      {dragging && <DropOverlay />}
    </div>
  );
}
