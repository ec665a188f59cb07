// Loaded as a classic script at the very start of <body> (before any content
// renders), replacing the inline script in GOV.UK Frontend's page template –
// the site's Content-Security-Policy allows no inline scripts.
// `govuk-frontend-supported` tells GOV.UK Frontend's components that the
// browser can run its ES module JavaScript (see app.mjs).
(function () {
  var body = document.body;
  body.className +=
    " js-enabled" +
    ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
})();
