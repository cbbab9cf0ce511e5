/**
 * Where secrets are kept: an interface we own, implemented over VS Code's SecretStorage by the
 * credential store, and by an in-memory map in plain-Node tests. No `vscode` import.
 */
export interface SecretVault {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The SecretStorage keys of one credential's secrets. */
export function secretKeys(credentialId: string): {
  clientSecret: string;
  privateKey: string;
  certificate: string;
  tokens: string;
  msalCache: string;
  confirmedEndpoints: string;
} {
  const prefix = `m365mail/${credentialId}/`;
  return {
    clientSecret: `${prefix}clientSecret`,
    privateKey: `${prefix}privateKey`,
    certificate: `${prefix}certificate`,
    tokens: `${prefix}tokens`,
    msalCache: `${prefix}msalCache`,
    // Not a secret, but per credential, never exported, and deleted with the credential.
    confirmedEndpoints: `${prefix}confirmedEndpoints`
  };
}
