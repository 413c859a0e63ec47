/**
 * How the tests and the benchmark start Debian's Chromium (never a downloaded browser). The
 * background-networking flags keep it from dialling out: this machine's network is closed, and
 * each refused connection costs time.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
