/** A trace slot that is not ready yet: its progress while it loads, or why it could not open. */
import type { Slot } from '../model/traceDoc';
import { ErrorPanel } from './ErrorPanel';
import { LoadingPanel } from './LoadingPanel';

export function SlotStatus({ slot, onDismiss }: { slot: Slot; onDismiss?: () => void }) {
  if (slot.status === 'loading') return <LoadingPanel name={slot.name} progress={slot.progress} />;
  if (slot.status === 'error') {
    return onDismiss ? (
      <ErrorPanel source={slot.name} error={slot.error} onDismiss={onDismiss} />
    ) : (
      <ErrorPanel source={slot.name} error={slot.error} />
    );
  }
  return null;
}
