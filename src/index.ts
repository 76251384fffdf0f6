/** Worker entry point: HTTP requests and the Cron Trigger's purge. */
import { createApp } from "./app";
import { scheduled } from "./scheduled";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(scheduled(controller, env)),
} satisfies ExportedHandler<Env>;
