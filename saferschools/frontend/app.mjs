// ES module: initialise all GOV.UK Frontend components on the page.
// Built to /static/js/app.mjs; GOV.UK Frontend's bundle is at
// /static/govuk/govuk-frontend.min.js.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// "Print your receipt" on a pupil's receipt page: the button is shown only where this runs.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.addEventListener("click", () => window.print());
}
