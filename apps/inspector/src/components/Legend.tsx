/** The key to the drawing: the palette (Okabe–Ito) and the shapes that carry the same meaning. */
import { memo } from 'react';
import {
  CONTENT_TYPES,
  colourOfType,
  EPOCH_TINTS,
  NO_TYPE_COLOUR,
  OPEN_SPAN,
  SEAL_SPAN,
  VIOLATION,
} from '../model/palette';

export const Legend = memo(function Legend() {
  return (
    <section className="panel legend" aria-label="Legend" data-testid="legend">
      <h2>Legend</h2>
      <ul>
        {CONTENT_TYPES.map((c) => (
          <li key={c.type}>
            <span className="swatch" style={{ background: colourOfType(c.type) }} aria-hidden />
            {c.name} ({c.type})
          </li>
        ))}
        <li>
          <span className="swatch" style={{ background: NO_TYPE_COLOUR }} aria-hidden />
          no content type (key, note…)
        </li>
        <li>
          <span className="swatch outline" aria-hidden />
          TCP segment (outline)
        </li>
        <li>
          <span className="swatch half" style={{ background: colourOfType(23) }} aria-hidden />
          crypto request / completion (half height)
        </li>
        <li>
          <span className="span-line" style={{ borderColor: SEAL_SPAN }} aria-hidden />
          seal in flight
        </li>
        <li>
          <span className="span-line" style={{ borderColor: OPEN_SPAN }} aria-hidden />
          open in flight (dashed: never completed)
        </li>
        <li>
          <span className="swatch hatch" aria-hidden />
          frozen (reason → resume)
        </li>
        <li>
          <span className="swatch" style={{ background: EPOCH_TINTS[0] }} aria-hidden />
          <span className="swatch" style={{ background: EPOCH_TINTS[1] }} aria-hidden />
          key epochs (TX / RX bands)
        </li>
        <li>
          <span className="triangle" style={{ borderTopColor: VIOLATION }} aria-hidden />
          invariant violation
        </li>
      </ul>
      <p className="hint keys">
        <kbd>←</kbd>/<kbd>→</kbd> step · <kbd>space</kbd> play · <kbd>+</kbd>/<kbd>-</kbd> zoom ·{' '}
        <kbd>0</kbd> fit · <kbd>v</kbd> next violation · <kbd>/</kbd> filter · drag to pan, wheel to
        zoom
      </p>
    </section>
  );
});
