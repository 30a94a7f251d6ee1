// Runs the query in ?q= against this language's Pagefind index (Pagefind picks it from <html lang>),
// and lists the results: title, highlighted excerpt and section. No server, no third party.
// ?section= and ?region= (the keys of the page's filter controls) narrow the results to that value.
const box = document.getElementById("search-results");
const input = document.getElementById("site-search");
const form = document.getElementById("search-filters");
const params = new URLSearchParams(location.search);
const query = params.get("q") || "";
const numbers = new Intl.NumberFormat(document.documentElement.lang);
input.value = query;
form.elements.q.value = query;
for (const name of ["section", "region"]) {
  const chosen = [...form.elements[name]].find((radio) => radio.value === (params.get(name) || ""));
  if (chosen) chosen.checked = true;
}

function say(text) {
  box.replaceChildren(Object.assign(document.createElement("p"), { textContent: text }));
}

// The chosen values, as the pages gave them to Pagefind: { section: "Success story" }.
function chosenFilters() {
  const filters = {};
  for (const name of ["section", "region"]) {
    const radio = [...form.elements[name]].find((r) => r.checked);
    if (radio && radio.dataset.filter) filters[name] = radio.dataset.filter;
  }
  return filters;
}

// Each value's count: how many results choosing it would show, the other group's choice kept. One
// small search each: Pagefind's totalFilters counts only the filters it happened to load.
async function counts(filters) {
  const radios = [...form.querySelectorAll("input[type=radio]")].filter((radio) => radio.dataset.filter);
  const found = await Promise.all(
    radios.map((radio) => pagefind.search(query.trim() || null, { filters: { ...filters, [radio.name]: radio.dataset.filter } })),
  );
  return radios.map((radio, i) => [radio, found[i].results.length]);
}

function showCounts(counted) {
  for (const [radio, count] of counted) {
    radio.parentElement.querySelector("[data-count]").textContent = `(${numbers.format(count)})`;
  }
}

let pagefind = null;
let latest = 0; // a search started later wins: an earlier one that ends after it shows nothing

async function load() {
  const root = new URL(box.dataset.pagefindRoot, location.href);
  pagefind = await import(new URL("pagefind/pagefind.js", root).href);
  await pagefind.options({ baseUrl: root.pathname });
}

async function run() {
  const turn = ++latest;
  if (query.trim()) say(box.dataset.labelSearching);
  try {
    if (!pagefind) await load();
  } catch (error) {
    say(box.dataset.labelOffline);
    return;
  }
  const filters = chosenFilters();
  if (!query.trim()) {
    const counted = await counts(filters);
    if (turn === latest) showCounts(counted);
    return;
  }
  const [search, counted] = await Promise.all([pagefind.search(query, { filters }), counts(filters)]);
  const results = await Promise.all(search.results.slice(0, 20).map((result) => result.data()));
  if (turn !== latest) return;
  showCounts(counted);
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

// A change of filter searches again in place; the address keeps it, for the back button and a shared link.
form.addEventListener("change", () => {
  const address = new URL(location.href);
  for (const name of ["section", "region"]) {
    const value = [...form.elements[name]].find((r) => r.checked)?.value || "";
    if (value) address.searchParams.set(name, value);
    else address.searchParams.delete(name);
  }
  history.replaceState(null, "", address);
  run();
});

run();
