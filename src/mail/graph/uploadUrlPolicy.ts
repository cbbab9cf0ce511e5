/**
 * Where the bytes of a large attachment may go. Graph's `createUploadSession` answers with an
 * `uploadUrl` that carries its own credential and takes the file: on Outlook's host of the cloud
 * (`outlook.office.com` in Graph's docs) or, in the sandbox, the Graph host. A URL elsewhere, or not
 * https, is refused before a byte is sent: the message's content must not follow a rewritten or
 * forged answer to another server. No `vscode` import.
 */
import { uploadHostRefused } from './graphErrors';

/**
 * The upload URL, parsed, when it is https on the Graph endpoint's host (with its port) or on one of
 * the cloud's upload hosts (default port); otherwise the typed refusal.
 */
export function checkUploadUrl(uploadUrl: string, graphEndpoint: string, uploadHosts: readonly string[]): URL {
  const graph = new URL(graphEndpoint);
  const allowed = [graph.host, ...uploadHosts];
  let url: URL;
  try {
    url = new URL(uploadUrl);
  } catch {
    throw uploadHostRefused('(not a URL)', 'https:', allowed);
  }
  if (url.protocol !== 'https:') throw uploadHostRefused(url.host, url.protocol, allowed);
  const onGraph = url.host === graph.host;
  const onUploadHost = url.port === '' && uploadHosts.some((h) => h.toLowerCase() === url.hostname);
  if (url.username || url.password || (!onGraph && !onUploadHost)) throw uploadHostRefused(url.host, url.protocol, allowed);
  return url;
}
