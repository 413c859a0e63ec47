/** The empty page: how to open something. */
export function Welcome() {
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
