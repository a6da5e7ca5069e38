// Copy the browser builds of our front-end libraries from node_modules into
// src/gongzhi/static/vendor, so that WhiteNoise serves them and no page needs a CDN.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src/gongzhi/static/vendor");
const files = {
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "alpinejs/dist/cdn.min.js": "alpinejs/alpine.min.js",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
  "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
  // leaflet.js names its source map; the manifest storage refuses a dangling reference.
  "leaflet/dist/leaflet.js.map": "leaflet/leaflet.js.map",
  "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
  "leaflet/dist/images": "leaflet/images",
  // The report page's outbox of reports taken with no signal (IndexedDB).
  "idb-keyval/dist/umd.js": "idb-keyval/umd.js",
  // The patrol page's QR decoder (camera frames → the checkpoint's code).
  "jsqr/dist/jsQR.js": "jsqr/jsQR.js",
  // The API's interactive docs (/api/v1/docs); the CSS names its source map.
  "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
  "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
  "swagger-ui-dist/swagger-ui.css.map": "swagger-ui/swagger-ui.css.map",
};

rmSync(out, { recursive: true, force: true });
for (const [from, to] of Object.entries(files)) {
  const target = join(out, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target, { recursive: true });
}
console.log(`assets copied to ${out}`);
