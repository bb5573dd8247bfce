// better-sqlite3 (@parapet/audit) builds its native addon with node-gyp. These machines have Node's own
// headers but no route to nodejs.org to download them, so node-gyp is pointed at the installed Node's
// headers (<prefix>/include/node) unless the caller chose otherwise. pnpm loads this file before it runs
// any install script, and the scripts inherit the environment.
const path = require('node:path');
const fs = require('node:fs');

if (!process.env.npm_config_nodedir) {
  const prefix = path.dirname(path.dirname(process.execPath));
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) process.env.npm_config_nodedir = prefix;
}

module.exports = { hooks: {} };
