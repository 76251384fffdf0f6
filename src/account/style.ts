/**
 * The account page's stylesheet, inlined in a `<style>` element and allowed by its SHA-256 in the page's
 * Content-Security-Policy (src/account/page.ts). Colours keep a contrast of at least 4.5:1 (text) and 3:1
 * (borders, focus ring) on their backgrounds; the layout is one column from 320 px up.
 */
export const PAGE_STYLE = String.raw`
:root {
  color-scheme: light;
  --bg: #f3f5f9;
  --surface: #ffffff;
  --text: #111827;
  --muted: #4b5563;
  --border: #d0d5dd;
  --input-border: #6b7280;
  --primary: #3538cd;
  --primary-hover: #2d31a6;
  --primary-soft: #eef0ff;
  --danger: #b42318;
  --danger-soft: #fef3f2;
  --success: #067647;
  --success-soft: #ecfdf3;
  --info: #1d4ed8;
  --info-soft: #eff6ff;
  --focus: #1d4ed8;
  --radius: 10px;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.06), 0 1px 3px rgba(16, 24, 40, 0.1);
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  min-height: 100vh;
  background: var(--bg);
  color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
[hidden] { display: none !important; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
h1:focus, h2:focus { outline: none; }

.topbar { background: var(--surface); border-bottom: 1px solid var(--border); }
.topbar-inner {
  max-width: 760px; margin: 0 auto; padding: 12px 20px;
  display: flex; align-items: center; justify-content: space-between; gap: 12px;
}
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 17px; }
.brand-mark {
  width: 30px; height: 30px; border-radius: 8px; background: var(--primary); color: #fff;
  display: grid; place-items: center; font-size: 14px; letter-spacing: 0.02em;
}
.whoami { display: flex; align-items: center; gap: 12px; min-width: 0; }
.whoami-name { color: var(--muted); font-size: 14px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }

main { max-width: 440px; margin: 0 auto; padding: 32px 20px 48px; }
main.wide { max-width: 760px; }
.card {
  background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius);
  box-shadow: var(--shadow); padding: 28px;
}
.card + .card { margin-top: 20px; }
h1 { font-size: 24px; line-height: 1.25; margin: 0 0 6px; }
h2 { font-size: 18px; line-height: 1.3; margin: 0; }
.lead { color: var(--muted); margin: 0 0 22px; }
.section-head { display: flex; align-items: flex-start; justify-content: space-between; gap: 12px; margin-bottom: 16px; }
.section-head p { color: var(--muted); margin: 4px 0 0; font-size: 14px; }
.page-head { margin-bottom: 20px; }
.page-head p { color: var(--muted); margin: 0; }

.status, .form-message {
  border-radius: 8px; padding: 12px 14px; margin-bottom: 20px; font-size: 15px;
  border: 1px solid var(--border); background: var(--info-soft); color: var(--info);
}
.status:empty, .form-message:empty { display: none; }
.status.error, .form-message.error { background: var(--danger-soft); border-color: #f1b3ad; color: var(--danger); }
.status.success, .form-message.success { background: var(--success-soft); border-color: #a6e3c4; color: var(--success); }
.form-message.success { margin: 0 0 18px; }

.field { margin-bottom: 18px; }
label { display: block; font-weight: 600; font-size: 14px; margin-bottom: 6px; }
.hint { display: block; color: var(--muted); font-weight: 400; font-size: 13px; margin: 4px 0 0; }
input {
  display: block; width: 100%; font: inherit; color: var(--text); background: #fff;
  border: 1px solid var(--input-border); border-radius: 8px; padding: 10px 12px; min-height: 44px;
}
input:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; border-color: var(--focus); }
input[aria-invalid="true"] { border-color: var(--danger); }
.field-error { color: var(--danger); font-size: 14px; margin: 6px 0 0; }
.field-error::before { content: "\26A0\FE0E  "; }

button { font: inherit; cursor: pointer; }
button:disabled { cursor: not-allowed; opacity: 0.6; }
.btn {
  display: inline-flex; align-items: center; justify-content: center; gap: 8px;
  min-height: 44px; padding: 10px 18px; border-radius: 8px; font-weight: 600; font-size: 15px;
  border: 1px solid transparent; text-align: center;
}
.btn-primary { background: var(--primary); color: #fff; }
.btn-primary:hover:not(:disabled) { background: var(--primary-hover); }
.btn-secondary { background: #fff; color: var(--text); border-color: var(--border); }
.btn-secondary:hover:not(:disabled) { background: #f9fafb; border-color: #98a2b3; }
.btn-danger { background: #fff; color: var(--danger); border-color: #f1b3ad; }
.btn-danger:hover:not(:disabled) { background: var(--danger-soft); }
.btn-small { min-height: 36px; padding: 6px 12px; font-size: 14px; }
.btn-block { width: 100%; }
.link {
  background: none; border: 0; padding: 2px 0; color: var(--primary); font-weight: 600;
  text-decoration: underline; text-underline-offset: 3px; border-radius: 4px;
}
.link:hover { color: var(--primary-hover); }
.form-footer { margin-top: 22px; padding-top: 18px; border-top: 1px solid var(--border); color: var(--muted); font-size: 15px; text-align: center; }
.form-footer p { margin: 6px 0; }
.inline-actions { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 8px; }
.form-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 16px; }
.row-between { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; }
.row-between label { margin-bottom: 6px; }
.row-between .link { font-size: 14px; }

.details { display: grid; grid-template-columns: 140px 1fr; gap: 10px 16px; margin: 0; }
.details dt { color: var(--muted); font-size: 14px; }
.details dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }

.devices { list-style: none; margin: 0; padding: 0; border: 1px solid var(--border); border-radius: 8px; }
.device { display: grid; grid-template-columns: 40px minmax(0, 1fr) auto; align-items: center; gap: 4px 14px; padding: 14px 16px; }
.device + .device { border-top: 1px solid var(--border); }
.device-name { margin: 0; font-weight: 600; display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.device-meta { margin: 2px 0 0; color: var(--muted); font-size: 14px; overflow-wrap: anywhere; }
.badge {
  display: inline-block; font-size: 12px; font-weight: 600; line-height: 1; padding: 4px 8px;
  border-radius: 999px; background: var(--success-soft); color: var(--success); border: 1px solid #a6e3c4;
}
.device-icon { flex: none; width: 40px; height: 40px; border-radius: 10px; background: var(--primary-soft); position: relative; }
.device-icon::before { content: ""; position: absolute; border: 2px solid var(--primary); }
.device-icon.desktop::before { left: 9px; top: 11px; width: 22px; height: 15px; border-radius: 3px; }
.device-icon.desktop::after {
  content: ""; position: absolute; left: 14px; top: 28px; width: 12px; height: 2px; background: var(--primary);
}
.device-icon.phone::before { left: 13px; top: 8px; width: 14px; height: 24px; border-radius: 4px; }
.device-icon.phone::after {
  content: ""; position: absolute; left: 18px; top: 26px; width: 4px; height: 2px; border-radius: 1px; background: var(--primary);
}
#form-password { max-width: 440px; }
#form-profile { margin-top: 20px; max-width: 560px; }
.name-fields { display: grid; grid-template-columns: 1fr 1fr; gap: 0 16px; }
.activity-item { padding: 12px 16px; }
.activity-item + .activity-item { border-top: 1px solid var(--border); }
.activity-what { margin: 0; font-weight: 600; }
.activity-item[data-kind="login_failed"] .activity-what { color: var(--danger); }
.devices-actions { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.empty { color: var(--muted); margin: 0; padding: 14px 16px; }
.social-sign-in { display: grid; gap: 10px; margin-top: 18px; }
.social-sign-in .btn { text-decoration: none; }
.divider { display: flex; align-items: center; gap: 12px; margin: 18px 0; color: var(--muted); font-size: 14px; }
.divider::before, .divider::after { content: ""; flex: 1; border-top: 1px solid var(--border); }
.section-text { margin: 0 0 16px; }
.totp-setup { display: grid; grid-template-columns: 184px minmax(0, 1fr); gap: 20px; align-items: start; }
.qr { width: 184px; height: 184px; border: 1px solid var(--border); border-radius: 8px; background: #fff; }
.qr svg { display: block; width: 100%; height: 100%; }
.secret, .codes { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.codes { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px 24px; margin: 0 0 18px; padding: 14px 16px 14px 40px; border: 1px solid var(--border); border-radius: 8px; background: #f9fafb; }
.factor-forms { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.factor-forms h3 { font-size: 15px; margin: 0 0 12px; }
.passkey-actions { display: flex; flex-wrap: wrap; gap: 8px; }
.passkey-edit { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
.passkey-edit input { width: auto; flex: 1 1 160px; min-height: 36px; padding: 6px 10px; }
.passkey-icon::before { left: 12px; top: 9px; width: 16px; height: 16px; border-radius: 50%; }
.passkey-icon::after { content: ""; position: absolute; left: 19px; top: 25px; width: 2px; height: 8px; background: var(--primary); }
#form-passkey-add { margin-top: 16px; max-width: 440px; }
#recovery-codes-box { margin-bottom: 24px; padding-bottom: 20px; border-bottom: 1px solid var(--border); }
.loading { text-align: center; color: var(--muted); padding: 40px 0; }
.noscript { border: 1px solid var(--border); background: var(--surface); border-radius: var(--radius); padding: 20px; }

@media (max-width: 520px) {
  main { padding: 20px 14px 36px; }
  .card { padding: 20px 18px; }
  .topbar-inner { padding: 10px 14px; }
  .details { grid-template-columns: 88px 1fr; }
  .name-fields, .factor-forms, .totp-setup { grid-template-columns: 1fr; }
  .codes { grid-template-columns: 1fr; }
  .device { grid-template-columns: 40px minmax(0, 1fr); align-items: start; padding: 14px; }
  .device .btn { grid-column: 2; justify-self: start; margin-top: 8px; }
  .device .passkey-actions { grid-column: 2; }
  .passkey-actions .btn { margin-top: 0; }
  .devices-actions .btn, .form-actions .btn-primary { width: 100%; }
  .whoami-name { display: none; }
}
`;
