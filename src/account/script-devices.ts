/**
 * The account page's "Your devices" list (part of the page's script, see src/account/script.ts): each
 * session with its browser, system, place and times, a "Sign out" button per other device, "Sign out
 * other devices", "Sign out everywhere" and "Sign out". Uses the helpers defined by the script's core.
 */
export const DEVICES_SCRIPT = String.raw`
async function loadDevices() {
  const list = byId("devices");
  list.setAttribute("aria-busy", "true");
  const result = await api("GET", "/auth/sessions/");
  list.removeAttribute("aria-busy");
  if (!result.ok) return fail(result);
  renderDevices(Array.isArray(result.data) ? result.data : []);
}

function renderDevices(sessions) {
  const now = Date.now();
  state.sessions = sessions;
  byId("devices").replaceChildren(...sessions.map((session) => deviceItem(session, now)));
  byId("devices-summary").textContent =
    "Signed in on " + sessions.length + (sessions.length === 1 ? " device." : " devices.");
  byId("sign-out-others").disabled = sessions.every((session) => session.current);
}

function deviceItem(session, now) {
  const device = describeDevice(session.user_agent, session.client);
  const item = element("li", "device");
  item.dataset.sessionId = session.id;
  item.append(deviceIcon(session, device), deviceBody(session, device, now));
  if (!session.current) item.append(signOutButton(session, device));
  return item;
}

function deviceIcon(session, device) {
  const mobile = ["iOS", "Android"].includes(device.os) || ["ios", "android"].includes(session.client);
  const icon = element("span", "device-icon " + (mobile ? "phone" : "desktop"));
  icon.setAttribute("aria-hidden", "true");
  return icon;
}

function deviceBody(session, device, now) {
  const body = element("div", "device-body");
  const name = element("p", "device-name");
  name.append(element("span", "device-label", device.label));
  if (session.current) name.append(element("span", "badge", "This device"));
  const where = [session.location || "Unknown location", session.ip && "IP\u00a0" + session.ip, session.client && session.client + "\u00a0client"];
  body.append(name, element("p", "device-meta", where.filter(Boolean).join(" \u00b7 ")), activity(session, now));
  return body;
}

function activity(session, now) {
  const line = element("p", "device-meta");
  if (session.current) line.append("Active now");
  else line.append("Last active ", timeElement(session.last_used, now));
  line.append(" \u00b7 signed in ", timeElement(session.created, now));
  return line;
}

function timeElement(iso, now) {
  const time = element("time", "", relativeTime(Date.parse(iso), now));
  time.dateTime = iso;
  time.title = new Date(iso).toLocaleString();
  return time;
}

function signOutButton(session, device) {
  const button = element("button", "btn btn-secondary btn-small", "Sign out");
  button.type = "button";
  button.setAttribute("aria-label", "Sign out " + device.label);
  button.addEventListener("click", () => signOutDevice(session, device, button));
  return button;
}

function sessionPath(session) {
  return "/auth/sessions/" + encodeURIComponent(session.id) + "/";
}

async function signOutDevice(session, device, button) {
  button.disabled = true;
  const result = await api("DELETE", sessionPath(session));
  if (!result.ok && result.status !== 404) {
    button.disabled = false;
    return fail(result);
  }
  await loadDevices();
  announce(result.ok ? device.label + " has been signed out." : "That device was already signed out.", "success");
  byId("devices-title").focus();
}

async function signOutOthers(button) {
  const others = state.sessions.filter((session) => !session.current);
  button.disabled = true;
  for (const session of others) {
    const result = await api("DELETE", sessionPath(session));
    if (!result.ok && result.status !== 404) {
      button.disabled = false;
      return fail(result);
    }
  }
  await loadDevices();
  announce("Signed out " + others.length + (others.length === 1 ? " other device." : " other devices."), "success");
}

async function signOutEverywhere(button) {
  button.disabled = true;
  const result = await api("POST", "/auth/logoutall/");
  button.disabled = false;
  if (!result.ok) return fail(result);
  endSession("You have been signed out on all your devices.", "success");
}

async function signOut(button) {
  button.disabled = true;
  const result = await api("POST", "/auth/logout/");
  button.disabled = false;
  if (!result.ok) return fail(result);
  endSession("You have been signed out.", "success");
}
`;
