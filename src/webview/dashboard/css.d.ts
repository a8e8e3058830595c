// Style sheets are bundled by esbuild into dist/webview/dashboard.css.
declare module '*.css';
