// ES module: initialise all GOV.UK Frontend components on the page.
// Built to /static/js/app.mjs; GOV.UK Frontend's bundle is at
// /static/govuk/govuk-frontend.min.js.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// "Print your receipt" on a pupil's receipt page: the button is shown only where this runs.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.addEventListener("click", () => window.print());
}

// A school's site plan: a click on the plan fills in the pin form's "across" and "down" (per
// cent of the plan's width and height) and marks the spot; the form, which works without this,
// is still what saves the pin.
for (const plan of document.querySelectorAll("[data-app-plan-pin]")) {
  const across = document.getElementById(plan.dataset.appPinX);
  const down = document.getElementById(plan.dataset.appPinY);
  const preview = plan.querySelector("[data-app-pin-preview]");
  const status = document.querySelector("[data-app-pin-status]");
  const box = plan.viewBox.baseVal;
  if (!across || !down || !box || !box.width || !box.height) {
    continue;
  }
  plan.addEventListener("click", (event) => {
    const matrix = plan.getScreenCTM();
    if (!matrix) {
      return;
    }
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    const percent = (value, whole) => Math.min(100, Math.max(0, (value / whole) * 100)).toFixed(1);
    across.value = percent(point.x - box.x, box.width);
    down.value = percent(point.y - box.y, box.height);
    if (preview) {
      preview.setAttribute("cx", String(point.x));
      preview.setAttribute("cy", String(point.y));
      preview.setAttribute("visibility", "visible");
    }
    if (status) {
      status.textContent = `Position set: ${across.value}% across, ${down.value}% down. Choose the place and save the pin.`;
    }
  });
}
