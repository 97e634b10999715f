// ESLint's flat configuration: the door scanner's browser code (`make check` runs it; `npx eslint` by hand).
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  js.configs.recommended,
  {
    // The scanner's ES modules.
    files: ["service/web/static/checkin/**/*.js"],
    ignores: ["service/web/static/checkin/sw.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: { "no-var": "error", "prefer-const": "error", eqeqeq: ["error", "always", { null: "ignore" }] },
  },
  {
    // The service worker is a classic script (served from /door-sw.js).
    files: ["service/web/static/checkin/sw.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: globals.serviceworker },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
];
