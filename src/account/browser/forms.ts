/**
 * The account page's forms: sign in, sign up, forgot password, resend verification, reset password from
 * its link, change password. Each handler gets its form and the form's values; failures go through
 * ./session's `fail()` (or `showProblem` when the form words them itself).
 */
import { isSignedIn, needsSecondFactor } from "../../client/index";
import { explain, flagMismatch, MESSAGES, MISMATCH } from "../problems";
import { byId, setFormMessage, showProblem } from "./dom";
import { startSecondStep } from "./second-step";
import { api, endSession, enterAccount, fail, home, hooks, renderProfile, state } from "./session";
import { onSubmit, type Values } from "./submit";

async function signIn(form: HTMLFormElement, values: Values): Promise<void> {
  // The service matches "username" against usernames first, then e-mail addresses.
  const result = await api.login({ username: values.login ?? "", password: values.password ?? "" });
  if (!result.ok) {
    const found = fail(result, form);
    byId("signin-unverified").hidden = !found.general.includes("E-mail is not verified.");
    return;
  }
  form.reset();
  if (needsSecondFactor(result.data)) startSecondStep(result.data);
  else if (isSignedIn(result.data)) await enterAccount(result.data.user);
}

async function signUp(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.register({
    username: values.username ?? "",
    email: values.email ?? "",
    password1: values.password1 ?? "",
    password2: values.password2 ?? "",
  });
  if (!result.ok) {
    const matches = values.password1 === values.password2;
    fail(result, form, { field: "password2", message: MISMATCH.registration, matches });
    return;
  }
  form.reset();
  const data = result.data;
  if (isSignedIn(data)) {
    await enterAccount(data.user, `Welcome, ${data.user.username}! Your account is ready.`);
    return;
  }
  // Mandatory verification: no session until the address is proven.
  endSession(`${data.detail || "Verification e-mail sent."} Open the link in it, then sign in.`, "success");
}

async function requestReset(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.password.reset({ email: values.email ?? "" });
  if (!result.ok) {
    fail(result, form);
    return;
  }
  form.reset();
  const sent = " If an account uses that address, it has a link to choose a new password.";
  setFormMessage(form, result.data.detail + sent, "success");
}

async function resendVerification(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.email.resend(values.email ?? "");
  if (!result.ok) {
    fail(result, form);
    return;
  }
  form.reset();
  setFormMessage(form, "If that address is waiting to be verified, a new link is on its way.", "success");
}

async function confirmReset(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.password.confirm({
    uid: state.resetLink?.uid ?? "",
    token: state.resetLink?.token ?? "",
    new_password1: values.new_password1 ?? "",
    new_password2: values.new_password2 ?? "",
  });
  if (!result.ok) {
    const matches = values.new_password1 === values.new_password2;
    const found = flagMismatch(explain(result), { field: "new_password2", message: MISMATCH.newPassword, matches });
    if (found.fields.uid || found.fields.token) {
      delete found.fields.uid;
      delete found.fields.token;
      found.general.push(MESSAGES.resetLinkInvalid);
      byId("reset-new-link").hidden = false;
    }
    showProblem(form, found);
    return;
  }
  history.replaceState(null, "", home);
  endSession(`${result.data.detail} Sign in with your new password.`, "success");
}

async function changePassword(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.password.change({
    old_password: values.old_password ?? "",
    new_password1: values.new_password1 ?? "",
    new_password2: values.new_password2 ?? "",
  });
  if (!result.ok) {
    const matches = values.new_password1 === values.new_password2;
    fail(result, form, { field: "new_password2", message: MISMATCH.newPassword, matches });
    return;
  }
  form.reset();
  await hooks.loadDevices();
  setFormMessage(form, `${result.data.detail} Your other devices have been signed out.`, "success");
}

/** PATCH user/ with the names only: a username changed meanwhile elsewhere is not written back. */
async function saveName(form: HTMLFormElement, values: Values): Promise<void> {
  const result = await api.user.patch({ first_name: values.first_name ?? "", last_name: values.last_name ?? "" });
  if (!result.ok) {
    fail(result, form);
    return;
  }
  renderProfile(result.data);
  setFormMessage(form, "Your name has been saved.", "success");
}

export function startForms(): void {
  onSubmit("form-signin", signIn);
  onSubmit("form-signup", signUp);
  onSubmit("form-forgot", requestReset);
  onSubmit("form-resend", resendVerification);
  onSubmit("form-reset", confirmReset);
  onSubmit("form-password", changePassword);
  onSubmit("form-profile", saveName);
}
