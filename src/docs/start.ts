/**
 * The browser script that starts Swagger UI on /docs. Served as a file of its own (`init.js`) so the page's
 * Content-Security-Policy needs no inline script: `script-src 'self'` is the whole allowance.
 */

interface SwaggerUiOptions {
  url: string;
  dom_id: string;
  deepLinking: boolean;
  validatorUrl: string | null;
  tryItOutEnabled: boolean;
  displayRequestDuration: boolean;
}

declare const SwaggerUIBundle: (options: SwaggerUiOptions) => unknown;

/**
 * Runs in the browser after `swagger-ui-bundle.js`. `validatorUrl: null` turns off the badge that would
 * send the document's address to validator.swagger.io: the page talks to this service only.
 */
function startSwaggerUi(): void {
  SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    displayRequestDuration: true,
  });
}

/**
 * The served script: the compiled source of `startSwaggerUi` (type-checked and linted here), called at once;
 * `init.js` is the last element of the page, so the container exists by then.
 */
export const START_SCRIPT = `"use strict";\n(${startSwaggerUi.toString()})();\n`;
