// Every extension-host suite, bundled into one file (esbuild.mjs --tests) that Mocha loads.
import './activation.test';
import './credentialStore.test';
import './tokens.test';
import './tokenDestinations.test';
import './sendEml.test';
import './importCredentials.test';
import './proxySettings.test';
