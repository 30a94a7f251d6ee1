// Reads an XLIFF 1.2 or 2.x file with the npm xliff package (xliff12ToJs or xliff2js, by the
// version attribute) and prints what it found as JSON.
const fs = require("fs");
const { xliff12ToJs, xliff2js } = require("xliff");
const text = fs.readFileSync(process.argv[2], "utf8");
const read = /<xliff[^>]*\sversion="2\./.test(text) ? xliff2js : xliff12ToJs;
read(text, (err, result) => {
  if (err) {
    console.error(String(err));
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(result));
});
