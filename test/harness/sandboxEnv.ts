/**
 * How tiers that run in VS Code find the sandbox that `npm test` started: its JSON description is
 * written to a file named by M365MAIL_SANDBOX, and code-server gets the settings that point the
 * extension at it (the sandbox cloud and its CA). Verification stays on: the CA is trusted through
 * the extension's own setting, nothing else.
 */
import fs from 'node:fs';
import type { SandboxDescription } from '@m365-mail/sandbox';

export const SANDBOX_ENV = 'M365MAIL_SANDBOX';

export function sandboxDescription(): SandboxDescription {
  const file = process.env[SANDBOX_ENV];
  if (!file || !fs.existsSync(file)) throw new Error(`${SANDBOX_ENV} is not set: run this tier through \`npm test\`, which starts the sandbox`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxDescription;
}

/** User settings that point M365 Mail at the sandbox. */
export function sandboxSettings(description: SandboxDescription): Record<string, unknown> {
  return {
    'm365mail.customClouds': [description.cloud],
    'm365mail.trustedCaCertificates': [description.caCertPath]
  };
}
