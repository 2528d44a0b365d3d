/**
 * The site a URL or origin names, as providers are told apart by it: the host name in lower case,
 * without the port, a leading "www." or a trailing dot. Undefined for anything that is not a URL.
 */
export function siteHost(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  host = host.replace(/\.$/, '').replace(/^www\./, '');
  return host || undefined;
}
