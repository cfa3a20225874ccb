// The imports page: a city's export can be hundreds of megabytes, so the upload shows how much
// has been sent. The answer (the page with the run queued, or the form with its errors)
// replaces the page's content in place, as a normal submit would have.
(function () {
  const MB = 1024 * 1024;
  const show = (form, text, sent, total) => {
    const bar = form.querySelector("#upload-progress");
    const label = form.querySelector("#upload-progress-text");
    bar.hidden = false;
    if (total) { bar.max = total; bar.value = sent; }
    label.textContent = text;
  };
  const answer = (form, xhr) => {
    const type = xhr.getResponseHeader("Content-Type") || "";
    if (!type.startsWith("text/html")) {
      let detail = "The upload failed (" + xhr.status + ").";
      try { detail = JSON.parse(xhr.responseText).detail || detail; } catch (e) { /* not JSON */ }
      show(form, detail, 0, 0);
      form.querySelector("button[type=submit]").disabled = false;
      return;
    }
    const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
    const main = document.getElementById("main");
    main.innerHTML = page.getElementById("main").innerHTML;
    if (window.htmx) { window.htmx.process(main); }
    if (xhr.responseURL) { window.history.replaceState(null, "", xhr.responseURL); }
    bind();
  };
  const bind = () => {
    const form = document.getElementById("import-form");
    if (!form) { return; }
    // The button says what will happen: "Only check it" imports nothing.
    const only = form.querySelector("#id_check_only");
    const button = form.querySelector("button[type=submit]");
    const label = () => { button.textContent = only.checked ? "Check it, import nothing" : "Check and import"; };
    if (only) { only.addEventListener("change", label); label(); }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", (e) => {
        if (!e.lengthComputable) { return; }
        const text = (e.loaded / MB).toFixed(1) + " of " + (e.total / MB).toFixed(1) + " MB sent";
        show(form, e.loaded < e.total ? text : text + "; checking the file…", e.loaded, e.total);
      });
      xhr.addEventListener("load", () => answer(form, xhr));
      xhr.addEventListener("error", () => {
        show(form, "The connection failed; nothing was imported. Try again.", 0, 0);
        form.querySelector("button[type=submit]").disabled = false;
      });
      form.querySelector("button[type=submit]").disabled = true;
      xhr.send(new FormData(form));
    });
  };
  bind();
})();
