// Swagger UI for /api/v1/docs, from our own static files. A signed-in browser's session
// needs the CSRF token on unsafe requests; a request with a bearer token does not.
(function () {
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrf = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.requestInterceptor = (req) => {
    if (csrf) req.headers["X-CSRFToken"] = csrf;
    return req;
  };
  SwaggerUIBundle(config);
})();
