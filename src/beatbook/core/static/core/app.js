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
// Idle lock (R06): after the idle limit without a key, click or touch, hide everything on screen
// and go to the sign-in page. The server enforces the same limit; this keeps records off an
// unattended screen even before the next request.
(function () {
  const seconds = parseInt(document.body.dataset.idleSeconds || "0", 10);
  if (!seconds) { return; }
  let last = Date.now();
  const touch = () => { last = Date.now(); };
  ["keydown", "mousedown", "touchstart", "wheel"].forEach((kind) => document.addEventListener(kind, touch, { passive: true }));
  const timer = setInterval(() => {
    if (Date.now() - last < seconds * 1000) { return; }
    clearInterval(timer);
    document.querySelectorAll("[hx-trigger]").forEach((el) => el.removeAttribute("hx-trigger"));
    const main = document.getElementById("main");
    main.innerHTML = "";
    const lock = document.createElement("section");
    lock.className = "card login";
    lock.id = "idle-lock";
    lock.innerHTML = "<h1>Session locked</h1><p>Locked after 30 minutes without activity. Sign in again to continue.</p>";
    const link = document.createElement("a");
    link.className = "btn"; link.textContent = "Sign in";
    link.href = "/accounts/login/?next=" + encodeURIComponent(window.location.pathname);
    lock.appendChild(link);
    main.appendChild(lock);
    document.querySelectorAll(".mainnav, .logout").forEach((el) => el.remove());
  }, 5000);
})();
