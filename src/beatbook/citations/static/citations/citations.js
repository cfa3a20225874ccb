// While a plate or name is typed, show the earlier citations for it (repeat offenders).
(function () {
  "use strict";
  const box = document.getElementById("history-box");
  if (!box) { return; }
  let timer = null;
  function look() {
    const plate = document.getElementById("id_plate").value.trim();
    const person = document.getElementById("id_person_name").value.trim();
    if (!plate && !person) { box.textContent = ""; return; }
    const url = `/citations/history/?plate=${encodeURIComponent(plate)}&person_name=${encodeURIComponent(person)}`;
    fetch(url, { credentials: "same-origin" }).then((r) => r.text()).then((html) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      box.replaceChildren(...doc.body.childNodes);
    }).catch(() => {});
  }
  ["id_plate", "id_person_name"].forEach((id) => document.getElementById(id).addEventListener("input", () => {
    clearTimeout(timer); timer = setTimeout(look, 400);
  }));
})();
