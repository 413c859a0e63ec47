import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const SHOTS = join(import.meta.dirname, '..', 'test-results', 'screens');

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** The detail panel's field value for `name`. */
const field = (page: Page, name: string) =>
  page.getByTestId('detail').locator(`dt:text-is("${name}") + dd`);

test.describe('a failing mutant trace', () => {
  test('find the violation, step to it, read the detail panel', async ({ page }) => {
    await page.goto('/?trace=/data/mutant.ndjson');
    await expect(page.getByTestId('trace-title')).toContainText(
      'mutant-no-freeze-on-key-update × key-update-one-way',
    );
    const violations = page.getByTestId('violations');
    await expect(violations).toContainText('Violations (1)');
    await expect(violations).toContainText('#3 frozen-means-frozen');
    await shot(page, '01-mutant-overview');

    // Step from the start with the keyboard until the cursor reaches the violation.
    const events = readFileSync(join(FIXTURES, 'mutant.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const target = events.findIndex((l) => l.includes('"kind":"violation"'));
    expect(target).toBeGreaterThan(0);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await expect(page.getByTestId('position')).toContainText('event 0 of');
    for (let i = 0; i < target; i++) await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('position')).toContainText(`event ${target} of ${events.length}`);
    await expect(page.getByTestId('position')).toContainText('violation');

    const detail = page.getByTestId('violation-detail');
    await expect(detail).toContainText('Invariant 3 violated: frozen-means-frozen');
    await expect(detail).toContainText('while RX must be frozen');
    await expect(detail.locator('.lead-up li')).not.toHaveCount(0);
    await expect(page).toHaveURL(new RegExp(`step=${target}`));
    await shot(page, '02-mutant-violation-detail');

    // Follow the lead-up back to the record the mutant decrypted while frozen.
    await detail
      .getByRole('button', { name: /open-request #0 e1/ })
      .last()
      .click();
    await expect(field(page, 'sequence number')).toHaveText('0');
    await expect(field(page, 'key epoch')).toHaveText('1');
    await expect(field(page, 'nonce')).toContainText(/^[0-9a-f]{2}( [0-9a-f]{2}){11}$/);
    await expect(field(page, 'AAD')).toHaveText(/^17 03 03/);
    await shot(page, '03-record-detail');
  });

  test('the violation list jumps there, and the link restores the position', async ({ page }) => {
    await page.goto('/?trace=/data/mutant.ndjson');
    await page.getByTestId('violations').getByRole('button').first().click();
    await expect(page.getByTestId('violation-detail')).toBeVisible();
    const url = page.url();
    expect(url).toMatch(/step=\d+/);
    await page.goto(url);
    await expect(page.getByTestId('violation-detail')).toContainText('frozen-means-frozen');
  });

  test('a record shows header bytes, sizes and the plaintext preview', async ({ page }) => {
    await page.goto('/?trace=/data/mutant.ndjson');
    // Keys act on a loaded trace: wait until it is parsed and the lanes are drawn.
    await expect(page.getByTestId('violations').getByRole('button').first()).toBeVisible();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await expect(page.getByTestId('position')).toContainText(/event \d+ of/);
    // The first seal request of the client carries header, nonce, AAD and preview.
    while (!(await page.getByTestId('position').textContent())?.includes('seal-request')) {
      await page.keyboard.press('ArrowRight');
    }
    await expect(field(page, 'header bytes')).toContainText(
      'type 23 (application_data), version 0x0303',
    );
    await expect(field(page, 'plaintext size')).toHaveText('300 bytes');
    await expect(page.getByTestId('preview-hex')).toContainText(/^[0-9a-f]{2} /);
    await expect(page.getByTestId('preview-text')).not.toBeEmpty();
  });

  test('keyboard: space plays, +/- zoom, / focuses the filter', async ({ page }) => {
    await page.goto('/?trace=/data/mutant.ndjson');
    // Keys act on a loaded trace: wait until it is parsed and the lanes are drawn.
    await expect(page.getByTestId('violations').getByRole('button').first()).toBeVisible();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await expect(page.getByTestId('position')).toContainText(/event \d+ of/);
    await page.keyboard.press(' ');
    await expect(page.getByTestId('position')).toContainText('playing');
    await page.waitForTimeout(500);
    await page.keyboard.press(' ');
    await expect(page.getByTestId('position')).not.toContainText('playing');
    expect(await page.getByTestId('position').textContent()).not.toContain('event 0 of');
    await page.keyboard.press('+');
    await page.keyboard.press('-');
    await page.keyboard.press('/');
    await expect(page.getByTestId('filter')).toBeFocused();
    await page.keyboard.type('deliver-control');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Home');
    await expect(page.getByTestId('position')).toContainText('deliver-control');
  });
});

test('a run folder opens on its first failing run, at the violation', async ({ page }) => {
  await page.goto('/?run=/data/index.json');
  const runs = page.getByTestId('runs');
  await expect(runs).toContainText('Runs (3)');
  await expect(runs).toContainText('every mutant was caught');
  await expect(page.getByTestId('trace-title')).toContainText('mutant-no-freeze-on-key-update');
  await expect(page.getByTestId('violation-detail')).toContainText('Invariant 3 violated');
  await expect(page.getByTestId('repro')).toContainText(
    'ktls1:key-update-one-way:mutant-no-freeze-on-key-update',
  );
  await shot(page, '04-run-folder');
  await runs.getByRole('button', { name: /violated #5/ }).click();
  await expect(page.getByTestId('trace-title')).toContainText(
    'mutant-rekey-without-sequence-reset',
  );
  await expect(page.getByTestId('violation-detail')).toContainText('Invariant 5 violated');
  await expect(page).toHaveURL(/sel=2/);
});

test('a run folder opens from picked files (index.json + traces)', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('welcome')).toBeVisible();
  await page
    .getByTestId('open-input')
    .setInputFiles([
      join(FIXTURES, 'index.json'),
      join(FIXTURES, 'traces', 'mutant-no-freeze-on-key-update--key-update-one-way.ndjson'),
      join(FIXTURES, 'traces', 'mutant-rekey-without-sequence-reset--key-update-one-way.ndjson'),
    ]);
  await expect(page.getByTestId('runs')).toContainText('Runs (3)');
  await expect(page.getByTestId('violation-detail')).toContainText('Invariant 3 violated');
});

test('a trace opens by drag and drop', async ({ page }) => {
  await page.goto('/');
  const text = readFileSync(join(FIXTURES, 'correct.ndjson'), 'utf8');
  const dataTransfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'correct.ndjson', { type: 'application/x-ndjson' }));
    return dt;
  }, text);
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
  await expect(page.getByTestId('trace-title')).toContainText('linux-ktls × key-update-one-way');
  await expect(page.getByTestId('violations')).toContainText('Violations (0)');
  await shot(page, '05-correct-freeze');
});

