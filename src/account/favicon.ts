/**
 * The account page's icon (/account/favicon.svg): the top bar's "ET" mark, in the page's primary colour.
 * Served by the Worker, so the page needs no data: URL and no file outside the bundle.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#3538cd"/><text x="16" y="21" text-anchor="middle" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="14" font-weight="600" fill="#fff">ET</text></svg>
`;

/** Headers of the icon: an SVG opened on its own is a document, so it gets a policy that runs no script. */
export const FAVICON_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "image/svg+xml",
  "Cache-Control": "public, max-age=86400",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
  "X-Content-Type-Options": "nosniff",
};
