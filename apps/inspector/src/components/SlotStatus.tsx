/** A trace slot that is not ready yet: its progress while it loads, or why it could not open. */
import { assertNever } from '@ktls-lab/core';
import type { Slot } from '../model/traceDoc';
import { ErrorPanel } from './ErrorPanel';
import { LoadingPanel } from './LoadingPanel';

export function SlotStatus({ slot, onDismiss }: { slot: Slot; onDismiss?: () => void }) {
  switch (slot.status) {
    case 'empty':
    case 'ready':
      return null;
    case 'loading':
      return <LoadingPanel name={slot.name} progress={slot.progress} />;
    case 'error':
      return onDismiss ? (
        <ErrorPanel source={slot.name} error={slot.error} onDismiss={onDismiss} />
      ) : (
        <ErrorPanel source={slot.name} error={slot.error} />
      );
    default:
      return assertNever(slot, 'trace slot');
  }
}
