// The progress of an export made in the background, without reloading the page: the bar and
// the count follow the job, and the page reloads once the file is ready (or the job failed).
// Progressive enhancement: without this file the page has a Refresh link.

async function follow(box, bar, status) {
  const seconds = Number(box.dataset.pollSeconds) || 2;
  const template = status.dataset.written;
  let spokenTenth = -1;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    let job;
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) continue;
      job = await response.json();
    } catch {
      continue; // a lost connection: ask again at the next turn
    }
    if (job.state !== box.dataset.state && job.state !== "building") {
      window.location.reload();
      return;
    }
    box.dataset.state = job.state;
    if (job.rows_total) bar.max = job.rows_total;
    bar.value = job.rows_done;
    bar.textContent = `${job.percent}%`;
    // The count is read out (role="status") at every tenth, not at every turn.
    const tenth = Math.floor(job.percent / 10);
    if (template && job.state === "building" && tenth !== spokenTenth) {
      spokenTenth = tenth;
      const number = new Intl.NumberFormat(document.documentElement.lang || undefined);
      status.textContent = template
        .replace("{done}", number.format(job.rows_done))
        .replace("{total}", number.format(job.rows_total || 0));
    }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("export-job");
  const bar = document.getElementById("export-progress");
  const status = document.getElementById("export-status");
  if (box && bar && status) follow(box, bar, status);
});
