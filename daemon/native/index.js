'use strict';
// Loaded by the daemon from its injected folder, or from the build output here.
module.exports = require('./build/Release/berth_native.node');
