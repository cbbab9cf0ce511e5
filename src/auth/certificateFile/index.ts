/**
 * The `certificates` chunk (esbuild.mjs, src/common/lazyChunk.ts): unlocking a .pfx/.p12 file or an
 * encrypted PEM key with the password the user types once. node-forge lives only here, loaded when
 * a user picks such a file, not at activation and not with the rest of the auth engine.
 */
export { unlockPkcs12, type UnlockedCertificate } from './pkcs12';
export { decryptPrivateKey } from './encryptedKey';

// Each chunk carries its own copy of @vscode/l10n: loadChunk hands it the display language.
export { useDisplayLanguage } from '../../core/localization';
