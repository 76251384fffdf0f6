/**
 * The gateway's path rule. The gateway decides on the path it sees (public or not), the origin routes on the
 * path it reads, and the two must agree. They can disagree when the origin decodes `%2F`, `%5C` or `%2E`
 * before routing (many frameworks and proxies do, some more than once) or reads `..;x` as `..` (Java servers
 * strip `;` parameters before resolving dot segments): `/public/..%2fprivate` is public here and `/private`
 * there. Rather than guess how each origin decodes, a path that could be read two ways is refused (400):
 * one that holds, at any layer of percent-decoding, an encoded slash, backslash or dot, a backslash, or a
 * `.`/`..` segment (`;` parameters ignored). What remains means the same decoded or not, so the path the
 * public patterns are matched on is the path the origin routes.
 */

/** `%2F` (/), `%5C` (\) and `%2E` (.), any case. */
const ENCODED_SEPARATOR = /%(?:2f|5c|2e)/i;
const PERCENT_ESCAPE = /%([0-9a-f]{2})/gi;

/**
 * Decodings looked through: a real client encodes once, a path sent through another proxy twice; a path
 * still changing after this many is refused, which also bounds the work a crafted path can cost.
 */
const MAX_DECODINGS = 4;

function hasDotSegment(path: string): boolean {
  return path.split("/").some((segment) => {
    const name = segment.split(";", 1)[0];
    return name === "." || name === "..";
  });
}

function isAmbiguousLayer(path: string): boolean {
  return ENCODED_SEPARATOR.test(path) || path.includes("\\") || hasDotSegment(path);
}

/** Whether `pathname` (the request's, percent-encoding untouched) is refused by the rule above. */
export function isAmbiguousPath(pathname: string): boolean {
  let layer = pathname;
  for (let decodings = 0; decodings <= MAX_DECODINGS; decodings += 1) {
    if (isAmbiguousLayer(layer)) return true;
    // Byte by byte: only ASCII `/`, `\`, `.`, `;` and `%` matter here, so UTF-8 sequences need not be valid.
    const decoded = layer.replace(PERCENT_ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (decoded === layer) return false;
    layer = decoded;
  }
  return true;
}
