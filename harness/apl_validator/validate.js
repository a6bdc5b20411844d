// Amazon's static APL validator: reads a JSON array on stdin, each item a document the skill sends
// with the datasources sent beside it ({document, datasources}; datasources may be null), and
// writes, as JSON, one list of findings ({path, errorMessage, level}) per item: the document's,
// then the datasources'. apl-suggester checks a document by its schemas and checks datasources
// only by their shape (each top-level entry an object); it does not bind the data into the
// document (harness/apl_validator/__init__.py says what is checked beside it).
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
  for (const { document, datasources } of JSON.parse(input)) {
    const found = await validator.validate(document);
    if (datasources !== null && datasources !== undefined) {
      found.push(...(await validator.validateDataSources(datasources)));
    }
    findings.push(found);
  }
  process.stdout.write(JSON.stringify(findings));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
