/**
 * The account page's parts for sign-in with other providers: a "Continue with …" link per configured provider
 * on the sign-in view (plain links to `/auth/social/<name>/`: the browser flow needs no script), and the names
 * people know them by. Provider names are `[a-z][a-z0-9-]*` (src/social/config.ts), safe in HTML and paths.
 */

/** Where the links go in the page's markup (src/account/markup.ts); replaced when the page is served. */
export const SOCIAL_SIGN_IN_MARKER = "<!--social-sign-in-->";

const LABELS: Record<string, string> = {
  apple: "Apple",
  github: "GitHub",
  gitlab: "GitLab",
  google: "Google",
  microsoft: "Microsoft",
};

/** "GitHub" for `github`, "My-idp" for an unknown `my-idp`. */
export function providerLabel(name: string): string {
  return LABELS[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
}

/** The sign-in view's provider links, or nothing when none is configured. */
export function socialSignInLinks(names: readonly string[]): string {
  if (names.length === 0) return "";
  const links = names.map(
    (name) =>
      `<a class="btn btn-secondary btn-block" href="/auth/social/${name}/" data-provider="${name}">Continue with ${providerLabel(name)}</a>`,
  );
  return `<div class="social-sign-in" id="social-sign-in">
<p class="divider"><span>or</span></p>
${links.join("\n")}
</div>`;
}
