// ES module: initialise all GOV.UK Frontend components on the page.
// Built to /static/js/app.mjs; GOV.UK Frontend's bundle is at
// /static/govuk/govuk-frontend.min.js.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
