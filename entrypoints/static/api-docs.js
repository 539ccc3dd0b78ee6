// Swagger UI on /docs (entrypoints/api_docs.py), started here: the docs' CSP allows no inline script.
// No validator badge (it would load an image from another site); the key given to Authorize is kept
// only for this tab's life.
const box = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: box.dataset.openapi,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
