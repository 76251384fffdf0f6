/**
 * The account page's script (bundled by scripts/build-account.js, served at /account/app.js): wires the
 * buttons and forms, then picks the first view from the address and the session.
 */

import { loadActivity, loadOlderActivity } from "./activity";
import { loadDevices, signOut, signOutEverywhere, signOutOthers } from "./devices";
import { showView, viewState } from "./dom";
import { cancelTotp, codesSaved, confirmTotp, disableTotp, downloadCodes, regenerateCodes, startTotp } from "./factors";
import { startForms } from "./forms";
import { startReset, startVerify } from "./mail-links";
import { addPasskey } from "./passkeys";
import {
  forgetSecondStep,
  secondStepFromAddress,
  signInWithPasskey,
  startSecondStep,
  verifyCode,
  verifyWithPasskey,
} from "./second-step";
import { home, loadAccount } from "./session";
// Registers the provider list's loader with the session (imported for that effect).
import "./social";
import { onSubmit } from "./submit";

const ACTIONS: Record<string, (button: HTMLButtonElement) => unknown> = {
  continue: () => {
    history.replaceState(null, "", home);
    return loadAccount();
  },
  "verify-retry": () => startVerify(),
  "refresh-devices": () => Promise.all([loadDevices(), loadActivity()]),
  "older-activity": loadOlderActivity,
  "sign-out": signOut,
  "sign-out-others": signOutOthers,
  "sign-out-everywhere": signOutEverywhere,
  "passkey-sign-in": signInWithPasskey,
  "second-step-passkey": verifyWithPasskey,
  "totp-start": startTotp,
  "totp-cancel": cancelTotp,
  "download-codes": downloadCodes,
  "codes-saved": codesSaved,
};

function onClick(event: MouseEvent): void {
  if (!(event.target instanceof Element)) return;
  const button = event.target.closest<HTMLButtonElement>("button[data-goto], button[data-action]");
  if (!button) return;
  if (button.dataset.goto) {
    // Leaving the second step (back to sign in) drops its token.
    if (button.dataset.goto === "signin") forgetSecondStep();
    showView(button.dataset.goto);
  } else ACTIONS[button.dataset.action ?? ""]?.(button);
}

function start(): void {
  startForms();
  onSubmit("form-second-step", verifyCode);
  onSubmit("form-totp-confirm", confirmTotp);
  onSubmit("form-recovery-codes", regenerateCodes);
  onSubmit("form-totp-disable", disableTotp);
  onSubmit("form-passkey-add", addPasskey);
  document.addEventListener("click", onClick);
  const path = location.pathname.replace(/\/+$/, "");
  let begun: unknown;
  const handedOver = secondStepFromAddress();
  if (handedOver) startSecondStep(handedOver);
  else if (path.endsWith("/reset-password")) begun = startReset();
  else if (path.endsWith("/verify-email")) begun = startVerify();
  else begun = loadAccount();
  Promise.resolve(begun).finally(() => {
    viewState.ready = true;
  });
}

start();
