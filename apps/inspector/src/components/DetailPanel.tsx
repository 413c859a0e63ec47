/**
 * Everything one event says: header bytes, sequence number, nonce, AAD, epoch, sizes, plaintext
 * preview; for a violation, the invariant, the step and the events that led there. All values
 * are rendered as React text (escaped), never as markup.
 */
import { memo } from 'react';
import { decodeRecordHeader, hexToText, spacedHex } from '../model/bytes';
import { kindCode } from '../model/columns';
import type { EventTable } from '../model/eventTable';
import { colourOfType, contentTypeName } from '../model/palette';

export interface DetailPanelProps {
  readonly events: EventTable;
  readonly index: number | null;
  readonly onSelect: (event: number) => void;
}

/** How many events before a violation the panel lists as its lead-up. */
const LEAD_UP = 12;
const NOTE = kindCode('note');

export const DetailPanel = memo(function DetailPanel({
  events,
  index,
  onSelect,
}: DetailPanelProps) {
  if (index === null || index >= events.length) {
    return (
      <section className="panel detail" aria-label="Event detail">
        <h2>Detail</h2>
        <p className="hint">Select an event (click a box, or press → to step).</p>
      </section>
    );
  }
  const e = events.at(index);
  return (
    <section className="panel detail" aria-label="Event detail" data-testid="detail">
      <h2>
        Event {index} · <code>{e.kind}</code>
      </h2>
      {e.violation && <ViolationDetail events={events} index={index} onSelect={onSelect} />}
      <dl className="fields">
        <Field name="step (t)" value={String(e.t)} />
        <Field name="endpoint" value={e.ep} />
        <Field name="lane" value={e.lane} />
        {e.type !== undefined && (
          <Field
            name="content type"
            value={`${e.type} ${contentTypeName(e.type)}`}
            swatch={colourOfType(e.type)}
          />
        )}
        {e.seq !== undefined && <Field name="sequence number" value={e.seq} />}
        {e.epoch !== undefined && <Field name="key epoch" value={String(e.epoch)} />}
        {e.key !== undefined && <Field name="key fingerprint" value={e.key} mono />}
        {e.size !== undefined && <Field name="plaintext size" value={`${e.size} bytes`} />}
        {e.wire !== undefined && <Field name="wire size" value={`${e.wire} bytes`} />}
        {e.req !== undefined && <Field name="crypto request" value={`#${e.req}`} />}
        {e.reason !== undefined && <Field name="reason" value={e.reason} />}
        {e.nonce !== undefined && <Field name="nonce" value={spacedHex(e.nonce)} mono />}
        {e.aad !== undefined && <Field name="AAD" value={spacedHex(e.aad)} mono />}
        {e.header !== undefined && <HeaderField hex={e.header} />}
        {e.note !== undefined && <Field name="note" value={e.note} />}
        {e.error && (
          <Field
            name="error"
            value={`${e.error.code} (${e.error.errno}${e.error.alert ? `, alert ${e.error.alert}` : ''}${e.error.fatal ? ', fatal' : ''}): ${e.error.message}`}
          />
        )}
      </dl>
      {e.preview !== undefined && (
        <div className="preview">
          <h3>Plaintext preview ({e.preview.length / 2} bytes)</h3>
          <pre className="mono" data-testid="preview-hex">
            {spacedHex(e.preview)}
          </pre>
          <pre className="mono" data-testid="preview-text">
            {hexToText(e.preview)}
          </pre>
        </div>
      )}
    </section>
  );
});

function Field(props: { name: string; value: string; mono?: boolean; swatch?: string }) {
  return (
    <>
      <dt>{props.name}</dt>
      <dd className={props.mono ? 'mono' : undefined}>
        {props.swatch && (
          <span className="swatch" style={{ background: props.swatch }} aria-hidden />
        )}
        {props.value}
      </dd>
    </>
  );
}

function HeaderField({ hex }: { hex: string }) {
  const h = decodeRecordHeader(hex);
  return (
    <>
      <dt>header bytes</dt>
      <dd className="mono">
        {spacedHex(hex)}
        {h && (
          <span className="decoded">
            {' '}
            = type {h.type} ({contentTypeName(h.type)}), version {h.version}, length {h.length}
          </span>
        )}
      </dd>
    </>
  );
}

function ViolationDetail({ events, index, onSelect }: DetailPanelProps & { index: number }) {
  const e = events.at(index);
  const v = e.violation!;
  // The lead-up: the latest events of the same endpoint, which is where the broken rule lives.
  const { ep, kind } = events.columns;
  const lead: number[] = [];
  for (let i = index - 1; i >= 0 && lead.length < LEAD_UP; i--) {
    if (ep[i] === ep[index] && kind[i] !== NOTE) lead.push(i);
  }
  lead.reverse();
  return (
    <div className="violation-detail" role="alert" data-testid="violation-detail">
      <p>
        <strong>
          Invariant {v.invariant} violated: {v.name}
        </strong>{' '}
        at step {e.t} on {e.ep}
      </p>
      <p className="message">{v.message}</p>
      <h3>Events that led there ({e.ep})</h3>
      <ol className="lead-up">
        {lead.map((i) => {
          const l = events.at(i);
          return (
            <li key={i}>
              <button type="button" className="link" onClick={() => onSelect(i)}>
                t{l.t} {l.lane} {l.kind}
                {l.seq !== undefined ? ` #${l.seq}` : ''}
                {l.epoch !== undefined ? ` e${l.epoch}` : ''}
                {l.reason !== undefined ? ` (${l.reason})` : ''}
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
