/** Stylesheets are bundled by esbuild (console/build.ts), imported for their side effect only. */
declare module '*.css';
