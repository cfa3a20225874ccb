// Shared behaviour: polling marks itself as not-user-activity, so idle lock still works.
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.triggeringEvent && event.detail.triggeringEvent.type === "every") {
    event.detail.headers["X-Beatbook-Poll"] = "1";
  }
});
// A session that timed out answers a poll with a redirect to the login page.
document.addEventListener("htmx:responseError", (event) => {
  if (event.detail.xhr.status === 401) { window.location.reload(); }
});
// Confirm buttons that carry data-confirm (no inline handlers under CSP).
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
