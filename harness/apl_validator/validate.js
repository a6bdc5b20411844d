// Amazon's static APL validator over documents: reads a JSON array of APL documents on stdin and
// writes, as JSON, one list of findings ({path, errorMessage, level}) per document.
'use strict';

const { StaticAplTemplateValidator } = require('apl-suggester');

// The validator logs its own notes ("No mixin for component") on the console: kept off stdout,
// which carries only the findings.
console.log = console.warn = console.info = (...words) => process.stderr.write(`${words.join(' ')}\n`);

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const validator = new StaticAplTemplateValidator();
  const findings = [];
  for (const document of JSON.parse(input)) findings.push(await validator.validate(document));
  process.stdout.write(JSON.stringify(findings));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
