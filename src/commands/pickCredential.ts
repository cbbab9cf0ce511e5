import * as vscode from 'vscode';
import { CancelledError } from '../core/errors';
import type { CredentialStore } from '../credentials/credentialStore';
import { mailboxOf, type CredentialDefinition } from '../core/model';
import { CommandIds } from './commandIds';
import { noteInvocationCredential } from './registry';

export type CredentialPicker = (arg: unknown, placeHolder: string) => Promise<CredentialDefinition>;

/**
 * Resolves the credential a command acts on: the tree node it was invoked on, a credential id
 * (from another command), or, from the palette, the user's pick.
 */
export function credentialPicker(store: CredentialStore): CredentialPicker {
  const resolve = async (arg: unknown, placeHolder: string): Promise<CredentialDefinition> => {
    const id =
      typeof arg === 'string'
        ? arg
        : arg && typeof arg === 'object' && (arg as { kind?: string }).kind === 'credential'
          ? (arg as { id: string }).id
          : undefined;
    if (id) {
      const def = store.get(id);
      if (def) return def;
    }
    const all = store.list();
    if (all.length === 0) {
      const add = vscode.l10n.t('Add credential');
      if ((await vscode.window.showInformationMessage(vscode.l10n.t('There is no mail credential yet.'), add)) === add) {
        await vscode.commands.executeCommand(CommandIds.addCredential);
      }
      throw new CancelledError();
    }
    if (all.length === 1) return all[0];
    const picked = await vscode.window.showQuickPick(
      all.map((d) => ({ label: d.name, description: `${store.state(d.id)} · ${mailboxOf(d)}`, detail: d.description, id: d.id })),
      // Kept open when the focus moves: from a walkthrough step's button, the step's page takes the
      // focus once it has rendered, which would otherwise close the pick before the user sees it.
      { placeHolder, matchOnDescription: true, ignoreFocusOut: true }
    );
    if (!picked) throw new CancelledError();
    return store.get(picked.id) as CredentialDefinition;
  };
  return async (arg, placeHolder) => {
    const def = await resolve(arg, placeHolder);
    // The failure's buttons (e.g. "Show app registration") then act on this credential without asking again.
    noteInvocationCredential(def.id);
    return def;
  };
}
