/**
 * The account page's forms and mail links (part of the page's script, see src/account/script.ts): sign in,
 * sign up, forgot password, resend verification, reset password from its link, verify e-mail from its link,
 * change password. Each handler gets the form and its values; failures go through the core's `fail()`.
 */
export const FORMS_SCRIPT = String.raw`
async function signIn(form, values) {
  // The service matches "username" against usernames first, then e-mail addresses.
  const result = await api("POST", "/auth/login/", { username: values.login, password: values.password, client: "web" });
  if (!result.ok) {
    const found = fail(result, form);
    byId("signin-unverified").hidden = !found.message.includes("E-mail is not verified.");
    return;
  }
  form.reset();
  await enterAccount(result.data.user);
}

async function signUp(form, values) {
  const result = await api("POST", "/auth/registration/", { ...values, client: "web" });
  if (!result.ok) return fail(result, form);
  form.reset();
  const data = result.data || {};
  if (data.user) return enterAccount(data.user, "Welcome, " + data.user.username + "! Your account is ready.");
  // Mandatory verification: no session until the address is proven.
  endSession((data.detail || "Verification e-mail sent.") + " Open the link in it, then sign in.", "success");
}

async function requestReset(form, values) {
  const result = await api("POST", "/auth/password/reset/", values);
  if (!result.ok) return fail(result, form);
  form.reset();
  setFormMessage(form, result.data.detail + " If an account uses that address, it has a link to choose a new password.", "success");
}

async function resendVerification(form, values) {
  const result = await api("POST", "/auth/registration/resend-email/", values);
  if (!result.ok) return fail(result, form);
  form.reset();
  setFormMessage(form, "If that address is waiting to be verified, a new link is on its way.", "success");
}

async function confirmReset(form, values) {
  const result = await api("POST", "/auth/password/reset/confirm/", { ...state.resetLink, ...values });
  if (!result.ok) {
    const found = explain(result);
    if (found.fields.uid || found.fields.token) {
      delete found.fields.uid;
      delete found.fields.token;
      found.message = [found.message, RESET_LINK_INVALID].filter(Boolean).join(" ");
      byId("reset-new-link").hidden = false;
    }
    return showProblem(form, found);
  }
  history.replaceState(null, "", home);
  endSession(result.data.detail + " Sign in with your new password.", "success");
}

async function changePassword(form, values) {
  const result = await api("POST", "/auth/password/change/", values);
  if (!result.ok) return fail(result, form);
  form.reset();
  await loadDevices();
  setFormMessage(form, result.data.detail + " Your other devices have been signed out.", "success");
}

/** Submits with Enter or the button: one request at a time, the button saying what is happening. */
function onSubmit(id, handler) {
  const form = byId(id);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button.disabled) return;
    clearFormErrors(form);
    const label = button.textContent;
    button.disabled = true;
    button.textContent = button.dataset.busy;
    try {
      await handler(form, Object.fromEntries(new FormData(form)));
    } catch (error) {
      console.error(error);
      setFormMessage(form, "Something went wrong in this page. Please reload it and try again.", "error");
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
}

// ---- links from mail ----

function startReset() {
  const params = new URLSearchParams(location.search);
  const uid = params.get("uid");
  const token = params.get("token");
  if (!uid || !token) {
    showView("forgot");
    return announce("This password reset link is incomplete. Request a new one below.", "error");
  }
  state.resetLink = { uid, token };
  showView("reset");
}

async function startVerify() {
  const key = new URLSearchParams(location.search).get("key");
  showView("verify");
  for (const id of ["verify-continue", "verify-retry", "verify-resend"]) byId(id).hidden = true;
  if (!key) return verified("This verification link is incomplete.", "error", "verify-resend");
  byId("verify-text").textContent = "Checking your verification link\u2026";
  const result = await api("POST", "/auth/registration/verify-email/", { key });
  // The key is spent (or worthless): keep it out of the address bar and history.
  if (result.ok || result.status === 404) history.replaceState(null, "", home);
  if (result.ok) return verified("Your e-mail address has been verified.", "success", "verify-continue");
  if (result.status === 404) return verified("This verification link is invalid or has expired.", "error", "verify-resend");
  verified(explain(result).message, "error", "verify-retry");
}

function verified(message, tone, action) {
  byId("verify-text").textContent = tone === "success" ? "Thank you." : "We could not verify your address.";
  announce(message, tone);
  byId(action).hidden = false;
}
`;
