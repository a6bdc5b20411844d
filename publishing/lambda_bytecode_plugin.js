'use strict';
// A Serverless Framework plugin: the package's bytecode (publishing/lambda_bytecode.py) is
// added to the zip right after serverless-python-requirements has put the dependencies in, and
// before the functions are compiled, so the version's CodeSha256 is that of the zip deployed.
// It runs the Python that serverless.yml's runtime names (python3.11), first on PATH: `make
// package` and `make deploy` put the project's venv there.
const { execFileSync } = require('child_process');
const path = require('path');

class LambdaBytecode {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'after:package:createDeploymentArtifacts': () => this.compile() };
  }

  compile() {
    const service = this.serverless.service;
    const artifact =
      service.package.artifact ||
      path.join(this.serverless.serviceDir, '.serverless', `${service.service}.zip`);
    execFileSync(service.provider.runtime, ['-m', 'publishing.lambda_bytecode', artifact], {
      cwd: this.serverless.serviceDir,
      stdio: 'inherit',
    });
  }
}

module.exports = LambdaBytecode;
