// Hearth back office: GOV.UK Frontend (via init.js) plus MOJ Frontend
// components, on page load and on htmx-swapped content.
// Load this instead of init.js on back-office pages.
import { onContent } from "./init.js";
import { initAll } from "./moj-frontend.js";

onContent((scope, onError) => initAll({ scope, onError }));