test('run a seed in the worker, then compare it with the correct design on the same seed', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByTestId('sim-scenario').selectOption('key-update-one-way');
  await page.getByTestId('sim-design').selectOption('mutant-no-freeze-on-key-update');
  await page.getByTestId('sim-seed').fill('10');
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-status')).toContainText('violated');
  await expect(page.getByTestId('trace-title')).toContainText('seed 10');
  await expect(page.getByTestId('violations')).toContainText('#3 frozen-means-frozen');
  // The trace from the browser's simulator equals the one the CLI's simulator wrote.
  await expect(page.getByTestId('trace-title')).toContainText(
    readFileSync(join(FIXTURES, 'mutant.ndjson'), 'utf8').match(/"repro":"([^"]+)"/)![1]!,
  );

  await page.getByTestId('compare-design').selectOption('linux-ktls');
  await page.getByTestId('compare-run').click();
  const compare = page.getByTestId('compare');
  await expect(compare).toContainText('linux-ktls × key-update-one-way');
  await expect(page.getByTestId('timeline-canvas')).toHaveCount(2);
  await page.getByTestId('violations').getByRole('button').first().click();
  // Aligned by step: the compared trace's cursor is at the violation's step.
  const step = (await page.getByTestId('position').first().textContent())!.match(/step (\d+)/)![1];
  await expect(compare.getByTestId('position')).toContainText(
    new RegExp(`step (${step}|${Number(step) + 1}|${Number(step) + 2})`),
  );
  await shot(page, '06-sim-compare');
});

test('compare two traces from the address bar', async ({ page }) => {
  await page.goto('/?trace=/data/mutant.ndjson&compare=/data/correct.ndjson');
  await expect(page.getByTestId('compare')).toContainText('linux-ktls');
  await expect(page.getByTestId('timeline-canvas')).toHaveCount(2);
  await expect(page).toHaveURL(/compare=%2Fdata%2Fcorrect\.ndjson/);
  await page.getByTestId('compare-close').click();
  await expect(page.getByTestId('timeline-canvas')).toHaveCount(1);
});

test.describe('bad traces show an error panel that says what and where', () => {
  const cases: [string, string, RegExp][] = [
    ['wrong-version.ndjson', 'unsupported-version', /line 1/],
    ['truncated.ndjson', 'truncated', /line \d+/],
    ['garbage.bin', 'not-json', /line 1/],
    ['empty.ndjson', 'empty', /the file as a whole/],
    ['bad-event.ndjson', 'bad-event', /line 3 · field seq/],
    ['missing.ndjson', 'fetch-failed', /the file as a whole/],
  ];
  for (const [file, code, where] of cases) {
    test(file, async ({ page }) => {
      await page.goto(`/?trace=/data/${file}`);
      const panel = page.getByTestId('error-panel');
      await expect(panel).toBeVisible();
      await expect(panel.getByTestId('error-code')).toHaveText(code);
      await expect(panel.getByTestId('error-where')).toHaveText(where);
      // The page is alive: the simulator panel still answers.
      await expect(page.getByTestId('sim-run')).toBeEnabled();
      if (file === 'truncated.ndjson' || file === 'garbage.bin')
        await shot(page, `07-error-${file}`);
    });
  }

  test('a file larger than the limit is refused before it is read', async ({ page }) => {
    await page.goto('/?trace=/data/big.ndjson&maxBytes=100000');
    await expect(page.getByTestId('error-code')).toHaveText('too-large');
    await expect(page.getByTestId('error-panel')).toContainText(
      'larger than the limit of 100000 bytes',
    );
    // The same limit for a picked file (checked from File.size).
    await page.goto('/?maxBytes=100000');
    await page.getByTestId('open-input').setInputFiles(join(FIXTURES, 'big.ndjson'));
    await expect(page.getByTestId('error-code')).toHaveText('too-large');
    // Under the limit, the same file opens.
    await page.goto('/?trace=/data/big.ndjson');
    await expect(page.getByTestId('trace-title')).toContainText('events');
  });

  test('trace text is never injected as HTML', async ({ page }) => {
    await page.goto('/?trace=/data/hostile.ndjson');
    await expect(page.getByTestId('trace-title')).toContainText(
      '<img src=x onerror="window.__pwned=1">',
    );
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Home');
    await expect(page.getByTestId('detail')).toContainText(
      '<script>window.__pwned=2</script><b>bold?</b>',
    );
    expect(
      await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    await expect(page.locator('#root b')).toHaveCount(0);
  });
});
