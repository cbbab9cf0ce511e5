import type * as vscode from 'vscode';

/** The test-runner extension's own ExtensionContext: real Memento and SecretStorage, isolated from the product's data. */
export function runnerContext(): vscode.ExtensionContext {
  const context = (globalThis as { m365mailTestContext?: vscode.ExtensionContext }).m365mailTestContext;
  if (!context) throw new Error('the runner extension did not publish its context');
  return context;
}
