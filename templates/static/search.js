// Runs the query in ?q= against this language's Pagefind index (Pagefind picks it from <html lang>),
// and lists the results: title, highlighted excerpt and section. No server, no third party.
const box = document.getElementById("search-results");
const input = document.getElementById("site-search");
const query = new URLSearchParams(location.search).get("q") || "";
input.value = query;

function say(text) {
  box.replaceChildren(Object.assign(document.createElement("p"), { textContent: text }));
}

async function run() {
  if (!query.trim()) return;
  say(box.dataset.labelSearching);
  const root = new URL(box.dataset.pagefindRoot, location.href);
  let pagefind;
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
  } catch (error) {
    say(box.dataset.labelOffline);
    return;
  }
  await pagefind.options({ baseUrl: root.pathname });
  const search = await pagefind.search(query);
  const results = await Promise.all(search.results.slice(0, 20).map((result) => result.data()));
  if (!results.length) {
    say(box.dataset.labelNone.replace("{query}", query));
    return;
  }
  const heading = Object.assign(document.createElement("h2"), { textContent: box.dataset.labelCount.replace("{query}", query) });
  const list = document.createElement("ol");
  list.className = "results";
  for (const result of results) {
    const item = document.createElement("li");
    const link = Object.assign(document.createElement("a"), { href: result.url, textContent: result.meta.title });
    const title = document.createElement("h3");
    title.append(link);
    const section = Object.assign(document.createElement("p"), { className: "meta", textContent: result.meta.section || "" });
    const excerpt = document.createElement("p");
    excerpt.innerHTML = result.excerpt; // Pagefind's excerpt: the page's own text, escaped, with <mark> around the matches
    item.append(title, section, excerpt);
    list.append(item);
  }
  box.replaceChildren(heading, list);
}

run();
