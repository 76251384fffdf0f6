/**
 * GitHub (OAuth 2.0 without OpenID Connect): the identity is its numeric user id, read with the access token
 * from `GET /user`, and the e-mail from `GET /user/emails`, which says which addresses GitHub has verified (the
 * profile's public `email` says nothing about that, so it is never used to link).
 */
import type { GitHubProvider } from "./config";
import { PROVIDER_TIMEOUT_MS } from "./discovery";
import { ProviderUnavailableError } from "./errors";
import type { ProviderProfile } from "./id-token";

interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
}

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

export function githubEndpoints(provider: GitHubProvider) {
  return {
    authorization: `${provider.webUrl}/login/oauth/authorize`,
    token: `${provider.webUrl}/login/oauth/access_token`,
  };
}

async function getJson<T>(provider: GitHubProvider, path: string, accessToken: string): Promise<T> {
  try {
    const response = await fetch(`${provider.apiUrl}${path}`, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: "application/vnd.github+json",
        // GitHub refuses API requests without a User-Agent.
        "user-agent": "edge-token-auth",
      },
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as T;
  } catch (error) {
    throw new ProviderUnavailableError(`GitHub API ${path}: ${String(error)}`);
  }
}

/** The GitHub account behind `accessToken`, with its primary verified address (else its primary, unverified). */
export async function githubProfile(provider: GitHubProvider, accessToken: string): Promise<ProviderProfile> {
  const [user, emails] = await Promise.all([
    getJson<GitHubUser>(provider, "/user", accessToken),
    getJson<GitHubEmail[]>(provider, "/user/emails", accessToken),
  ]);
  if (typeof user?.id !== "number" || !Array.isArray(emails)) {
    throw new ProviderUnavailableError("GitHub API answered an unexpected shape");
  }
  const chosen =
    emails.find((entry) => entry.primary && entry.verified) ??
    emails.find((entry) => entry.verified) ??
    emails.find((entry) => entry.primary);
  const [firstName = "", ...rest] = (user.name ?? "").trim().split(/\s+/);
  return {
    issuer: provider.webUrl,
    subject: String(user.id),
    email: chosen?.email ?? null,
    emailVerified: chosen?.verified === true,
    username: user.login,
    firstName,
    lastName: rest.join(" "),
  };
}
