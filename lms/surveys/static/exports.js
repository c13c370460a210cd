// Keep the list of exports up to date while some are being made: read their states every few seconds, show the
// progress, the download once ready and the button to try again after a failure, and tell screen readers of each
// export that is done. Without JavaScript, the page's refresh link does the same. It stops asking after half an
// hour (no worker running?), so that an open page does not keep an idle sign-in alive.
const table = document.getElementById("exports");
const news = document.getElementById("exports-news");
const PAUSE = 3000;
const UNTIL = Date.now() + 30 * 60 * 1000;
const FINAL = ["ready", "failed"];

function later(pause) {
  if (Date.now() < UNTIL) setTimeout(refresh, pause);
}

function show(row, item) {
  const before = row.dataset.state;
  row.dataset.state = item.state;
  row.querySelector(".export-status").textContent = item.status;
  const bar = row.querySelector("progress");
  bar.value = item.progress ?? 0;
  bar.hidden = item.state !== "running";
  row.querySelector(".export-download").hidden = item.state !== "ready";
  row.querySelector(".export-retry").hidden = item.state !== "failed";
  if (before !== item.state && FINAL.includes(item.state)) {
    news.textContent = `${item.label}: ${item.status}`;
  }
}

async function refresh() {
  let response;
  try {
    response = await fetch(table.dataset.source, { headers: { Accept: "application/json" } });
  } catch {
    later(PAUSE * 3); // the network is away for a moment
    return;
  }
  if (!response.ok || !response.headers.get("Content-Type")?.includes("json")) {
    return; // signed out, or the survey is no longer readable: the refresh link tells
  }
  const items = await response.json();
  for (const item of items) {
    const row = table.querySelector(`tr[data-export="${item.id}"]`);
    if (row) show(row, item);
  }
  if (items.some((item) => !FINAL.includes(item.state))) later(PAUSE);
}

if (table && [...table.querySelectorAll("tr[data-state]")].some((row) => !FINAL.includes(row.dataset.state))) {
  later(PAUSE);
}
