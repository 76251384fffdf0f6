/**
 * The account page's "Recent activity": the user's account events (GET /auth/activity/), newest first, each
 * in words with the device, place and time it came from, and "Show older activity" while there is more.
 */
import type { ActivityEvent } from "../../client/index";
import { describeDevice, relativeTime } from "../user-agent";
import { byId, element } from "./dom";
import { api, fail, hooks } from "./session";

/** What each kind of event is called; an unknown (newer) kind is shown by its name. */
const KIND_WORDS: Record<string, string> = {
  login: "Signed in",
  login_failed: "Failed sign-in",
  logout: "Signed out",
  logout_all: "Signed out everywhere",
  session_revoked: "Device signed out",
  password_changed: "Password changed",
  password_reset: "Password reset",
  email_verified: "E-mail address verified",
  mfa_changed: "Two-step verification changed",
};

/** The `next` link of the last page shown. */
let older: string | null = null;

/** Shows the newest page of events. */
export async function loadActivity(): Promise<void> {
  await showPage(null, false);
}
hooks.loadActivity = loadActivity;

/** Appends the next (older) page. */
export async function loadOlderActivity(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  await showPage(older, true);
  button.disabled = false;
}

async function showPage(link: string | null, append: boolean): Promise<void> {
  const list = byId("activity");
  list.setAttribute("aria-busy", "true");
  const result = await api.activity.list(link);
  list.removeAttribute("aria-busy");
  if (!result.ok) {
    fail(result);
    return;
  }
  const now = Date.now();
  const items = result.data.results.map((event) => activityItem(event, now));
  if (append) list.append(...items);
  else list.replaceChildren(...items);
  older = result.data.next;
  byId("older-activity").hidden = older === null;
  if (!append && items.length === 0) byId("activity-summary").textContent = "Nothing recorded yet.";
}

function activityItem(event: ActivityEvent, now: number): HTMLLIElement {
  const item = element("li", "activity-item");
  item.dataset.kind = event.kind;
  const what = element("p", "activity-what", KIND_WORDS[event.kind] ?? event.kind);
  const meta = element("p", "device-meta");
  const time = element("time", "", relativeTime(Date.parse(event.created), now));
  time.dateTime = event.created;
  time.title = new Date(event.created).toLocaleString();
  const where = [event.location || "Unknown location", event.ip && `IP\u00a0${event.ip}`]
    .filter(Boolean)
    .join(" \u00b7 ");
  meta.append(
    element("span", "activity-device", describeDevice(event.user_agent, event.client).label),
    ` \u00b7 ${where} \u00b7 `,
    time,
  );
  item.append(what, meta);
  return item;
}
