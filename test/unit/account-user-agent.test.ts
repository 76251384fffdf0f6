import { describe, expect, it } from "vitest";
import { describeDevice, relativeTime } from "../../src/account/user-agent";

const UA = {
  chromeWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  chromeMac:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  headlessChromeLinux:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
  chromeAndroid:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  chromeIos:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
  firefoxWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  firefoxLinux: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  firefoxIos:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
  safariMac:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  safariIphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  safariIpad:
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  edgeWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
  edgeAndroid:
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.2903.87",
  edgeIos:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/131.0.2903.92 Mobile/15E148 Safari/605.1.15",
  legacyEdge:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19041",
  operaWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
  chromeOs:
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
};

describe("describeDevice", () => {
  it.each([
    ["Chrome on Windows", UA.chromeWindows],
    ["Chrome on macOS", UA.chromeMac],
    ["Chrome on Linux", UA.headlessChromeLinux],
    ["Chrome on Android", UA.chromeAndroid],
    ["Chrome on iOS", UA.chromeIos],
    ["Firefox on Windows", UA.firefoxWindows],
    ["Firefox on Linux", UA.firefoxLinux],
    ["Firefox on iOS", UA.firefoxIos],
    ["Safari on macOS", UA.safariMac],
    ["Safari on iOS", UA.safariIphone],
    ["Safari on iOS", UA.safariIpad],
    ["Edge on Windows", UA.edgeWindows],
    ["Edge on Android", UA.edgeAndroid],
    ["Edge on iOS", UA.edgeIos],
    ["Edge on Windows", UA.legacyEdge],
    ["Opera on Windows", UA.operaWindows],
    ["Chrome on ChromeOS", UA.chromeOs],
  ])("names %s", (label, userAgent) => {
    expect(describeDevice(userAgent, "web").label).toBe(label);
  });

  it("reports the browser and the operating system separately", () => {
    expect(describeDevice(UA.safariIphone, "web")).toEqual({ browser: "Safari", os: "iOS", label: "Safari on iOS" });
  });

  it("names a browser whose operating system it does not know by the browser alone", () => {
    expect(describeDevice("Mozilla/5.0 (compatible) Firefox/120.0", "web")).toEqual({
      browser: "Firefox",
      os: null,
      label: "Firefox",
    });
  });

  it("falls back to the client's name for apps and tools", () => {
    expect(describeDevice("MyApp/3 CFNetwork/1490 Darwin/23", "ios").label).toBe("ios");
    expect(describeDevice("okhttp/4.12.0", "android").label).toBe("android");
    expect(describeDevice("curl/8.5.0", "api")).toEqual({ browser: null, os: null, label: "api" });
  });

  it("keeps the operating system of an app that names one", () => {
    expect(describeDevice("Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A)", "android")).toEqual({
      browser: null,
      os: "Android",
      label: "android",
    });
  });

  it("says Unknown device with neither a User-Agent nor a client name", () => {
    expect(describeDevice(null, null).label).toBe("Unknown device");
    expect(describeDevice("", "").label).toBe("Unknown device");
  });

  it("does not take Safari's word from a non-browser User-Agent", () => {
    expect(describeDevice("SomeBot Safari/1", "api").label).toBe("api");
  });
});

describe("relativeTime", () => {
  const NOW = Date.UTC(2026, 11, 1, 10, 0, 0);
  const SECOND = 1000;
  const MINUTE = 60 * SECOND;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;

  it.each([
    [0, "just now"],
    [-44 * SECOND, "just now"],
    [30 * SECOND, "just now"],
    [-45 * SECOND, "1 minute ago"],
    [-90 * SECOND, "1 minute ago"],
    [-5 * MINUTE, "5 minutes ago"],
    [-59 * MINUTE, "59 minutes ago"],
    [-HOUR, "1 hour ago"],
    [-23 * HOUR, "23 hours ago"],
    [-DAY, "1 day ago"],
    [-6 * DAY, "6 days ago"],
    [-7 * DAY, "1 week ago"],
    [-30 * DAY, "4 weeks ago"],
    [-31 * DAY, "1 month ago"],
    [-364 * DAY, "11 months ago"],
    [-365 * DAY, "1 year ago"],
    [-800 * DAY, "2 years ago"],
    [5 * MINUTE, "in 5 minutes"],
    [14 * DAY, "in 2 weeks"],
  ])("says %d ms from now is %s", (offsetMs, words) => {
    expect(relativeTime(NOW + offsetMs, NOW)).toBe(words);
  });

  it("reads a time it cannot parse as unknown", () => {
    expect(relativeTime(Number.NaN, NOW)).toBe("at an unknown time");
  });
});

describe("the browser copies", () => {
  it("are self-contained: the page inlines their source", () => {
    for (const helper of [describeDevice, relativeTime]) {
      const copy = new Function(`return (${helper.toString()});`)() as typeof helper;
      expect(copy.name).toBe(helper.name);
    }
  });
});
