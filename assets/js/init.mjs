// Hearth: initialise GOV.UK Frontend components on page load and on content
// that htmx swaps in. Loaded as <script type="module"> on every page.
//
// Import specifiers are manifest keys ("./govuk-frontend.js"); the build
// rewrites them to the fingerprinted file names.
import { initAll } from "./govuk-frontend.js";

const initialisers = [];

// Re-running initAll over a scope that contains already-initialised
// components raises InitError for those: that is expected, so ignore it.
function onError(error) {
  if (error?.name !== "InitError") console.error(error);
}

function ready(fn) {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fn, { once: true });
  } else {
    fn();
  }
}

/**
 * Register a function `(scope, onError) => void` that initialises components
 * inside `scope`. It runs now for the whole document and again for every piece
 * of content htmx loads.
 */
export function onContent(init) {
  initialisers.push(init);
  ready(() => init(document, onError));
}

// htmx fires htmx:load on each new element (and once on <body> at start-up,
// which initAll above has already covered). Components only look *inside*
// their scope, so use the parent to include the new element itself.
document.addEventListener("htmx:load", (event) => {
  const element = event.target;
  if (!(element instanceof Element) || element === document.body) return;
  const scope = element.parentElement ?? element;
  for (const init of initialisers) init(scope, onError);
});

ready(() => {
  // A module script only runs in browsers GOV.UK Frontend supports, so we can
  // set these here rather than in an inline <script> (friendlier to a CSP).
  // Templates may still add them inline to avoid a flash of no-JS styling.
  document.body.classList.add("js-enabled", "govuk-frontend-supported");
});

onContent((scope, onError) => initAll({ scope, onError }));

// A boosted portal page (htmx swapped #hearth-page in place of a whole new page): put focus
// where a new page would start, so a screen reader announces it — the error summary when the
// answer has one (GOV.UK's component focuses itself; this makes sure), otherwise the heading.
document.addEventListener("htmx:afterSettle", (event) => {
  if (!event.detail?.boosted) return;
  const page = document.getElementById("hearth-page");
  if (!page) return;
  const target = page.querySelector(".govuk-error-summary") ?? page.querySelector("h1");
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
});

// A boosted link or form whose answer is not a page of this part of the service (the other
// area, a download, anything without #hearth-page): go there as a whole page instead of
// swapping a part of it into this one.
document.addEventListener("htmx:beforeSwap", (event) => {
  const detail = event.detail;
  if (!detail?.boosted || !detail.xhr) return;
  const area = document.getElementById("hearth-page")?.dataset.area;
  const answer = detail.xhr.responseText ?? "";
  if (area && answer.includes(`id="hearth-page" data-area="${area}"`)) return;
  detail.shouldSwap = false;
  window.location.assign(detail.xhr.responseURL || detail.pathInfo?.requestPath || window.location.href);
});
