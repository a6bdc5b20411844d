'use strict';
// A Serverless Framework plugin: the package's bytecode (publishing/lambda_bytecode.py) is
// added to the zip right after serverless-python-requirements has put the dependencies in, and
// before the functions are compiled, so the version's CodeSha256 is that of the zip deployed.
// `serverless deploy function` packages the one function apart and hashes its zip as uploaded:
// that zip gets the same (with SnapStart it updates $LATEST only, not the alias Alexa calls:
// docs/deploy.md). It runs the Python that serverless.yml's runtime names (python3.12),
// first on PATH: `make package` and `make deploy` put the project's venv there.
const { execFileSync } = require('child_process');
const path = require('path');

// Serverless v3, the last version that packages offline with no login, predates python3.12 in
// its configuration schema (a warning at every package); Lambda runs it, and SnapStart for
// Python needs it. Plugins load after the schema is defined and before the file is checked.
function allowRuntime(serverless, runtime) {
  const handler = serverless.configSchemaHandler;
  const runtimes = handler && handler.schema.definitions.awsLambdaRuntime;
  if (runtimes && !runtimes.enum.includes(runtime)) runtimes.enum.push(runtime);
}

class LambdaBytecode {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options || {};
    allowRuntime(serverless, 'python3.12');
    this.hooks = {
      'after:package:createDeploymentArtifacts': () => this.compile(this.serviceArtifact()),
      'after:deploy:function:packageFunction': () => this.compile(this.functionArtifact()),
    };
  }

  serviceArtifact() {
    const service = this.serverless.service;
    return (
      service.package.artifact ||
      path.join(this.serverless.serviceDir, '.serverless', `${service.service}.zip`)
    );
  }

  functionArtifact() {
    const found = this.serverless.service.getFunction(this.options.function);
    return (found.package && found.package.artifact) || this.serviceArtifact();
  }

  compile(artifact) {
    const runtime = this.serverless.service.provider.runtime;
    execFileSync(runtime, ['-m', 'publishing.lambda_bytecode', artifact], {
      cwd: this.serverless.serviceDir,
      stdio: 'inherit',
    });
  }
}

module.exports = LambdaBytecode;
