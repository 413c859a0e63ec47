import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The e2e tests run the built app: say so plainly if it was not built. */
export default function globalSetup(): void {
  const index = join(import.meta.dirname, '..', 'dist', 'index.html');
  if (!existsSync(index)) {
    throw new Error(
      `${index} is missing: run \`pnpm --filter @ktls-lab/inspector build\` before the e2e tests`,
    );
  }
}
