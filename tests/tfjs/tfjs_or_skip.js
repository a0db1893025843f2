// @tensorflow/tfjs for the tests' reference scripts, or exit 77 (skip) when it is not installed.
'use strict';
const path = require('path');

module.exports = function tfjsOrSkip(who) {
  try {
    return require(path.join(__dirname, '..', '..', 'tools', 'real_models', 'tfjs_model_io')).loadTf();
  } catch (e) {
    process.stderr.write(`${who}: ${e.message}\n`);
    return process.exit(77);
  }
};
