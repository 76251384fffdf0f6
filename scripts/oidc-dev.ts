/**
 * `npm run oidc-dev [-- --port 9400] [-- --service http://localhost:8787]`: the tests' OpenID Connect provider
 * (test/support/oidc-provider.ts, the certified `oidc-provider` package) on a loopback port, for trying "sign in
 * with another provider" locally. Its login page signs in anyone by e-mail address: for local use only.
 */
import { parseArgs } from "node:util";
import { startTestProvider, TEST_CLIENT } from "../test/support/oidc-provider";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "9400" },
    service: { type: "string", default: "http://localhost:8787" },
    name: { type: "string", default: "local" },
  },
});

const service = values.service.replace(/\/$/, "");
const provider = await startTestProvider({
  port: Number(values.port),
  redirectUris: [`${service}/auth/social/${values.name}/callback/`],
});
const providers = JSON.stringify({ [values.name]: { issuer: provider.issuer, client_id: TEST_CLIENT.id } });
console.log(`OpenID provider on ${provider.issuer} (client ${TEST_CLIENT.id}, secret ${TEST_CLIENT.secret})

Start the service with it, in another terminal:
  npm start -- --var 'SOCIAL_PROVIDERS:${providers}' --var SOCIAL_${values.name.toUpperCase().replaceAll("-", "_")}_SECRET:${TEST_CLIENT.secret}

then open ${service}/auth/social/${values.name}/ and sign in with any address. Ctrl-C stops the provider.`);
