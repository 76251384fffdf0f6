/**
 * Swagger UI's own files, from the `swagger-ui-dist` package pinned to an exact version in package.json, bundled
 * into the Worker as Text modules (the `[[rules]]` of wrangler.toml), so /docs loads nothing from a CDN.
 */
import { version } from "swagger-ui-dist/package.json";
import STYLE from "swagger-ui-dist/swagger-ui.css";
import SCRIPT from "swagger-ui-dist/swagger-ui-bundle.js";

/** The exact version served; part of the files' paths, so a browser cache never mixes two versions. */
export const SWAGGER_UI_VERSION: string = version;
/** `swagger-ui-bundle.js`: Swagger UI with React and its other dependencies, defining `SwaggerUIBundle`. */
export const SWAGGER_UI_SCRIPT: string = SCRIPT;
/** `swagger-ui.css`. */
export const SWAGGER_UI_STYLE: string = STYLE;
