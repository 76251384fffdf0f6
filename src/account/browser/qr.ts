/**
 * The TOTP enrolment's QR code, drawn here as an SVG element with DOM APIs (no image service sees the
 * secret, and the page's Content-Security-Policy needs no new source): one path of unit squares, with the
 * four-module quiet zone the QR specification asks for.
 */
import { encode } from "uqr";

const SVG = "http://www.w3.org/2000/svg";
const QUIET_ZONE_MODULES = 4;

/** An `<svg>` of the QR code of `text` (error correction M: what authenticator apps scan reliably). */
export function qrSvg(text: string): SVGSVGElement {
  const { data, size } = encode(text, { ecc: "M", border: 0 });
  const full = size + 2 * QUIET_ZONE_MODULES;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${full} ${full}`);
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.setAttribute("aria-hidden", "true");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(full));
  background.setAttribute("height", String(full));
  background.setAttribute("fill", "#ffffff");
  let path = "";
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x + QUIET_ZONE_MODULES} ${y + QUIET_ZONE_MODULES}h1v1h-1z`;
    });
  });
  const modules = document.createElementNS(SVG, "path");
  modules.setAttribute("d", path);
  modules.setAttribute("fill", "#000000");
  svg.append(background, modules);
  return svg;
}
