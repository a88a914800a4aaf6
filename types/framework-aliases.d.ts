// Tests run Express 4 and Koa 2 side by side with Express 5 and Koa 3 through npm aliases.
// They share the newer major's type declarations; only runtime behaviour differs.
// `import x = require()` is the only way to re-export an `export =` module under another name.
/* eslint-disable @typescript-eslint/no-require-imports */
declare module 'express4' {
  import express = require('express')
  export = express
}
declare module 'koa2' {
  import Koa = require('koa')
  export = Koa
}
