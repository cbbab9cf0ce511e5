/** The `graph` chunk (@microsoft/microsoft-graph-client), loaded on the first Graph request, never at activation. */
export { emlSendPath, sendMailOverGraph, GRAPH_MIME_LIMIT_BYTES, type GraphSendResult, type GraphSendTarget } from './graphSend';
export { createGraphClient, type GraphConnection, type GraphSession } from './graphClient';
export { explainGraphFailure } from './graphErrors';
export { GraphMailboxReader, type GraphReaderOptions } from './graphReader';

// Each chunk carries its own copy of @vscode/l10n: loadChunk hands it the display language.
export { useDisplayLanguage } from '../../core/localization';
