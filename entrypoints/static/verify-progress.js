// The verify job's page (entrypoints/templates/audit_verify.html): move its <progress> bar from
// /audit/verify/{id}/progress every second, and show the page again (with the report) when the job ends.
(function () {
  var bar = document.getElementById("verify-progress");
  var count = document.getElementById("verify-count");
  if (!bar) { return; }
  var number = new Intl.NumberFormat("ja-JP");
  function poll() {
    fetch(bar.dataset.progress, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
      .then(function (job) {
        if (job.state !== "running") { window.location.reload(); return; }
        bar.value = job.share;
        bar.textContent = Math.round(job.share * 100) + "%";
        count.textContent = number.format(job.events) + " 件のイベントを検証済み (ログの位置 " +
          number.format(job.position) + " / " + number.format(job.head) + ")";
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
