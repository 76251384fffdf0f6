#!/usr/bin/env node
/**
 * `npm run mail-inbox [-- --port 8025]`: a local MAIL_WEBHOOK_URL receiver for development. Prints every
 * message the service sends (including its secret link: for local use only) and answers 202.
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string", default: "8025" } } });

createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  try {
    const message = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    console.log(
      `\n=== ${message.kind} to ${message.to}: ${message.subject}\n${message.text}\ndata: ${JSON.stringify(message.data)}`,
    );
    response.writeHead(202).end();
  } catch {
    response.writeHead(400).end();
  }
}).listen(Number(values.port), "127.0.0.1", () => {
  console.log(
    `mail inbox on http://127.0.0.1:${values.port}/ — start the service with --var MAIL_WEBHOOK_URL:http://127.0.0.1:${values.port}/`,
  );
});
