import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';

/** Input-box and quick-pick steps that throw {@link CancelledError} on Escape, so a flow unwinds at the command boundary. */
export interface Step {
  title: string;
  step: number;
  totalSteps: number;
}

export async function askText(
  step: Step,
  options: { prompt: string; value?: string; placeHolder?: string; password?: boolean; validate?: (value: string) => string | undefined }
): Promise<string> {
  const value = await vscode.window.showInputBox({
    title: `${step.title} (${step.step}/${step.totalSteps})`,
    prompt: options.prompt,
    value: options.value,
    placeHolder: options.placeHolder,
    password: options.password,
    ignoreFocusOut: true,
    validateInput: options.validate ? (v) => options.validate?.(v) : undefined
  });
  if (value === undefined) throw new CancelledError();
  return value.trim();
}

export interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

export async function askChoice<T>(step: Step, placeHolder: string, choices: Array<Choice<T>>): Promise<T> {
  const picked = await vscode.window.showQuickPick(choices, {
    title: `${step.title} (${step.step}/${step.totalSteps})`,
    placeHolder,
    ignoreFocusOut: true,
    matchOnDescription: true
  });
  if (!picked) throw new CancelledError();
  return picked.value;
}

export async function askFile(title: string, filters: Record<string, string[]>): Promise<vscode.Uri> {
  const [uri] = (await vscode.window.showOpenDialog({ title, canSelectMany: false, filters, openLabel: vscode.l10n.t('Select') })) ?? [];
  if (!uri) throw new CancelledError();
  return uri;
}
