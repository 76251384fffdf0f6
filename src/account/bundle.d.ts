/** The account page's bundled script (scripts/build-account.js writes it; not committed): its text. */
declare module "*/dist/account-script.js" {
  const script: string;
  export default script;
}
