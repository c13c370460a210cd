// While a learner types their question, show FAQ answers that may already help (the form works without it).
const subject = document.getElementById("subject");
const box = document.getElementById("faq-suggestions");
let timer;
if (subject && box) {
  subject.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const language = document.getElementById("language")?.value || "";
      const response = await fetch(`${box.dataset.source}?q=${encodeURIComponent(subject.value)}&language=${language}`);
      const entries = response.ok ? await response.json() : [];
      box.replaceChildren();
      if (!entries.length) { box.hidden = true; return; }
      const heading = document.createElement("p");
      heading.className = "callout-title";
      heading.textContent = box.dataset.heading;
      const list = document.createElement("ul");
      for (const entry of entries) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = entry.url;
        link.textContent = entry.question;
        item.append(link);
        list.append(item);
      }
      box.append(heading, list);
      box.hidden = false;
    }, 400);
  });
}
