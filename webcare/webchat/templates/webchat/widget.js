{% autoescape off %}/* webcare web chat — embed with: <script src="https://<desk>/chat/<channel key>/widget.js" async></script> */
(function () {
  "use strict";
  var CSS = {{ css }};
  var SCRIPT = document.currentScript;
{{ code }}
})();
{% endautoescape %}
