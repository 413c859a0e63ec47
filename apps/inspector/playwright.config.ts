import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './scripts/chromium.mjs';

const PORT = 4173;

/**
 * End-to-end tests against the built app served by server.mjs (the same server `ktls-lab inspect`
 * uses), with e2e/fixtures as its run folder. Debian's Chromium, never a downloaded browser.
 */
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/artifacts',
  globalSetup: './e2e/global-setup.ts',
  timeout: 30_000,
  workers: 2,
  reporter: [['list'], ['json', { outputFile: '.test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1500, height: 950 },
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
  webServer: {
    // The fixtures must exist before the server starts: it refuses a folder without index.json.
    command: `node scripts/make-fixtures.mjs && node server.mjs --port ${PORT} e2e/fixtures`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
