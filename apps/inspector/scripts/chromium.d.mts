/** Types of chromium.mjs. */
export const chromiumLaunchOptions: { executablePath: string; args: string[] };
