/**
 * The account page's "Your devices" list: each session with its browser, system, place and times, a
 * "Sign out" button per other device, "Sign out other devices", "Sign out everywhere" and "Sign out".
 */
import type { Session } from "../../client/index";
import { type DeviceDescription, describeDevice, relativeTime } from "../user-agent";
import { announce, byId, element } from "./dom";
import { api, endSession, fail, hooks } from "./session";

let sessions: Session[] = [];

export async function loadDevices(): Promise<void> {
  const list = byId("devices");
  list.setAttribute("aria-busy", "true");
  const result = await api.sessions.list();
  list.removeAttribute("aria-busy");
  if (!result.ok) {
    fail(result);
    return;
  }
  renderDevices(result.data);
}
hooks.loadDevices = loadDevices;

function renderDevices(found: Session[]): void {
  const now = Date.now();
  sessions = found;
  byId("devices").replaceChildren(...found.map((session) => deviceItem(session, now)));
  byId("devices-summary").textContent = `Signed in on ${found.length}${found.length === 1 ? " device." : " devices."}`;
  byId<HTMLButtonElement>("sign-out-others").disabled = found.every((session) => session.current);
}

function deviceItem(session: Session, now: number): HTMLLIElement {
  const device = describeDevice(session.user_agent, session.client);
  const item = element("li", "device");
  item.dataset.sessionId = session.id;
  item.append(deviceIcon(session, device), deviceBody(session, device, now));
  if (!session.current) item.append(signOutButton(session, device));
  return item;
}

function deviceIcon(session: Session, device: DeviceDescription): HTMLElement {
  const mobile = ["iOS", "Android"].includes(device.os ?? "") || ["ios", "android"].includes(session.client ?? "");
  const icon = element("span", `device-icon ${mobile ? "phone" : "desktop"}`);
  icon.setAttribute("aria-hidden", "true");
  return icon;
}

function deviceBody(session: Session, device: DeviceDescription, now: number): HTMLElement {
  const body = element("div", "device-body");
  const name = element("p", "device-name");
  name.append(element("span", "device-label", device.label));
  if (session.current) name.append(element("span", "badge", "This device"));
  const where = [
    session.location || "Unknown location",
    session.ip && `IP\u00a0${session.ip}`,
    session.client && `${session.client}\u00a0client`,
  ];
  body.append(name, element("p", "device-meta", where.filter(Boolean).join(" \u00b7 ")), activity(session, now));
  return body;
}

function activity(session: Session, now: number): HTMLElement {
  const line = element("p", "device-meta");
  if (session.current) line.append("Active now");
  else line.append("Last active ", timeElement(session.last_used, now));
  line.append(" \u00b7 signed in ", timeElement(session.created, now));
  return line;
}

function timeElement(iso: string, now: number): HTMLTimeElement {
  const time = element("time", "", relativeTime(Date.parse(iso), now));
  time.dateTime = iso;
  time.title = new Date(iso).toLocaleString();
  return time;
}

function signOutButton(session: Session, device: DeviceDescription): HTMLButtonElement {
  const button = element("button", "btn btn-secondary btn-small", "Sign out");
  button.type = "button";
  button.setAttribute("aria-label", `Sign out ${device.label}`);
  button.addEventListener("click", () => signOutDevice(session, device, button));
  return button;
}

async function signOutDevice(session: Session, device: DeviceDescription, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  const result = await api.sessions.delete(session.id);
  if (!result.ok && result.status !== 404) {
    button.disabled = false;
    fail(result);
    return;
  }
  await loadDevices();
  announce(result.ok ? `${device.label} has been signed out.` : "That device was already signed out.", "success");
  byId("devices-title").focus();
}

export async function signOutOthers(button: HTMLButtonElement): Promise<void> {
  const others = sessions.filter((session) => !session.current);
  button.disabled = true;
  for (const session of others) {
    const result = await api.sessions.delete(session.id);
    if (!result.ok && result.status !== 404) {
      button.disabled = false;
      fail(result);
      return;
    }
  }
  await loadDevices();
  announce(`Signed out ${others.length}${others.length === 1 ? " other device." : " other devices."}`, "success");
}

export async function signOutEverywhere(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  const result = await api.logoutAll();
  button.disabled = false;
  if (!result.ok) {
    fail(result);
    return;
  }
  endSession("You have been signed out on all your devices.", "success");
}

export async function signOut(button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  const result = await api.logout();
  button.disabled = false;
  if (!result.ok) {
    fail(result);
    return;
  }
  endSession("You have been signed out.", "success");
}
