#!/usr/bin/env node
/**
 * `npm run mail-inbox [-- --port 8025]`: a local MAIL_WEBHOOK_URL receiver for development. Prints every
 * message the service sends (including its secret link: for local use only) and answers 202.
 */
import { parseArgs } from "node:util";
import { startMailReceiver } from "./mail-receiver.js";

const { values } = parseArgs({ options: { port: { type: "string", default: "8025" } } });

const receiver = await startMailReceiver({
  port: Number(values.port),
  onMail: (message) =>
    console.log(
      `\n=== ${message.kind} to ${message.to}: ${message.subject}\n${message.text}\ndata: ${JSON.stringify(message.data)}`,
    ),
});
console.log(`mail inbox on ${receiver.url} — start the service with --var MAIL_WEBHOOK_URL:${receiver.url}`);
