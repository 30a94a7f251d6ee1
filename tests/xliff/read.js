// Reads an XLIFF 1.2 file with the npm xliff package and prints what it found as JSON.
const fs = require("fs");
const { xliff12ToJs } = require("xliff");
xliff12ToJs(fs.readFileSync(process.argv[2], "utf8"), (err, result) => {
  if (err) {
    console.error(String(err));
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(result));
});
