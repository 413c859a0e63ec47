import type { ReadinessWatcher } from '@ktls-lab/native';

/**
 * A `ReadinessWatcher` that is not libuv's: the interest flags and their rules (starting a closed
 * watcher throws, stopping one is a no-op), with `schedule()` deciding when the callback runs. The
 * fake of test/kernelPlane.test.ts and the benchmark's old poll back-off (test/kernel/pingPong.ts)
 * are both this.
 */
export abstract class ScheduledWatcher implements ReadinessWatcher {
  reading = false;
  writing = false;
  closed = false;

  /** Arranges the next callback while interest is on (a later loop turn or a timer). */
  abstract schedule(): void;

  startReading(): void {
    if (this.closed) throw new Error('FdWatcher is closed');
    this.reading = true;
    this.schedule();
  }
  stopReading(): void {
    this.reading = false;
  }
  startWriting(): void {
    if (this.closed) throw new Error('FdWatcher is closed');
    this.writing = true;
    this.schedule();
  }
  stopWriting(): void {
    this.writing = false;
  }
  ref(): void {}
  unref(): void {}
  close(): void {
    this.closed = true;
    this.reading = this.writing = false;
  }
}
