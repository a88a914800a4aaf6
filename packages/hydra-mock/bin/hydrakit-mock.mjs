#!/usr/bin/env node
// The `hydrakit-mock` command. This file is committed (dist/ is not), so installing the workspace
// can link the command before anything is built; the CLI itself is dist/cli.js.
import '../dist/cli.js'
