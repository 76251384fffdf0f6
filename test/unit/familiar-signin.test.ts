import { describe, expect, it } from "vitest";
import { isNewSignIn, type SignInPlace } from "../../src/activity/familiar-signin";

const CHROME_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
const CHROME_MAC_NEWER = CHROME_MAC.replace("Chrome/130.0.0.0", "Chrome/131.0.6778.86");
const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

const laptop: SignInPlace = { client: "web", userAgent: CHROME_MAC, city: "Berlin", country: "DE" };

describe("isNewSignIn", () => {
  it("is never new for the first sign-in ever", () => {
    expect(isNewSignIn(laptop, [])).toBe(false);
  });

  it("is not new from the same client, browser and system in the same city, whatever the browser's version", () => {
    expect(isNewSignIn({ ...laptop, userAgent: CHROME_MAC_NEWER }, [laptop])).toBe(false);
  });

  it("is new from another browser, system or client, or another city or country", () => {
    expect(isNewSignIn({ ...laptop, userAgent: FIREFOX_LINUX }, [laptop])).toBe(true);
    expect(isNewSignIn({ ...laptop, client: "ios" }, [laptop])).toBe(true);
    expect(isNewSignIn({ ...laptop, city: "Hamburg" }, [laptop])).toBe(true);
    expect(isNewSignIn({ ...laptop, city: "Berlin", country: "US" }, [laptop])).toBe(true);
    expect(isNewSignIn({ ...laptop, city: null, country: null }, [laptop])).toBe(true);
  });

  it("compares the whole User-Agent when it names no known browser", () => {
    const app: SignInPlace = {
      client: "ios",
      userAgent: "MyApp/3 CFNetwork/1490 Darwin/23",
      city: null,
      country: "DE",
    };
    expect(isNewSignIn(app, [app])).toBe(false);
    expect(isNewSignIn({ ...app, userAgent: "OtherApp/1 CFNetwork/1490 Darwin/23" }, [app])).toBe(true);
    expect(isNewSignIn({ ...app, userAgent: null }, [app])).toBe(true);
  });

  it("is not new when any earlier sign-in matches", () => {
    const phone: SignInPlace = { client: "ios", userAgent: "MyApp/3", city: "Paris", country: "FR" };
    expect(isNewSignIn(phone, [laptop, phone])).toBe(false);
  });
});
