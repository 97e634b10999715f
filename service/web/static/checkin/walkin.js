/* The walk-in form: a person who is not registered is registered and let in with one request (online only; the
 * form is shown only when the event allows walk-ins, see ui.js setOnline). The answer is shown as a scan's is. */

import { $, LANG, T } from "./common.js";
import { api } from "./api.js";
import { remember, show } from "./ui.js";

function fail(text) {
  const error = $("walk-in-error");
  error.textContent = text;
  error.hidden = false;
}

export async function walkIn(form) {
  const startedAt = performance.now();
  const name = form.elements.name.value.trim();
  if (!name) { form.elements.name.focus(); return; }
  const body = { nonce: crypto.randomUUID(), name, organisation: form.elements.organisation.value.trim() };
  const email = form.elements.email.value.trim();
  if (email) { body.email = email; }
  $("walk-in-error").hidden = true;
  let response;
  try {
    response = await api("POST", "/api/v1/door/walk-ins?lang=" + encodeURIComponent(LANG), body);
  } catch {
    fail(T.walk_in_failed);  // offline or timed out: nothing is queued, a walk-in needs the server
    return;
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { problem = null; }
    fail(problem && problem.title ? problem.title : T.walk_in_failed);
    return;
  }
  const answer = await response.json();
  form.reset();
  show(answer, startedAt);
  remember(answer);
}
