/** Lane and content-type toggles and the text filter (`/` focuses it). */
import { LANES, type Lane } from '@ktls-lab/core';
import { forwardRef, memo } from 'react';
import { CONTENT_TYPES, colourOfType, NO_TYPE_COLOUR } from '../model/palette';

export interface FilterBarProps {
  readonly lanes: ReadonlySet<Lane>;
  readonly types: ReadonlySet<string> | null;
  readonly query: string;
  readonly onLanes: (lanes: ReadonlySet<Lane>) => void;
  readonly onTypes: (types: ReadonlySet<string> | null) => void;
  readonly onQuery: (q: string) => void;
}

const TYPE_KEYS = [
  ...CONTENT_TYPES.map((c) => ({
    key: String(c.type),
    name: c.name,
    colour: colourOfType(c.type),
  })),
  { key: 'none', name: 'no type', colour: NO_TYPE_COLOUR },
];

export const FilterBar = memo(
  forwardRef<HTMLInputElement, FilterBarProps>(function FilterBar(props, ref) {
    const { lanes, types, query, onLanes, onTypes, onQuery } = props;
    const toggleLane = (l: Lane) => {
      const next = new Set(lanes);
      if (next.has(l)) next.delete(l);
      else next.add(l);
      onLanes(next);
    };
    const toggleType = (k: string) => {
      const next = new Set(types ?? TYPE_KEYS.map((t) => t.key));
      if (next.has(k)) next.delete(k);
      else next.add(k);
      onTypes(next.size === TYPE_KEYS.length ? null : next);
    };
    return (
      <div className="filters">
        <input
          ref={ref}
          type="text"
          placeholder="filter (/): kind, #seq, reason…"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
          aria-label="Filter events"
          data-testid="filter"
        />
        <fieldset>
          <legend>lanes</legend>
          {LANES.map((l) => (
            <label key={l}>
              <input type="checkbox" checked={lanes.has(l)} onChange={() => toggleLane(l)} />
              {l}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>content types</legend>
          {TYPE_KEYS.map((t) => (
            <label key={t.key} title={t.name}>
              <input
                type="checkbox"
                checked={types === null || types.has(t.key)}
                onChange={() => toggleType(t.key)}
              />
              <span className="swatch" style={{ background: t.colour }} aria-hidden />
              {t.key === 'none' ? 'none' : t.name}
            </label>
          ))}
        </fieldset>
      </div>
    );
  }),
);
