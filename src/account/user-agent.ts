/**
 * Pure helpers of the account page's "Your devices" list: what a session's User-Agent says about its
 * browser and operating system, and how long ago something happened, in words.
 *
 * The page's browser code (src/account/browser/devices.ts) imports them; the bundle carries them to the
 * browser, so the logic exists once.
 */

export interface DeviceDescription {
  /** "Chrome", "Firefox", "Safari", "Edge", "Opera", or null when the User-Agent names no known browser. */
  browser: string | null;
  /** "Windows", "macOS", "iOS", "Android", "ChromeOS", "Linux", or null. */
  os: string | null;
  /** What to call the device: "Chrome on Windows", "Safari", or else the client's name ("ios", "api"). */
  label: string;
}

/**
 * Names the browser and operating system of `userAgent`. Without a known browser the label falls back to
 * `client` (the name the device gave itself at login), then to "Unknown device".
 */
export function describeDevice(userAgent: string | null, client: string | null): DeviceDescription {
  const ua = userAgent ?? "";
  // Order matters: Edge and Opera also say "Chrome/", Chrome also says "Safari/".
  const browsers: [RegExp, string][] = [
    [/\bEdg(?:e|A|iOS)?\/\d/, "Edge"],
    [/\b(?:OPR|OPiOS)\/\d/, "Opera"],
    [/\b(?:Firefox|FxiOS)\/\d/, "Firefox"],
    [/(?:Chrome|Chromium|CriOS)\/\d/, "Chrome"],
    [/^Mozilla\/.*\bSafari\/\d/, "Safari"],
  ];
  // iOS says "like Mac OS X" and Android says "Linux": they come first.
  const systems: [RegExp, string][] = [
    [/\bWindows\b/, "Windows"],
    [/\b(?:iPhone|iPad|iPod)\b/, "iOS"],
    [/\bAndroid\b/, "Android"],
    [/\bCrOS\b/, "ChromeOS"],
    [/\b(?:Macintosh|Mac OS X)\b/, "macOS"],
    [/\b(?:Linux|X11)\b/, "Linux"],
  ];
  let browser: string | null = null;
  for (const [pattern, name] of browsers) {
    if (pattern.test(ua)) {
      browser = name;
      break;
    }
  }
  let os: string | null = null;
  for (const [pattern, name] of systems) {
    if (pattern.test(ua)) {
      os = name;
      break;
    }
  }
  let label = client || "Unknown device";
  if (browser) label = os ? `${browser} on ${os}` : browser;
  return { browser, os, label };
}

/**
 * `thenMs` relative to `nowMs` (both milliseconds since the epoch) in words: "just now" within 45 seconds
 * either way, else "5 minutes ago" / "in 3 days", in the largest unit that fits, counted down to whole ones:
 * minutes, hours, days, weeks (so up to 4), months (a twelfth of 365 days, so up to 11) and years of 365
 * days. A time that is not a number: "at an unknown time".
 */
export function relativeTime(thenMs: number, nowMs: number): string {
  const seconds = (thenMs - nowMs) / 1000;
  if (!Number.isFinite(seconds)) return "at an unknown time";
  const elapsed = Math.abs(seconds);
  if (elapsed < 45) return "just now";
  const units: [string, number][] = [
    ["year", 365 * 86_400],
    ["month", (365 * 86_400) / 12],
    ["week", 7 * 86_400],
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  let unit = "minute";
  let count = 1;
  for (const [name, size] of units) {
    if (elapsed >= size) {
      unit = name;
      count = Math.floor(elapsed / size);
      break;
    }
  }
  const amount = `${count} ${unit}${count === 1 ? "" : "s"}`;
  return seconds < 0 ? `${amount} ago` : `in ${amount}`;
}
